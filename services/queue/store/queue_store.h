// File: services/queue/store/queue_store.h
//
// QueueStore: the queue's persistence, as an interface. PostgresQueueStore is the real one;
// InMemoryQueueStore a fake for service tests; queue_store_conformance.h runs the same tests
// against both. Each method is one atomic step of the task lifecycle, with the lifecycle's
// bookkeeping done inside it: a new task gets run 0 when its dependencies are met; a final
// resolution satisfies its dependents and schedules those now ready; a retried run gets a new
// pending run.
//
// Artifact content is kept in chunks of at most kMaxChunkBytes and never handled whole: a
// streaming upload is staged chunk by chunk (BeginUpload, AppendUpload) and becomes an artifact
// only when FinishUpload succeeds; content is read back a few chunks at a time
// (ReadArtifactChunks). Identical content is stored once, whichever way it arrived.
//
// Thread-safety: implementations are safe for concurrent use; Claim hands each pending run to
// exactly one caller even across processes.
// Errors (every method): UNAVAILABLE / DEADLINE_EXCEEDED from the database; per method below.
// CANCELLED, nothing written, from every method that changes something when the thread's
// CallScope says the caller has gone (libraries/call/call_scope.h).

#ifndef BULWARK_SERVICES_QUEUE_STORE_QUEUE_STORE_H_
#define BULWARK_SERVICES_QUEUE_STORE_QUEUE_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "services/queue/store/run_state.h"

namespace bulwark::queue {

// The largest chunk of artifact content stored, streamed or read as one value.
inline constexpr int64_t kMaxChunkBytes = int64_t{1} << 20;

struct Run {
  int run_id = 0;
  RunState state = RunState::kPending;
  ReasonCreated reason_created = ReasonCreated::kScheduled;
  ReasonResolved reason_resolved = ReasonResolved::kNone;
  std::string worker_group;
  std::string worker_id;
  absl::Time taken_until = absl::InfinitePast();
  absl::Time scheduled = absl::InfinitePast();
  absl::Time started = absl::InfinitePast();
  absl::Time resolved = absl::InfinitePast();
};

struct Task {
  std::string task_id;
  v1::TaskDefinition definition;  // normalized
  std::string creator_client_id;
  std::vector<std::string> creator_authorized_scopes;
  absl::Time created_at;
  int retries_left = 0;
  std::vector<Run> runs;

  // The last run's state; nullopt while the task is unscheduled (it has no run yet).
  std::optional<RunState> state() const {
    if (runs.empty()) return std::nullopt;
    return runs.back().state;
  }
  bool resolved() const { return !runs.empty() && IsResolved(runs.back().state); }
};

struct CreateResult {
  bool created = false;  // false: a task with this id existed; `task` is that one
  Task task;
};

// How to resolve a run. With `retry`, if retries are left and the deadline has not passed, a
// new pending run is added (reason `retry_reason`).
struct Resolution {
  RunState state = RunState::kCompleted;  // completed, failed or exception
  ReasonResolved reason = ReasonResolved::kCompleted;
  bool retry = false;
  ReasonCreated retry_reason = ReasonCreated::kRetry;  // retry or task-retry
};

struct ClaimedRun {
  Task task;
  int run_id = 0;
};

struct Artifact {
  std::string task_id;
  int run_id = 0;
  std::string name;
  std::string content_type;
  int64_t size = 0;
  std::string sha256;  // hex
  absl::Time expires;
  absl::Time created;
};

class QueueStore {
 public:
  virtual ~QueueStore() = default;

  // Stores `task` (retries_left, runs and created_at are set here). If the id is taken,
  // returns created = false with the stored task. INVALID_ARGUMENT names dependencies that do
  // not exist; FAILED_PRECONDITION when the task group belongs to another schedulerId.
  virtual absl::StatusOr<CreateResult> CreateTask(const Task& task, absl::Time now,
                                                  absl::Time deadline) = 0;
  // NOT_FOUND if absent.
  virtual absl::StatusOr<Task> GetTask(const std::string& task_id, absl::Time deadline) = 0;
  // Tasks of a group by id, after `after_task_id`.
  virtual absl::StatusOr<std::vector<Task>> ListTaskGroup(const std::string& task_group_id,
                                                          const std::string& after_task_id,
                                                          int limit, absl::Time deadline) = 0;

