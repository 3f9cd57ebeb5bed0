// File: services/verifier/service/sample_chain.h
//
// SampleChain (testonly): a passing chain of trust built in a FakeChainSource with ChainBuilder,
// for the verifier's benchmark and fuzz target: a fire of hook sample/release creates the
// decision task, which writes public/task-graph.json; one build task per given artifact
// produces it; a signing task consumes all of them (payload.upstreamArtifacts) and has run. Each
// task is signed by the real key of its pool's FakeWorker; the engine has a policy trusting them.
//
//   BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<SampleChain> chain,
//                            SampleChain::Make({{"public/build/app.tar.gz", bytes}}));
//   absl::StatusOr<VerificationReport> report = chain->Verify();   // PASS
//
// Thread-safety: as FakeChainSource; Make from one thread. Errors: Make passes on the builder's
// errors (none for the chain it builds); Verify those of VerifierEngine::VerifyTask.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_SAMPLE_CHAIN_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_SAMPLE_CHAIN_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libraries/clock/clock.h"
#include "services/verifier/service/chain_builder.h"
#include "services/verifier/service/fake_chain_source.h"
#include "services/verifier/service/report.h"
#include "services/verifier/service/verifier_engine.h"

namespace bulwark::verifier {

struct SampleChain {
  // One build task per (artifact name, content).
  static absl::StatusOr<std::unique_ptr<SampleChain>> Make(
      const std::vector<std::pair<std::string, std::string>>& build_artifacts);

  // VerifyTask of the signing task as `signing`, in the completed root mode.
  absl::StatusOr<VerificationReport> Verify() const;

  SimulatedClock clock;
  FakeChainSource source{clock};
  ChainBuilder builder{source};
  FakeWorker decision = FakeWorker::Make("sample/decision", 1);
  FakeWorker build = FakeWorker::Make("sample/build", 2);
  FakeWorker signing = FakeWorker::Make("sample/signing", 3);
  std::vector<std::string> build_ids;
  std::string signing_id;
  std::unique_ptr<VerifierEngine> engine;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_SAMPLE_CHAIN_H_
