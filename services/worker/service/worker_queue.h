// File: services/worker/service/worker_queue.h
//
// WorkerQueue: what a worker asks of the queue, as an interface (the gRPC implementation is
// server/grpc_worker_queue.h; tests use fakes). ClaimWork is signed with the worker's own
// credentials (queue:claim-work:<pool>, queue:worker-id:<group>/<id>); everything about one run
// (reclaim, artifacts, the resolution) with that run's task credentials, which the claim and each
// reclaim hand out.
//
// Also StringReader, a ContentReader over a string.
//
// Thread-safety: implementations are thread-safe.
// Errors: the queue's status as client/dependency.h passes it on (FAILED_PRECONDITION when the
// run is no longer ours, UNAVAILABLE / DEADLINE_EXCEEDED when the queue cannot be reached, ...).

#ifndef BULWARK_SERVICES_WORKER_SERVICE_WORKER_QUEUE_H_
#define BULWARK_SERVICES_WORKER_SERVICE_WORKER_QUEUE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "services/worker/service/task_environment.h"

namespace bulwark::worker {

// A claimed run (or the state a reclaim renewed).
struct Claim {
  std::string task_id;
  int run_id = 0;
  queue::v1::TaskDefinition task;
  TaskCredentials credentials;
  absl::Time taken_until;
};

struct UploadHeader {
  std::string task_id;
  int run_id = 0;
  std::string name;
  std::string content_type = "application/octet-stream";
  std::optional<absl::Time> expires;
  uint64_t size = 0;
};

// Fills up to `capacity` bytes of `buffer` with the next piece of content; 0 at the end.
using ContentReader = std::function<absl::StatusOr<size_t>(char* buffer, size_t capacity)>;

// A ContentReader over `content`, which must outlive it.
inline ContentReader StringReader(const std::string& content) {
  auto offset = std::make_shared<size_t>(0);
  return [&content, offset](char* buffer, size_t capacity) -> absl::StatusOr<size_t> {
    const size_t n = content.copy(buffer, capacity, *offset);
    *offset += n;
    return n;
  };
}

// Takes the next piece of downloaded content, in order.
using ContentWriter = std::function<absl::Status(absl::string_view chunk)>;

class WorkerQueue {
 public:
  virtual ~WorkerQueue() = default;

  // Up to `max` runs of the worker's pool, waiting up to `wait` for work.
  virtual absl::StatusOr<std::vector<Claim>> ClaimWork(int max, absl::Duration wait,
                                                       absl::Time deadline) = 0;
  // Extends the claim of a running run; the answer carries new credentials and takenUntil.
  virtual absl::StatusOr<Claim> Reclaim(const std::string& task_id, int run_id,
                                        const TaskCredentials& credentials,
                                        absl::Time deadline) = 0;
  // Streams an artifact (chunks of at most 1 MiB); returns the queue's record of it, whose
  // sha256 the queue computed while the content streamed.
  virtual absl::StatusOr<queue::v1::Artifact> UploadArtifact(const UploadHeader& header,
                                                             const ContentReader& content,
                                                             const TaskCredentials& credentials,
                                                             absl::Time deadline) = 0;
  // Streams artifact `name` of the latest run of `task_id` to `write`; fails (DATA_LOSS) unless
  // the content matches the size and SHA-256 the queue sent first. Returns the queue's record.
  virtual absl::StatusOr<queue::v1::Artifact> DownloadArtifact(const std::string& task_id,
                                                               const std::string& name,
                                                               const ContentWriter& write,
                                                               const TaskCredentials& credentials,
                                                               absl::Time deadline) = 0;
  // Resolves the run: completed, failed, or exception with `reason`.
  virtual absl::Status Resolve(const std::string& task_id, int run_id, queue::v1::TaskState state,
                               queue::v1::ExceptionReason reason,
                               const TaskCredentials& credentials, absl::Time deadline) = 0;
};

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_WORKER_QUEUE_H_
