// File: services/worker/tests/worker_cluster.h
//
// WorkerCluster (testonly): real auth and queue servers on PostgreSQL (queue_cluster.h) plus real
// worker processes. Each worker gets its own ordinary client, created through auth with exactly
// queue:claim-work:<pool> and queue:worker-id:<group>/<id>, and its own signing key (root's,
// mode 0600); it runs its tasks as `nobody` in a work directory under /tmp (reachable by the task
// user). Workers run as root, so the tests that use them need root (CI runs as root).
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_WORKER_TESTS_WORKER_CLUSTER_H_
#define BULWARK_SERVICES_WORKER_TESTS_WORKER_CLUSTER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libraries/crypto/ed25519.h"
#include "libraries/hawk/credentials.h"
#include "nlohmann/json.hpp"
#include "services/queue/tests/queue_cluster.h"

namespace bulwark::worker {

class WorkerCluster {
 public:
  // `queue_args` go to the queue (e.g. a short --claim-timeout); `extra_sets` are other
  // services' migrations for the same database (hooks, verifier).
  static absl::StatusOr<std::unique_ptr<WorkerCluster>> Start(
      const std::vector<std::string>& queue_args = {},
      const std::vector<const pg::MigrationSet*>& extra_sets = {});
  ~WorkerCluster();

  struct Worker {
    std::string pool;
    std::string worker_id;
    std::string key_file;
    hawk::Credentials credentials;  // its client's
    std::unique_ptr<crypto::Ed25519PublicKey> public_key;
    std::unique_ptr<testing::ServiceProcess> process;  // port() is its health port
  };
  // Starts a worker for `pool` as local/<worker_id>, with `extra_args`.
  absl::StatusOr<Worker*> StartWorker(const std::string& pool, const std::string& worker_id,
                                      const std::vector<std::string>& extra_args = {});
  // The same in two steps, for callers that need the key before the worker runs (a verifier's
  // policy): its client (with `extra_scopes` too) and key, then the process.
  absl::StatusOr<Worker*> PrepareWorker(const std::string& pool, const std::string& worker_id,
                                        const std::vector<std::string>& extra_scopes = {});
  absl::Status LaunchWorker(Worker& worker, const std::vector<std::string>& extra_args = {});

  queue::QueueCluster& queue() { return *queue_; }
  hawk::Credentials Root() const { return queue_->Root(); }

  // Creates a task in `pool` with `payload` (as root); returns its id.
  absl::StatusOr<std::string> CreateTask(const std::string& pool, const nlohmann::json& payload);
  // Polls (bounded) until the task's latest run is resolved; returns its status.
  absl::StatusOr<queue::v1::TaskStatus> WaitResolved(const std::string& task_id,
                                                     absl::Duration timeout);
  absl::StatusOr<queue::v1::TaskStatus> Status(const std::string& task_id);
  // An artifact's content through DownloadArtifact (the latest run unless `run_id` >= 0), with
  // the metadata it came with.
  absl::StatusOr<std::pair<queue::v1::Artifact, std::string>> Download(const std::string& task_id,
                                                                       const std::string& name,
                                                                       int run_id = -1);

  const std::string& work_root() const { return work_root_; }

 private:
  WorkerCluster() = default;
  std::unique_ptr<queue::QueueCluster> queue_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<Worker*, std::string> credentials_files_;
  std::string work_root_;
};

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_TESTS_WORKER_CLUSTER_H_
