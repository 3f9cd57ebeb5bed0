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
// The verifier signs attestations of passed verifications with a key of its own
// (--attestation-keys), id chain-attestation-1.
// The policy allows the hook demo/release (repository and revision from the fire's payload),
// trusts https://git.example.com/demo/app, and restricts project:demo:signing:* to it; it also
// trusts, for proj-demo/ci, a key whose validity window closed in 2021 (expired_build_key()).
// The workers' tools directory holds the bulwark CLI and docs/examples/release-decision.sh (as
// `release-decision`), as `./dev up` installs them. With `launch_build_worker` false the build
// worker's client and key exist but nothing claims proj-demo/ci: the test plays that worker
// (chain_forger.h).
//
// Besides the services, the operations the chain tests share: installing the release role and
// hook of docs/examples, firing it, verifying, and reloading the verifier with an edited policy.
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_CLUSTER_H_
#define BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_CLUSTER_H_

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "bulwark/hooks/v1/hooks.grpc.pb.h"
#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/testing/service_process.h"
#include "nlohmann/json.hpp"
#include "services/worker/tests/worker_cluster.h"

namespace bulwark::verifier {

inline constexpr char kDecisionPool[] = "proj-demo/decision";
inline constexpr char kBuildPool[] = "proj-demo/ci";
inline constexpr char kSigningPool[] = "proj-demo/signing";
inline constexpr char kTrustedRepository[] = "https://git.example.com/demo/app";

class ChainCluster {
 public:
  struct Options {
    bool launch_build_worker = true;
  };
  static absl::StatusOr<std::unique_ptr<ChainCluster>> Start(const Options& options);
  static absl::StatusOr<std::unique_ptr<ChainCluster>> Start() { return Start(Options()); }

  worker::WorkerCluster& workers() { return *workers_; }
  queue::QueueCluster& queue() { return workers_->queue(); }
  auth::AuthCluster& auth() { return workers_->queue().auth(); }
  hawk::Credentials Root() const { return workers_->Root(); }
  std::unique_ptr<hooks::v1::Hooks::Stub> Hooks() const;
  std::unique_ptr<v1::Verifier::Stub> Verifier() const;
  const std::string& policy_version() const { return policy_version_; }
  worker::WorkerCluster::Worker& build_worker() const { return *build_; }
  worker::WorkerCluster::Worker& signing_worker() const { return *signing_; }
  // A key the policy trusts for proj-demo/ci only from 2020-01-01 to 2021-01-01.
  const crypto::Ed25519PrivateKey& expired_build_key() const { return *expired_build_key_; }

  // Creates the role and the hook demo/release of docs/examples (as root).
  absl::Status InstallReleaseHook();
  // Fires demo/release for `repository` at `revision` (as root); returns the decision task id.
  absl::StatusOr<std::string> Fire(const std::string& repository, const std::string& revision);
  // VerifyTask as root.
  absl::StatusOr<v1::Verification> Verify(const std::string& task_id, const std::string& type,
                                          v1::RootMode mode);
  // The failed checks of `v`, as "<link>/<check>" (link "" for the chain's own checks).
  static std::set<std::string> FailedChecks(const v1::Verification& v);
  // Writes the starting policy as `edit` changes it, under a new version, sends the verifier
  // SIGHUP and waits until GetPolicy returns that version. An empty `edit` restores the policy
  // (under a new version).
  absl::Status ReloadPolicy(const std::function<void(nlohmann::json&)>& edit);

 private:
  ChainCluster() = default;
  std::unique_ptr<worker::WorkerCluster> workers_;
  std::unique_ptr<testing::ServiceProcess> hooks_;
  std::unique_ptr<testing::ServiceProcess> verifier_;
  std::string policy_version_;
  nlohmann::json policy_;
  std::string policy_file_;
  int reloads_ = 0;
  worker::WorkerCluster::Worker* build_ = nullptr;
  worker::WorkerCluster::Worker* signing_ = nullptr;
  std::unique_ptr<crypto::Ed25519PrivateKey> expired_build_key_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_CLUSTER_H_
