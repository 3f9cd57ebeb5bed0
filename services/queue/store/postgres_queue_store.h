// File: services/queue/store/postgres_queue_store.h
//
// PostgresQueueStore: QueueStore over the queue schema (services/queue/schema), connected as
// the runtime role bulwark_queue. Per-task changes lock the task's row; Claim takes pending
// runs with FOR UPDATE SKIP LOCKED, so concurrent claimers (threads or replicas) never get
// the same run and never wait for each other. Artifact content is stored once per SHA-256
// (queue.artifact_blobs) as rows of at most 1 MiB (queue.artifact_chunks); an upload stages
// its chunks under its id (queue.uploads) and finishing it re-points them to the blob, so the
// content is written once. Apart from PutArtifact's content, which arrives whole, no method
// holds more than the chunks it was asked for in memory.
//
// Thread-safety: safe for concurrent use. Errors: as QueueStore; no SQL in messages.

#ifndef BULWARK_SERVICES_QUEUE_STORE_POSTGRES_QUEUE_STORE_H_
#define BULWARK_SERVICES_QUEUE_STORE_POSTGRES_QUEUE_STORE_H_

#include "libraries/pg/pool.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

class PostgresQueueStore final : public QueueStore {
 public:
  explicit PostgresQueueStore(pg::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<CreateResult> CreateTask(const Task& task, absl::Time now,
                                          absl::Time deadline) override;
  absl::StatusOr<Task> GetTask(const std::string& task_id, absl::Time deadline) override;
  absl::StatusOr<std::vector<Task>> ListTaskGroup(const std::string& task_group_id,
                                                  const std::string& after_task_id, int limit,
                                                  absl::Time deadline) override;
  absl::StatusOr<std::vector<ClaimedRun>> Claim(const std::string& task_queue_id,
                                                const std::string& worker_group,
                                                const std::string& worker_id, int max,
                                                absl::Time now, absl::Time taken_until,
                                                absl::Time deadline,
                                                const std::function<bool()>& cancelled) override;
  absl::StatusOr<Task> Reclaim(const std::string& task_id, int run_id, absl::Time now,
                               absl::Time taken_until, absl::Time deadline) override;
  absl::StatusOr<Task> Resolve(const std::string& task_id, int run_id, const Resolution& resolution,
                               absl::Time now, absl::Time deadline) override;
  absl::StatusOr<int> ExpireClaims(absl::Time now, absl::Time deadline) override;
  absl::StatusOr<int> ExpireDeadlines(absl::Time now, absl::Time deadline) override;
  absl::StatusOr<Artifact> PutArtifact(const Artifact& artifact, const std::string& content,
                                       absl::Time now, absl::Time deadline) override;
  absl::StatusOr<std::string> BeginUpload(const std::string& task_id, int run_id,
                                          const std::string& name, absl::Time now,
                                          absl::Time deadline) override;
  absl::Status AppendUpload(const std::string& upload_id, int first_index,
                            const std::vector<absl::string_view>& chunks, absl::Time now,
                            absl::Time deadline) override;
  absl::StatusOr<Artifact> FinishUpload(const std::string& upload_id, const Artifact& artifact,
                                        absl::Time now, absl::Time deadline,
                                        const std::function<bool()>& cancelled) override;
  absl::Status AbortUpload(const std::string& upload_id, absl::Time deadline) override;
  absl::StatusOr<int> PurgeUploads(absl::Time idle_since, absl::Time deadline) override;
  absl::StatusOr<Artifact> GetArtifact(const std::string& task_id, int run_id,
                                       const std::string& name, absl::Time deadline) override;
  absl::StatusOr<std::vector<std::string>> ReadArtifactChunks(const std::string& task_id,
                                                              int run_id, const std::string& name,
                                                              int first, int max_chunks,
                                                              absl::Time deadline) override;
  absl::StatusOr<std::vector<Artifact>> ListArtifacts(const std::string& task_id, int run_id,
                                                      const std::string& after_name, int limit,
                                                      absl::Time deadline) override;

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_STORE_POSTGRES_QUEUE_STORE_H_
