// File: services/verifier/service/chain_source.h
//
// ChainSource: everything the verification engine reads about a chain, behind one interface. The
// service implements it over gRPC (queue: GetTask, GetTaskStatus, GetTaskCreator, GetArtifact;
// hooks: the fire record and the hook version it rendered); tests use FakeChainSource.
//
//   absl::StatusOr<nlohmann::json> task = source.GetTaskDefinition(task_id, deadline);
//   absl::Status s = source.StreamArtifact(task_id, run_id, "public/build/app.tar.gz", deadline,
//                                          [&](absl::string_view chunk) {
//                                            hasher.Update(chunk);
//                                            return absl::OkStatus();
//                                          });
//
// Contract for implementations:
//  - Task definitions are the queue's stored definition (defaults filled) in the JSON form of the
//    protobuf JSON mapping of bulwark.queue.v1.TaskDefinition (camelCase names, timestamps as
//    RFC 3339 strings, default values omitted), produced exactly as the worker's claim is turned
//    into the signed `task` of chain-of-trust.json, so that the two compare equal.
//  - StreamArtifact delivers the artifact's exact bytes (any transfer encoding undone) in order, in
//    chunks of any size, and never needs the whole artifact in memory. If `sink` returns a non-OK
//    status, streaming stops and that status is returned.
//  - GetHookFire returns the record the hooks service kept when one of its fires created the task
//    (NOT_FOUND when no fire created it). GetHookVersion returns the exact bytes of the hook
//    version whose SHA-256 (lowercase hex) the fire recorded: a JSON object with at least `task`
//    (the JSON-e template) and, when present, `hookGroupId` and `hookId`. The engine recomputes
//    the SHA-256 of those bytes; it does not trust the source to have done so.
//  - Every method honours `deadline` (DEADLINE_EXCEEDED once it has passed) and reports a missing
//    entity as NOT_FOUND and an unreachable service as UNAVAILABLE. No method throws.
//
// Thread-safety: the engine calls every method concurrently from several threads; implementations
// must be thread-safe.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_CHAIN_SOURCE_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_CHAIN_SOURCE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace bulwark::verifier {

enum class RunState { kPending, kRunning, kCompleted, kFailed, kException };

// "pending", "running", "completed", "failed", "exception".
const char* RunStateName(RunState state);

struct RunInfo {
  int run_id = 0;
  RunState state = RunState::kPending;
  std::string worker_group;  // empty until claimed
  std::string worker_id;
  std::optional<absl::Time> resolved;  // set once the run is resolved
};

struct TaskStatusInfo {
  std::string task_queue_id;  // the pool: "<provisionerId>/<workerType>"
  std::vector<RunInfo> runs;  // in run_id order
};

// The queue's creator record: who called CreateTask, restricted to which scopes.
struct TaskCreatorInfo {
  std::string client_id;
  std::vector<std::string> authorized_scopes;  // empty when the caller did not restrict itself
};

// A hook fire that created a task: the firing context hooks rendered the template with
// (hookfire::FireContext) and the version of the hook it rendered.
struct HookFire {
  std::string hook_group_id;
  std::string hook_id;
  std::string fired_by;             // "schedule", "triggerHook" or "triggerHookWithToken"
  nlohmann::json payload;           // the trigger payload (null for scheduled fires)
  std::string client_id;            // the caller of TriggerHook (empty otherwise)
  std::string now;                  // the `now` given to JSON-e, RFC 3339
  std::string task_id;              // the taskId the fire created
  std::string hook_version_sha256;  // lowercase hex SHA-256 of the hook version's bytes
};

// Receives an artifact's bytes in order; a non-OK status stops the stream.
using ChunkSink = std::function<absl::Status(absl::string_view chunk)>;

class ChainSource {
 public:
  virtual ~ChainSource() = default;

  virtual absl::StatusOr<nlohmann::json> GetTaskDefinition(const std::string& task_id,
                                                           absl::Time deadline) = 0;
  virtual absl::StatusOr<TaskStatusInfo> GetTaskStatus(const std::string& task_id,
                                                       absl::Time deadline) = 0;
  virtual absl::StatusOr<TaskCreatorInfo> GetTaskCreator(const std::string& task_id,
                                                         absl::Time deadline) = 0;
  virtual absl::Status StreamArtifact(const std::string& task_id, int run_id,
                                      const std::string& name, absl::Time deadline,
                                      const ChunkSink& sink) = 0;
  virtual absl::StatusOr<HookFire> GetHookFire(const std::string& task_id, absl::Time deadline) = 0;
  virtual absl::StatusOr<std::string> GetHookVersion(const std::string& sha256_hex,
                                                     absl::Time deadline) = 0;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_CHAIN_SOURCE_H_
