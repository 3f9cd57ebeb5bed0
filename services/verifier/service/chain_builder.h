// File: services/verifier/service/chain_builder.h
//
// Test helpers (testonly) that build realistic chains in a FakeChainSource the way the real
// services would: the queue's normalization of new tasks, hook fires rendered with the hooks
// service's own renderer (libraries/hookfire/firing.h) and recorded with the hook version
// they used, and workers that run a task, upload its artifacts and sign public/chain-of-trust.json
// with a real Ed25519 key.
//
//   ChainBuilder chain(source);
//   FakeWorker decision_worker = FakeWorker::Make("proj-3/decision", 1);
//   BULWARK_ASSIGN_OR_RETURN(nlohmann::json decision,
//                            chain.FireHook(hook_version, fire_context));
//   BULWARK_RETURN_IF_ERROR(chain.CreateTask(build_id, build_json, "task-client", {}));
//   BULWARK_RETURN_IF_ERROR(chain.RunTask(build_id, build_worker,
//                                         {{"public/build/app.tar.gz", bytes}}, resolved));
//
// Tasks are stored as the queue stores them: normalized by QueueTaskNormalizer
// (task_normalizer.h, the queue's own rules from libraries/taskdef).
//
// Thread-safety: ChainBuilder is for a test's main thread. Errors: INVALID_ARGUMENT for a task
// or template that does not render or parse; NOT_FOUND for an unknown taskId.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_CHAIN_BUILDER_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_CHAIN_BUILDER_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/hookfire/firing.h"
#include "nlohmann/json.hpp"
#include "services/verifier/service/fake_chain_source.h"

namespace bulwark::verifier {

struct FakeWorker {
  std::string pool;
  std::string worker_group;
  std::string worker_id;
  crypto::Ed25519PrivateKey key;

  // A worker of `pool` whose key comes from `seed` (deterministic).
  static FakeWorker Make(const std::string& pool, uint64_t seed);
  // Standard base64 of the raw public key, as the policy lists it.
  std::string PublicKeyBase64() const;
};

struct RunOptions {
  // Edits the chain-of-trust document before it is serialized and signed (a worker signing
  // something wrong).
  std::function<void(nlohmann::json& cot)> edit_cot;
  // Signs with this key instead of the worker's.
  const crypto::Ed25519PrivateKey* signing_key = nullptr;
};

class ChainBuilder {
 public:
  explicit ChainBuilder(FakeChainSource& source) : source_(source) {}

  // Creates a task as client `client_id` (e.g. a decision task's own credentials), normalized as
  // the queue does. Returns the stored definition.
  absl::StatusOr<nlohmann::json> CreateTask(const std::string& task_id, const nlohmann::json& task,
                                            const std::string& client_id,
                                            const std::vector<std::string>& authorized_scopes);

  // A fire of the hook `hook_version` describes ({hookGroupId, hookId, task: template, ...}):
  // renders the template with the hooks service's renderer, creates the task as the hooks service
  // acting as assume:hook-id:<G>/<H>, and records the fire and the hook version (its bytes:
  // hook_version.dump()). Returns the stored definition.
  absl::StatusOr<nlohmann::json> FireHook(const nlohmann::json& hook_version,
                                          const hookfire::FireContext& fire);
  // The SHA-256 hex of a hook version's bytes (as FireHook records them).
  static std::string HookVersionSha256(const nlohmann::json& hook_version);

  // Adds a run of `state` (not completed) taken by `worker`, e.g. a failed earlier run or the run
  // in progress.
  absl::Status AddRun(const std::string& task_id, const FakeWorker& worker, RunState state);

  // Runs the task to completion on `worker`: a new completed run resolved at `resolved`, the
  // artifacts uploaded (plus public/logs/live_backing.log), and public/chain-of-trust.json
  // (pretty-printed) with its raw signature.
  absl::Status RunTask(const std::string& task_id, const FakeWorker& worker,
                       const std::map<std::string, std::string>& artifacts, absl::Time resolved,
                       const RunOptions& options = {});

 private:
  FakeChainSource& source_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_CHAIN_BUILDER_H_
