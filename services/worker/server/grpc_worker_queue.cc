#include "services/worker/server/grpc_worker_queue.h"

#include "absl/strings/str_cat.h"
#include "libraries/client/call_credentials.h"
#include "libraries/client/dependency.h"
#include "libraries/proto/timestamp.h"
#include "services/queue/client/artifact_transfer.h"

namespace bulwark::worker {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

// A run's task credentials as Hawk credentials (temporary: with their certificate).
hawk::Credentials HawkOf(const TaskCredentials& c) {
  hawk::Credentials h;
  h.client_id = c.client_id;
  h.access_token = c.access_token;
  h.certificate = c.certificate;
  return h;
}

std::unique_ptr<grpc::ClientContext> Context(const hawk::Credentials& credentials,
                                             absl::Time deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  SetDeadline(*context, deadline);
  context->set_credentials(HawkCallCredentials(credentials));
  return context;
}

Claim ClaimOf(const queue::v1::TaskClaim& c) {
  Claim claim;
  claim.task_id = c.task_id();
  claim.run_id = c.run_id();
  claim.task = c.task();
  claim.credentials = {c.credentials().client_id(), c.credentials().access_token(),
                       c.credentials().certificate()};
  claim.taken_until = FromProtoTimestamp(c.taken_until());
  return claim;
}

}  // namespace

absl::StatusOr<std::vector<Claim>> GrpcWorkerQueue::ClaimWork(int max, absl::Duration wait,
                                                              absl::Time deadline) {
  queue::v1::ClaimWorkRequest request;
  request.set_task_queue_id(identity_.task_queue_id);
  request.set_worker_group(identity_.worker_group);
  request.set_worker_id(identity_.worker_id);
  request.set_tasks(max);
  request.set_wait_seconds(static_cast<int>(absl::ToInt64Seconds(wait)));
  queue::v1::ClaimWorkResponse response;
  auto context = Context(credentials_, deadline);
  absl::Status s = DependencyStatus("queue", stub_->ClaimWork(context.get(), request, &response),
                                    Signer::kOwnCredentials);
  if (!s.ok()) return s;
  std::vector<Claim> claims;
  for (const queue::v1::TaskClaim& c : response.tasks()) claims.push_back(ClaimOf(c));
  return claims;
}

absl::StatusOr<queue::v1::Artifact> GrpcWorkerQueue::DownloadArtifact(
    const std::string& task_id, const std::string& name, const ContentWriter& write,
    const TaskCredentials& credentials, absl::Time deadline) {
  queue::v1::DownloadArtifactRequest request;
  request.set_task_id(task_id);
  request.set_name(name);
  auto context = Context(HawkOf(credentials), deadline);
  return queue::DownloadArtifactStream(*stub_, *context, request, write);
}

absl::StatusOr<Claim> GrpcWorkerQueue::Reclaim(const std::string& task_id, int run_id,
                                               const TaskCredentials& credentials,
                                               absl::Time deadline) {
  queue::v1::ReclaimTaskRequest request;
  request.set_task_id(task_id);
  request.set_run_id(run_id);
  queue::v1::TaskClaim response;
  auto context = Context(HawkOf(credentials), deadline);
  absl::Status s = DependencyStatus("queue", stub_->ReclaimTask(context.get(), request, &response),
                                    Signer::kOwnCredentials);
  if (!s.ok()) return s;
  return ClaimOf(response);
}

absl::StatusOr<queue::v1::Artifact> GrpcWorkerQueue::UploadArtifact(
    const UploadHeader& header, const ContentReader& content, const TaskCredentials& credentials,
    absl::Time deadline) {
  auto context = Context(HawkOf(credentials), deadline);
  queue::v1::Artifact stored;
  std::unique_ptr<grpc::ClientWriter<queue::v1::UploadArtifactRequest>> writer =
      stub_->UploadArtifact(context.get(), &stored);
  queue::v1::UploadArtifactRequest message;
  queue::v1::UploadArtifactHeader* h = message.mutable_header();
  h->set_task_id(header.task_id);
  h->set_run_id(header.run_id);
  h->set_name(header.name);
  h->set_content_type(header.content_type);
  h->set_size(static_cast<int64_t>(header.size));
  if (header.expires) *h->mutable_expires() = ToProtoTimestamp(*header.expires);
  bool open = writer->Write(message);
  std::string buffer(kChunkBytes, '\0');
  absl::Status read_status;
  while (open) {
    absl::StatusOr<size_t> n = content(buffer.data(), buffer.size());
    if (!n.ok()) {
      read_status = n.status();
      context->TryCancel();  // the queue keeps nothing of an unfinished upload
      break;
    }
    if (*n == 0) break;
    message.set_chunk(buffer.data(), *n);
    open = writer->Write(message);
  }
  if (read_status.ok()) writer->WritesDone();
  grpc::Status finished = writer->Finish();
  if (!read_status.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("reading ", header.name, " failed: ", read_status.message()));
  }
  absl::Status s = DependencyStatus("queue", finished, Signer::kOwnCredentials);
  if (!s.ok()) return s;
  return stored;
}

absl::Status GrpcWorkerQueue::Resolve(const std::string& task_id, int run_id,
                                      queue::v1::TaskState state, queue::v1::ExceptionReason reason,
                                      const TaskCredentials& credentials, absl::Time deadline) {
  auto context = Context(HawkOf(credentials), deadline);
  queue::v1::TaskStatus response;
  grpc::Status status;
  if (state == queue::v1::TASK_STATE_COMPLETED) {
    queue::v1::ReportCompletedRequest request;
    request.set_task_id(task_id);
    request.set_run_id(run_id);
    status = stub_->ReportCompleted(context.get(), request, &response);
  } else if (state == queue::v1::TASK_STATE_FAILED) {
    queue::v1::ReportFailedRequest request;
    request.set_task_id(task_id);
    request.set_run_id(run_id);
    status = stub_->ReportFailed(context.get(), request, &response);
  } else {
    queue::v1::ReportExceptionRequest request;
    request.set_task_id(task_id);
    request.set_run_id(run_id);
    request.set_reason(reason);
    status = stub_->ReportException(context.get(), request, &response);
  }
  return DependencyStatus("queue", status, Signer::kOwnCredentials);
}

}  // namespace bulwark::worker
