// File: services/worker/server/grpc_worker_queue.h
//
// GrpcWorkerQueue: the WorkerQueue (service/worker_queue.h) over gRPC. ClaimWork is signed with
// the worker's own credentials; the other calls with the run's task credentials they are given.
// Uploads stream through Queue.UploadArtifact in chunks of at most 1 MiB; downloads through
// Queue.DownloadArtifact (services/queue/client: size and SHA-256 checked as they arrive). Each
// call carries the deadline it is given; failures are mapped by client/dependency.h.
//
// Thread-safety: thread-safe.

#ifndef BULWARK_SERVICES_WORKER_SERVER_GRPC_WORKER_QUEUE_H_
#define BULWARK_SERVICES_WORKER_SERVER_GRPC_WORKER_QUEUE_H_

#include <memory>
#include <string>
#include <vector>

#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/channel.h"
#include "libraries/hawk/credentials.h"
#include "services/worker/service/worker_queue.h"

namespace bulwark::worker {

class GrpcWorkerQueue final : public WorkerQueue {
 public:
  struct Identity {
    std::string task_queue_id;
    std::string worker_group;
    std::string worker_id;
  };
  GrpcWorkerQueue(std::shared_ptr<grpc::Channel> queue, hawk::Credentials worker_credentials,
                  Identity identity)
      : stub_(queue::v1::Queue::NewStub(queue)),
        credentials_(std::move(worker_credentials)),
        identity_(std::move(identity)) {}

  absl::StatusOr<std::vector<Claim>> ClaimWork(int max, absl::Duration wait,
                                               absl::Time deadline) override;
  absl::StatusOr<Claim> Reclaim(const std::string& task_id, int run_id,
                                const TaskCredentials& credentials, absl::Time deadline) override;
  absl::StatusOr<queue::v1::Artifact> UploadArtifact(const UploadHeader& header,
                                                     const ContentReader& content,
                                                     const TaskCredentials& credentials,
                                                     absl::Time deadline) override;
  absl::StatusOr<queue::v1::Artifact> DownloadArtifact(const std::string& task_id,
                                                       const std::string& name,
                                                       const ContentWriter& write,
                                                       const TaskCredentials& credentials,
                                                       absl::Time deadline) override;
  absl::Status Resolve(const std::string& task_id, int run_id, queue::v1::TaskState state,
                       queue::v1::ExceptionReason reason, const TaskCredentials& credentials,
                       absl::Time deadline) override;

 private:
  std::unique_ptr<queue::v1::Queue::Stub> stub_;
  const hawk::Credentials credentials_;
  const Identity identity_;
};

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVER_GRPC_WORKER_QUEUE_H_
