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
// Artifacts: CreateArtifact/GetArtifact move small content in one message. UploadArtifact and
// DownloadArtifact stream any size up to max_artifact_bytes in chunks of at most 1 MiB
// (kMaxChunkBytes): the upload is authorized on its header before any byte is stored, hashed
// (SHA-256) and counted as it arrives, staged in the store kChunksPerAppend chunks at a time,
// checked against the
// header's declared size and sha256, and becomes an artifact only once complete; a refused or
// broken upload stores nothing (its staged chunks are discarded, or purged by
// PurgeIdleUploads). A download sends the metadata, then the content read from the store a few
// chunks at a time, re-hashed on the way out. Every store transaction of a streaming call gets
// the call's deadline, bounded to kMaxTransaction each.
//
// Scopes per method are in queue.proto. Thread-safety: all methods are thread-safe.
// Errors: PERMISSION_DENIED naming what is missing; INVALID_ARGUMENT naming the field;
// NOT_FOUND; ALREADY_EXISTS for a different task under a used taskId or changed artifact;
// FAILED_PRECONDITION for lifecycle violations; RESOURCE_EXHAUSTED for an upload over the size
// limit (the message names it); CANCELLED when a streaming call broke; DATA_LOSS when stored
// content no longer matches its recorded hash; the store's UNAVAILABLE.

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
#include "services/queue/service/artifact_streams.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

class QueueService {
 public:
  // The longest any one store transaction of a streaming call may take.
  static constexpr absl::Duration kMaxTransaction = absl::Seconds(30);
  // Chunks read from the store per transaction while downloading, and staged per transaction
  // while uploading (so a transfer holds at most this many chunks in memory).
  static constexpr int kChunksPerRead = 4;
  static constexpr int kChunksPerAppend = 4;

  struct Options {
    // Longest allowed deadline - now for a new task.
    absl::Duration max_task_deadline = absl::Hours(24 * 5);
    // How long a claim lasts before the worker must reclaim.
    absl::Duration claim_timeout = absl::Minutes(20);
    // Largest artifact accepted (streamed; a unary CreateArtifact is also bounded by gRPC's
    // message limit).
    int64_t max_artifact_bytes = int64_t{2} << 30;
    // Largest artifact GetArtifact returns in one message; larger ones need DownloadArtifact.
    // The default leaves room for the metadata under gRPC's default 4 MiB receive limit, so any
    // client can take the answer (and no call holds more than that in memory).
    int64_t max_unary_artifact_bytes = (int64_t{4} << 20) - (int64_t{64} << 10);
    // How long an unfinished upload may receive nothing before PurgeIdleUploads discards it.
    absl::Duration upload_idle_timeout = absl::Hours(1);
    // Longest a ClaimWork call waits for work.
    absl::Duration max_claim_wait = absl::Seconds(20);
    // How often a waiting ClaimWork looks again (work created through other replicas).
    absl::Duration claim_poll_interval = absl::Milliseconds(250);
    // How many ClaimWork calls may wait for work at once: each holds a server thread, so
    // long polls must not take them all (libraries/grpc_server/server.h: max_threads). A call
    // over the limit looks once and, finding nothing, gets RESOURCE_EXHAUSTED (retry later).
    int max_waiting_claims = 16;
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

  // Streaming transfer. `deadline` is the call's own (it may be far off, or infinite); each
  // store transaction gets at most kMaxTransaction of it.
  // UploadArtifact reads the header, then chunks, from `stream`; returns the stored artifact.
  absl::StatusOr<v1::Artifact> UploadArtifact(const Caller& caller, UploadStream& stream,
                                              absl::Time deadline);
  // DownloadArtifact writes the artifact's metadata, then its content in chunks, to `stream`.
  absl::Status DownloadArtifact(const Caller& caller, const v1::DownloadArtifactRequest& request,
                                DownloadStream& stream, absl::Time deadline);

  // Resolves expired claims and passed deadlines; returns how many runs it resolved.
  absl::StatusOr<int> Sweep(absl::Time deadline);
  // Discards uploads that received nothing for upload_idle_timeout of the injected clock (their
  // stream broke unseen, or their finish failed); returns how many.
  absl::StatusOr<int> PurgeIdleUploads(absl::Time deadline);

  // The process is shutting down (SIGTERM, lame duck): every waiting ClaimWork returns what it
  // has (usually nothing) now, and later ones look once without waiting. Irreversible.
  void BeginShutdown();

  // Blocks until at least `n` ClaimWork calls are waiting for work, or `timeout` passes;
  // returns whether they were. For tests of the long poll.
  bool AwaitWaitingClaims(int n, absl::Duration timeout) const;

 private:
  absl::StatusOr<v1::TaskClaim> ClaimOf(const Task& task, int run_id);
  // A new artifact's record (all but size and sha256), after checking the task exists and the
  // expiry (default: the task's) is allowed.
  absl::StatusOr<Artifact> NewArtifact(const std::string& task_id, int run_id,
                                       const std::string& name, const std::string& content_type,
                                       const google::protobuf::Timestamp* expires,
                                       absl::Time deadline);
  // The run an artifact read means: `run_id`, or the task's latest.
  absl::StatusOr<int> ArtifactRun(const std::string& task_id, std::optional<int> run_id,
                                  absl::Time deadline);
  // Receives an upload's chunks into staged upload `upload_id` and finishes it.
  absl::StatusOr<Artifact> ReceiveUpload(const v1::UploadArtifactHeader& header, Artifact artifact,
                                         const std::string& upload_id, UploadStream& stream,
                                         absl::Time deadline);
  void WakeClaimers();

  const Options options_;
  QueueStore& store_;
  const hawk::Credentials issuer_;
  Clock& clock_;
  Random& random_;
  mutable absl::Mutex wake_mu_;
  uint64_t work_generation_ ABSL_GUARDED_BY(wake_mu_) = 0;
  int waiting_claims_ ABSL_GUARDED_BY(wake_mu_) = 0;
  // ClaimWork calls in their long poll (at most options_.max_waiting_claims).
  int long_polls_ ABSL_GUARDED_BY(wake_mu_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(wake_mu_) = false;
};

// The TaskStatus of a stored task.
v1::TaskStatus StatusOf(const Task& task);

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_SERVICE_QUEUE_SERVICE_H_
