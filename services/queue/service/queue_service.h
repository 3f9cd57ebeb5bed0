// File: services/queue/service/queue_service.h
//
// QueueService: the queue's logic behind bulwark.queue.v1, transport-free. The queue holds `*`
// (it must be able to issue credentials for any task.scopes), so its own checks are the
// platform's gate: a task is created only if the caller — after authorizedScopes — satisfies
// everything the task would be able to do (CreateTaskScopes), and the caller and its
// authorizedScopes are recorded as the task's creator.
//
// Workers: ClaimWork long-polls (bounded) for pending runs of a queue and returns each with
// temporary credentials (a Taskcluster certificate signed with the queue's own access token)
// carrying task.scopes plus reclaim/resolve/create-artifact for that run; ReclaimTask extends
// a claim; Report* resolve it (worker-shutdown and intermittent-task are retried while
// retries remain); Sweep resolves expired claims and passed deadlines.
//
// Scopes per method are in queue.proto. Thread-safety: all methods are thread-safe.
// Errors: PERMISSION_DENIED naming what is missing; INVALID_ARGUMENT naming the field;
// NOT_FOUND; ALREADY_EXISTS for a different task under a used taskId or changed artifact;
// FAILED_PRECONDITION for lifecycle violations; the store's UNAVAILABLE.

#ifndef BULWARK_SERVICES_QUEUE_SERVICE_QUEUE_SERVICE_H_
#define BULWARK_SERVICES_QUEUE_SERVICE_QUEUE_SERVICE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "libraries/authn/caller.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/credentials.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

class QueueService {
 public:
  struct Options {
    // Longest allowed deadline - now for a new task.
    absl::Duration max_task_deadline = absl::Hours(24 * 5);
    // How long a claim lasts before the worker must reclaim.
    absl::Duration claim_timeout = absl::Minutes(20);
    // Largest artifact accepted.
    int64_t max_artifact_bytes = int64_t{64} << 20;
    // Longest a ClaimWork call waits for work.
    absl::Duration max_claim_wait = absl::Seconds(20);
    // How often a waiting ClaimWork looks again (work created through other replicas).
    absl::Duration claim_poll_interval = absl::Milliseconds(250);
  };

  // `issuer` is the queue's own credentials (static/bulwark/queue), which sign task
  // credentials. References must outlive the service.
  QueueService(const Options& options, QueueStore& store, hawk::Credentials issuer, Clock& clock,
               Random& random)
      : options_(options),
        store_(store),
        issuer_(std::move(issuer)),
        clock_(clock),
        random_(random) {}

  absl::StatusOr<v1::CreateTaskResponse> CreateTask(const Caller& caller,
                                                    const v1::CreateTaskRequest& request,
                                                    absl::Time deadline);
  absl::StatusOr<v1::TaskDefinition> GetTask(const Caller& caller, const std::string& task_id,
                                             absl::Time deadline);
  absl::StatusOr<v1::TaskStatus> GetTaskStatus(const Caller& caller, const std::string& task_id,
                                               absl::Time deadline);
  absl::StatusOr<v1::ListTaskGroupResponse> ListTaskGroup(const Caller& caller,
                                                          const v1::ListTaskGroupRequest& request,
                                                          absl::Time deadline);
  absl::StatusOr<v1::TaskCreator> GetTaskCreator(const Caller& caller, const std::string& task_id,
                                                 absl::Time deadline);

  // `cancelled` reports whether the caller went away; the wait also ends at `deadline` (the
  // call's), so no run is claimed for a caller that can no longer receive it.
  absl::StatusOr<v1::ClaimWorkResponse> ClaimWork(const Caller& caller,
                                                  const v1::ClaimWorkRequest& request,
                                                  const std::function<bool()>& cancelled,
                                                  absl::Time deadline = absl::InfiniteFuture());
  absl::StatusOr<v1::TaskClaim> ReclaimTask(const Caller& caller,
                                            const v1::ReclaimTaskRequest& request,
                                            absl::Time deadline);
  // state: completed, failed or exception (with `reason`).
  absl::StatusOr<v1::TaskStatus> Report(const Caller& caller, const std::string& task_id,
                                        int run_id, RunState state, v1::ExceptionReason reason,
                                        absl::Time deadline);

  absl::StatusOr<v1::Artifact> CreateArtifact(const Caller& caller,
                                              const v1::CreateArtifactRequest& request,
                                              absl::Time deadline);
  // run_id nullopt: the latest run.
  absl::StatusOr<v1::GetArtifactResponse> GetArtifact(const Caller& caller,
                                                      const std::string& task_id,
                                                      std::optional<int> run_id,
                                                      const std::string& name, absl::Time deadline);
  absl::StatusOr<v1::ListArtifactsResponse> ListArtifacts(const Caller& caller,
                                                          const v1::ListArtifactsRequest& request,
                                                          absl::Time deadline);

  // Resolves expired claims and passed deadlines; returns how many runs it resolved.
  absl::StatusOr<int> Sweep(absl::Time deadline);

  // Blocks until at least `n` ClaimWork calls are waiting for work, or `timeout` passes;
  // returns whether they were. For tests of the long poll.
  bool AwaitWaitingClaims(int n, absl::Duration timeout) const;

 private:
  absl::StatusOr<v1::TaskClaim> ClaimOf(const Task& task, int run_id);
  void WakeClaimers();

  const Options options_;
  QueueStore& store_;
  const hawk::Credentials issuer_;
  Clock& clock_;
  Random& random_;
  mutable absl::Mutex wake_mu_;
  uint64_t work_generation_ ABSL_GUARDED_BY(wake_mu_) = 0;
  int waiting_claims_ ABSL_GUARDED_BY(wake_mu_) = 0;
};

// The TaskStatus of a stored task.
v1::TaskStatus StatusOf(const Task& task);

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_SERVICE_QUEUE_SERVICE_H_
