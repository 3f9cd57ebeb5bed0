#include "services/queue/service/test_tasks.h"

#include "absl/strings/str_cat.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::queue {

hawk::Credentials TestIssuer(const std::string& client_id) {
  return hawk::Credentials{client_id, std::string(44, 'q'), "", {}};
}

v1::CreateTaskRequest NewTaskRequest(Random& random, absl::Time now,
                                     absl::Duration deadline_after) {
  v1::CreateTaskRequest r;
  r.set_task_id(NiceSlugid(random));
  v1::TaskDefinition* t = r.mutable_task();
  t->set_task_queue_id("proj/linux");
  *t->mutable_created() = ToProtoTimestamp(now);
  *t->mutable_deadline() = ToProtoTimestamp(now + deadline_after);
  t->mutable_metadata()->set_name("n");
  t->mutable_metadata()->set_description("d");
  t->mutable_metadata()->set_owner("o@example.com");
  t->mutable_metadata()->set_source("https://example.com/repo");
  return r;
}

v1::ClaimWorkRequest ClaimRequest(int tasks) {
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(tasks);
  return claim;
}

v1::UploadArtifactHeader UploadHeader(const std::string& task_id, const std::string& name,
                                      int run_id) {
  v1::UploadArtifactHeader h;
  h.set_task_id(task_id);
  h.set_run_id(run_id);
  h.set_name(name);
  return h;
}

absl::Status CreateAndClaim(QueueService& service, const Caller& creator, const Caller& worker,
                            const v1::CreateTaskRequest& request) {
  absl::StatusOr<v1::CreateTaskResponse> created =
      service.CreateTask(creator, request, absl::InfiniteFuture());
  if (!created.ok()) return created.status();
  absl::StatusOr<v1::ClaimWorkResponse> claimed =
      service.ClaimWork(worker, ClaimRequest(1), nullptr);
  if (!claimed.ok()) return claimed.status();
  if (claimed->tasks_size() != 1 || claimed->tasks(0).task_id() != request.task_id()) {
    return absl::FailedPreconditionError(absl::StrCat("claimed ", claimed->tasks_size(),
                                                      " tasks, not the one task ",
                                                      request.task_id(), " just created"));
  }
  return absl::OkStatus();
}

}  // namespace bulwark::queue
