// File: services/hooks/server/grpc_queue_client.h
//
// GrpcQueueClient: the QueueClient (service/queue_client.h) over gRPC, signing each CreateTask
// with the hooks service's own credentials and authorizedScopes ["assume:hook-id:<G>/<H>"].
// The call carries the fire's deadline and is cancelled when the trigger's caller goes away
// (libraries/client/follow_caller.h); its failures are mapped by client/dependency.h.
//
// Thread-safety: thread-safe.

#ifndef BULWARK_SERVICES_HOOKS_SERVER_GRPC_QUEUE_CLIENT_H_
#define BULWARK_SERVICES_HOOKS_SERVER_GRPC_QUEUE_CLIENT_H_

#include <memory>
#include <string>

#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/channel.h"
#include "libraries/hawk/credentials.h"
#include "services/hooks/service/queue_client.h"

namespace bulwark::hooks {

class GrpcQueueClient final : public QueueClient {
 public:
  GrpcQueueClient(std::shared_ptr<grpc::Channel> queue, hawk::Credentials hooks_credentials)
      : stub_(queue::v1::Queue::NewStub(queue)), credentials_(std::move(hooks_credentials)) {}
  absl::Status CreateTask(const std::string& task_id, const queue::v1::TaskDefinition& task,
                          const std::string& hook_role, absl::Time deadline) override;

 private:
  std::unique_ptr<queue::v1::Queue::Stub> stub_;
  const hawk::Credentials credentials_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVER_GRPC_QUEUE_CLIENT_H_
