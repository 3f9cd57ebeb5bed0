#include "services/hooks/server/grpc_queue_client.h"

#include "libraries/client/call_credentials.h"
#include "libraries/client/dependency.h"
#include "libraries/client/follow_caller.h"

namespace bulwark::hooks {

absl::Status GrpcQueueClient::CreateTask(const std::string& task_id,
                                         const queue::v1::TaskDefinition& task,
                                         const std::string& hook_role, absl::Time deadline) {
  hawk::Credentials acting = credentials_;
  acting.authorized_scopes = std::vector<std::string>{"assume:hook-id:" + hook_role};
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  context.set_credentials(HawkCallCredentials(acting));
  queue::v1::CreateTaskRequest request;
  request.set_task_id(task_id);
  *request.mutable_task() = task;
  queue::v1::CreateTaskResponse response;
  // Cancelled with the trigger that asked for it (follow_caller.h); the scheduler has no caller.
  grpc::Status status = FollowCaller(context, [&](std::function<void(grpc::Status)> done) {
    stub_->async()->CreateTask(&context, &request, &response, std::move(done));
  });
  return DependencyStatus("queue", status, Signer::kOwnCredentials);
}

}  // namespace bulwark::hooks
