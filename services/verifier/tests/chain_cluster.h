// File: services/verifier/tests/chain_cluster.h
//
// ChainCluster (testonly): the whole chain-of-trust stack on one fresh PostgreSQL database, each
// service as its own role with its own credentials: auth, queue, hooks, the verifier (with a
// policy trusting this cluster's worker keys) and three real workers, run as root with tasks as
// `nobody`:
//   decision  proj-demo/decision
//   build     proj-demo/ci
//   signing   proj-demo/signing, privileged: --verify-task-type=signing
// (the pools of the local stack, which docs/examples/release-decision.sh names)
// The policy allows the hook demo/release (repository and revision from the fire's payload),
// trusts https://git.example.com/demo/app, and restricts project:demo:signing:* to it. The
// workers' tools directory holds the bulwark CLI and docs/examples/release-decision.sh (as
// `release-decision`), as `./dev up` installs them.
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_CLUSTER_H_
#define BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_CLUSTER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bulwark/hooks/v1/hooks.grpc.pb.h"
#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "libraries/testing/service_process.h"
#include "services/worker/tests/worker_cluster.h"

namespace bulwark::verifier {

inline constexpr char kDecisionPool[] = "proj-demo/decision";
inline constexpr char kBuildPool[] = "proj-demo/ci";
inline constexpr char kSigningPool[] = "proj-demo/signing";
inline constexpr char kTrustedRepository[] = "https://git.example.com/demo/app";

class ChainCluster {
 public:
  static absl::StatusOr<std::unique_ptr<ChainCluster>> Start();

  worker::WorkerCluster& workers() { return *workers_; }
  queue::QueueCluster& queue() { return workers_->queue(); }
  auth::AuthCluster& auth() { return workers_->queue().auth(); }
  hawk::Credentials Root() const { return workers_->Root(); }
  std::unique_ptr<hooks::v1::Hooks::Stub> Hooks() const;
  std::unique_ptr<v1::Verifier::Stub> Verifier() const;
  const std::string& policy_version() const { return policy_version_; }

 private:
  ChainCluster() = default;
  std::unique_ptr<worker::WorkerCluster> workers_;
  std::unique_ptr<testing::ServiceProcess> hooks_;
  std::unique_ptr<testing::ServiceProcess> verifier_;
  std::string policy_version_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_CLUSTER_H_
