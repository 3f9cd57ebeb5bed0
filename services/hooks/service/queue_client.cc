#include "services/hooks/service/queue_client.h"

#include "absl/time/clock.h"
#include "libraries/client/call_credentials.h"
#include "libraries/grpc_server/status.h"

namespace bulwark::hooks {

absl::Status GrpcQueueClient::CreateTask(const std::string& task_id,
                                         const queue::v1::TaskDefinition& task,
                                         const std::string& hook_role) {
  hawk::Credentials acting = credentials_;
  acting.authorized_scopes = std::vector<std::string>{"assume:hook-id:" + hook_role};
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  context.set_credentials(HawkCallCredentials(acting));
  queue::v1::CreateTaskRequest request;
  request.set_task_id(task_id);
  *request.mutable_task() = task;
  queue::v1::CreateTaskResponse response;
  return FromGrpcStatus(stub_->CreateTask(&context, request, &response));
}

}  // namespace bulwark::hooks
