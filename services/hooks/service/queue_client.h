// File: services/hooks/service/queue_client.h
//
// QueueClient: how hooks create tasks. GrpcQueueClient calls queue.CreateTask signed with the
// hooks service's own credentials (static/bulwark/hooks, which hold only assume:hook-id:*)
// restricted by authorizedScopes to ["assume:hook-id:<G>/<H>"], so the task gets exactly what
// the hook's role allows and never what the triggering user holds (invariant 4).
//
// Thread-safety: implementations are thread-safe.
// Errors: the queue's status, unchanged (PERMISSION_DENIED, INVALID_ARGUMENT, ...);
// UNAVAILABLE when the queue cannot be reached.

#ifndef BULWARK_SERVICES_HOOKS_SERVICE_QUEUE_CLIENT_H_
#define BULWARK_SERVICES_HOOKS_SERVICE_QUEUE_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/channel.h"
#include "libraries/hawk/credentials.h"

namespace bulwark::hooks {

class QueueClient {
 public:
  virtual ~QueueClient() = default;
  // Creates `task` as `task_id`, acting as role hook-id:<hook_role>.
  virtual absl::Status CreateTask(const std::string& task_id, const queue::v1::TaskDefinition& task,
                                  const std::string& hook_role) = 0;
};

class GrpcQueueClient final : public QueueClient {
 public:
  GrpcQueueClient(std::shared_ptr<grpc::Channel> queue, hawk::Credentials hooks_credentials)
      : stub_(queue::v1::Queue::NewStub(queue)), credentials_(std::move(hooks_credentials)) {}
  absl::Status CreateTask(const std::string& task_id, const queue::v1::TaskDefinition& task,
                          const std::string& hook_role) override;

 private:
  std::unique_ptr<queue::v1::Queue::Stub> stub_;
  const hawk::Credentials credentials_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVICE_QUEUE_CLIENT_H_