  // Hands up to `max` pending runs of the queue, highest priority first and then oldest, to
  // the worker: each becomes running until `taken_until`. `cancelled` (may be null) is asked
  // just before the claim commits: when the caller has gone, nothing is claimed (CANCELLED).
  virtual absl::StatusOr<std::vector<ClaimedRun>> Claim(const std::string& task_queue_id,
                                                        const std::string& worker_group,
                                                        const std::string& worker_id, int max,
                                                        absl::Time now, absl::Time taken_until,
                                                        absl::Time deadline,
                                                        const std::function<bool()>& cancelled) = 0;
  // Extends a running run's claim. FAILED_PRECONDITION unless the run is the latest, running,
  // and the task's deadline has not passed; NOT_FOUND for an unknown task or run.
  virtual absl::StatusOr<Task> Reclaim(const std::string& task_id, int run_id, absl::Time now,
                                       absl::Time taken_until, absl::Time deadline) = 0;
  // Resolves a running run. Repeating an identical resolution succeeds; anything else on a
  // run that is not running is FAILED_PRECONDITION; NOT_FOUND for an unknown task or run.
  virtual absl::StatusOr<Task> Resolve(const std::string& task_id, int run_id,
                                       const Resolution& resolution, absl::Time now,
                                       absl::Time deadline) = 0;
  // Resolves runs whose claim expired (exception claim-expired, retried); returns how many.
  virtual absl::StatusOr<int> ExpireClaims(absl::Time now, absl::Time deadline) = 0;
  // Resolves unresolved tasks past their deadline (exception deadline-exceeded).
  virtual absl::StatusOr<int> ExpireDeadlines(absl::Time now, absl::Time deadline) = 0;

  // Stores an artifact of a run that is running (or ended in an exception less than 25
  // minutes ago: FAILED_PRECONDITION otherwise), `content` split into chunks. Artifacts never
  // change: storing the same content again returns the stored one; different content is
  // ALREADY_EXISTS. For small artifacts that arrive whole; larger ones stream (below).
  virtual absl::StatusOr<Artifact> PutArtifact(const Artifact& artifact, const std::string& content,
                                               absl::Time now, absl::Time deadline) = 0;

  // Streaming upload, step 1: starts staging content for artifact `name` of the run and
  // returns the upload's id (known only to the caller). NOT_FOUND for an unknown task or run;
  // FAILED_PRECONDITION when the run cannot take artifacts now (FinishUpload checks again).
  virtual absl::StatusOr<std::string> BeginUpload(const std::string& task_id, int run_id,
                                                  const std::string& name, absl::Time now,
                                                  absl::Time deadline) = 0;
  // Step 2, repeated: stages `chunks` (each of 1 to kMaxChunkBytes bytes) as chunks
  // `first_index`, `first_index` + 1, ... (indexes run 0, 1, 2, ... in order over the calls),
  // in one transaction, and marks the upload active at `now`. INVALID_ARGUMENT for an empty or
  // over-long chunk or no chunks; FAILED_PRECONDITION for an index out of order; NOT_FOUND
  // when the upload does not exist (finished, aborted, or purged after being idle).
  virtual absl::Status AppendUpload(const std::string& upload_id, int first_index,
                                    const std::vector<absl::string_view>& chunks, absl::Time now,
                                    absl::Time deadline) = 0;
  // Step 3: turns the staged content into `artifact`, whose task, run and name must be the
  // upload's and whose size must be the staged size (FAILED_PRECONDITION otherwise); its
  // sha256 is the caller's hash of the staged bytes. Under the task's lock, as PutArtifact:
  // the same artifact again returns the stored one, different content is ALREADY_EXISTS, a
  // run that can no longer take artifacts is FAILED_PRECONDITION. Content already stored
  // under the same sha256 is kept once. On success the upload is gone; on any error nothing
  // changed (the caller then calls AbortUpload). `cancelled` (may be null) is asked just
  // before the commit: when it says the caller is gone, nothing is stored (CANCELLED).
  virtual absl::StatusOr<Artifact> FinishUpload(const std::string& upload_id,
                                                const Artifact& artifact, absl::Time now,
                                                absl::Time deadline,
                                                const std::function<bool()>& cancelled) = 0;
  // Discards an unfinished upload and its staged chunks; OK when it does not exist.
  virtual absl::Status AbortUpload(const std::string& upload_id, absl::Time deadline) = 0;
  // Discards every upload whose last chunk arrived before `idle_since` (a stream that broke
  // without the service seeing it end); returns how many.
  virtual absl::StatusOr<int> PurgeUploads(absl::Time idle_since, absl::Time deadline) = 0;

  // An artifact's metadata. NOT_FOUND if absent.
  virtual absl::StatusOr<Artifact> GetArtifact(const std::string& task_id, int run_id,
                                               const std::string& name, absl::Time deadline) = 0;
  // Up to `max_chunks` chunks of the artifact's content in order, starting with chunk `first`
  // (0-based); empty past the end. Each chunk holds 1 to kMaxChunkBytes bytes. NOT_FOUND if
  // the artifact is absent; INVALID_ARGUMENT for a negative `first` or `max_chunks` < 1.
  virtual absl::StatusOr<std::vector<std::string>> ReadArtifactChunks(const std::string& task_id,
                                                                      int run_id,
                                                                      const std::string& name,
                                                                      int first, int max_chunks,
                                                                      absl::Time deadline) = 0;
  virtual absl::StatusOr<std::vector<Artifact>> ListArtifacts(const std::string& task_id,
                                                              int run_id,
                                                              const std::string& after_name,
                                                              int limit, absl::Time deadline) = 0;
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_STORE_QUEUE_STORE_H_
