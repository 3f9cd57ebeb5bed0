// File: services/queue/store/in_memory_queue_store.h
//
// InMemoryQueueStore (testonly): QueueStore in memory, for unit tests of the queue service.
// It follows the same lifecycle (lifecycle.h) as PostgresQueueStore; the conformance suite
// checks they agree. Content is kept in chunks, as the PostgreSQL store keeps it.
//
// Thread-safety: one mutex guards everything; safe for concurrent use.

#ifndef BULWARK_SERVICES_QUEUE_STORE_IN_MEMORY_QUEUE_STORE_H_
#define BULWARK_SERVICES_QUEUE_STORE_IN_MEMORY_QUEUE_STORE_H_

#include <map>
#include <set>
#include <tuple>

#include "absl/synchronization/mutex.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

class InMemoryQueueStore final : public QueueStore {
 public:
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
  struct Dependency {
    std::string requires;
    bool satisfied = false;
  };
  struct Upload {
    std::string task_id;
    int run_id = 0;
    std::string name;
    std::vector<std::string> chunks;
    int64_t size = 0;
    absl::Time touched;
  };
  // Pending order: (-priority rank, sequence) → (task, run).
  using PendingKey = std::pair<int, int64_t>;

  void AddPendingRun(Task& task, ReasonCreated reason, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyResolution(Task& task, int run_id, const Resolution& r, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Cascade(const std::string& task_id, RunState state, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemovePending(const std::string& task_id, int run_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, Task> tasks_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> group_schedulers_ ABSL_GUARDED_BY(mu_);
  // required task → dependent task → dependency.
  std::map<std::string, std::map<std::string, Dependency>> dependents_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::map<PendingKey, std::pair<std::string, int>>> pending_
      ABSL_GUARDED_BY(mu_);
  int64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::tuple<std::string, int, std::string>, Artifact> artifacts_ ABSL_GUARDED_BY(mu_);
  // Content by sha256, in chunks of at most kMaxChunkBytes.
  std::map<std::string, std::vector<std::string>> blobs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Upload> uploads_ ABSL_GUARDED_BY(mu_);
  int64_t next_upload_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_STORE_IN_MEMORY_QUEUE_STORE_H_
