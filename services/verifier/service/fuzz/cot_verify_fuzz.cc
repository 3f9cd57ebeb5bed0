// Fuzz target: the verifier's reading of a downloaded chain-of-trust body
// (services/verifier/service/verifier_engine.cc: cot.format, cot.run, cot.task-definition and
// the artifact checks that use the signed hashes), through the whole engine.
//
// A passing chain is built once (sample_chain.h): a hook fire's decision task, a build task and
// a signing task that consumes the build's artifact. Each input replaces
// the build's public/chain-of-trust.json, signed with the build worker's real key so that the
// signature passes and the bytes reach the parser. The first byte says how the rest is used:
//   0     the whole body, as downloaded
//   other a JSON merge patch (RFC 7386) applied to the valid body, re-serialized as the worker
//         would: mutations then reach the checks behind the JSON parser
//
// Properties checked, beyond "no crash": VerifyTask never fails as a call (a malformed body is a
// failing check, not an error); every check of the valid chain is reported again (none is
// skipped because another failed); the report is deterministic; and a PASS implies the body
// signs exactly the run and task of the valid one (taskId, runId, workerGroup, workerId, task
// equal) and the consumed artifact's true hash. (Signed artifacts no task consumes are not
// checked against anything: the first campaign's finding, kept as
// corpus/cot_verify_fuzz/regression-unconsumed-artifact.)
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"
#include "services/verifier/service/report.h"
#include "services/verifier/service/sample_chain.h"
#include "services/verifier/service/verifier_engine.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;

constexpr char kApp[] = "public/build/app.tar.gz";

// The sample chain (one build producing kApp), its valid build chain-of-trust body, and the
// checks its verification reports.
struct Chain {
  std::unique_ptr<SampleChain> sample;
  std::string valid_body;
  std::vector<std::string> check_names;
};

std::vector<std::string> CheckNames(const VerificationReport& r) {
  std::vector<std::string> out;
  for (const LinkReport& l : r.links) {
    for (const CheckResult& c : l.checks) out.push_back(l.name + "/" + c.name);
  }
  for (const CheckResult& c : r.chain_checks) out.push_back("/" + c.name);
  return out;
}

VerificationReport Verify(const Chain& c) {
  absl::StatusOr<VerificationReport> report = c.sample->Verify();
  FUZZ_CHECK(report.ok()) << "VerifyTask failed as a call: " << report.status();
  return *std::move(report);
}

Chain& TheChain() {
  static Chain* chain = [] {
    auto* c = new Chain();
    absl::StatusOr<std::unique_ptr<SampleChain>> sample = SampleChain::Make({{kApp, "app"}});
    FUZZ_CHECK(sample.ok()) << sample.status();
    c->sample = *std::move(sample);
    c->valid_body = *c->sample->source.Artifact(c->sample->build_ids[0], 0, kChainOfTrustArtifact);
    VerificationReport valid = Verify(*c);
    FUZZ_CHECK(valid.passed) << ReportToText(valid);
    c->check_names = CheckNames(valid);
    return c;
  }();
  return *chain;
}

}  // namespace
}  // namespace bulwark::verifier

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::verifier;  // NOLINT(build/namespaces): a fuzz entry point
  Chain& c = TheChain();
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] != 0) {
    json patch = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (patch.is_discarded()) return 0;
    json doc = json::parse(c.valid_body);
    doc.merge_patch(patch);
    body = doc.dump(2, ' ', false) + "\n";
  }
  SampleChain& sample = *c.sample;
  sample.source.PutArtifact(sample.build_ids[0], 0, kChainOfTrustArtifact, body);
  sample.source.PutArtifact(sample.build_ids[0], 0, kChainOfTrustSignatureArtifact,
                            *sample.build.key.Sign(body));

  const VerificationReport report = Verify(c);
  FUZZ_CHECK(CheckNames(report) == c.check_names) << "a check was skipped or added";
  FUZZ_CHECK(ReportToText(Verify(c)) == ReportToText(report)) << "not deterministic";
  if (report.passed) {
    const json signed_doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    const json valid = json::parse(c.valid_body);
    FUZZ_CHECK(signed_doc.is_object()) << body;
    for (const char* field : {"taskId", "runId", "workerGroup", "workerId", "task"}) {
      FUZZ_CHECK(signed_doc.contains(field) && signed_doc[field] == valid[field])
          << "PASS with " << field << " changed: " << body;
    }
    // Of the signed artifacts, those a later task consumes are checked against their bytes;
    // others may be listed differently (a worker's key signs them; nothing downstream uses them).
    FUZZ_CHECK(signed_doc["artifacts"].is_object() &&
               signed_doc["artifacts"].value(kApp, json()) == valid["artifacts"][kApp])
        << "PASS with the consumed artifact's hash changed: " << body;
  }
  return 0;
}
