#include "services/verifier/server/grpc_chain_source.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/client/call_credentials.h"
#include "libraries/client/dependency.h"
#include "libraries/proto/message_json.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::verifier {
namespace {

constexpr char kHookRolePrefix[] = "assume:hook-id:";

absl::Status Queue(const grpc::Status& s) {
  return DependencyStatus("queue", s, Signer::kOwnCredentials);
}
absl::Status Hooks(const grpc::Status& s) {
  return DependencyStatus("hooks", s, Signer::kOwnCredentials);
}

RunState RunStateOf(queue::v1::TaskState s) {
  switch (s) {
    case queue::v1::TASK_STATE_RUNNING:
      return RunState::kRunning;
    case queue::v1::TASK_STATE_COMPLETED:
      return RunState::kCompleted;
    case queue::v1::TASK_STATE_FAILED:
      return RunState::kFailed;
    case queue::v1::TASK_STATE_EXCEPTION:
      return RunState::kException;
    default:
      return RunState::kPending;
  }
}

const char* FiredByName(hooks::v1::FiredBy f) {
  switch (f) {
    case hooks::v1::FIRED_BY_SCHEDULE:
      return "schedule";
    case hooks::v1::FIRED_BY_TRIGGER_HOOK:
      return "triggerHook";
    case hooks::v1::FIRED_BY_TRIGGER_HOOK_WITH_TOKEN:
      return "triggerHookWithToken";
    default:
      return "";
  }
}

}  // namespace

std::unique_ptr<grpc::ClientContext> GrpcChainSource::Context(absl::Time deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  SetDeadline(*context, deadline);
  context->set_credentials(HawkCallCredentials(credentials_));
  return context;
}

absl::StatusOr<nlohmann::json> GrpcChainSource::GetTaskDefinition(const std::string& task_id,
                                                                  absl::Time deadline) {
  queue::v1::GetTaskRequest request;
  request.set_task_id(task_id);
  queue::v1::TaskDefinition task;
  absl::Status s = Queue(queue_->GetTask(Context(deadline).get(), request, &task));
  if (!s.ok()) return s;
  return MessageToJson(task);
}

absl::StatusOr<TaskStatusInfo> GrpcChainSource::GetTaskStatus(const std::string& task_id,
                                                              absl::Time deadline) {
  queue::v1::GetTaskStatusRequest request;
  request.set_task_id(task_id);
  queue::v1::TaskStatus status;
  absl::Status s = Queue(queue_->GetTaskStatus(Context(deadline).get(), request, &status));
  if (!s.ok()) return s;
  TaskStatusInfo info;
  info.task_queue_id = status.task_queue_id();
  for (const queue::v1::Run& r : status.runs()) {
    RunInfo run;
    run.run_id = r.run_id();
    run.state = RunStateOf(r.state());
    run.worker_group = r.worker_group();
    run.worker_id = r.worker_id();
    if (r.has_resolved()) run.resolved = FromProtoTimestamp(r.resolved());
    info.runs.push_back(std::move(run));
  }
  return info;
}

absl::StatusOr<TaskCreatorInfo> GrpcChainSource::GetTaskCreator(const std::string& task_id,
                                                                absl::Time deadline) {
  queue::v1::GetTaskCreatorRequest request;
  request.set_task_id(task_id);
  queue::v1::TaskCreator creator;
  absl::Status s = Queue(queue_->GetTaskCreator(Context(deadline).get(), request, &creator));
  if (!s.ok()) return s;
  return TaskCreatorInfo{creator.client_id(),
                         {creator.authorized_scopes().begin(), creator.authorized_scopes().end()}};
}

absl::Status GrpcChainSource::StreamArtifact(const std::string& task_id, int run_id,
                                             const std::string& name, absl::Time deadline,
                                             const ChunkSink& sink) {
  queue::v1::DownloadArtifactRequest request;
  request.set_task_id(task_id);
  request.set_run_id(run_id);
  request.set_name(name);
  auto context = Context(deadline);
  auto reader = queue_->DownloadArtifact(context.get(), request);
  queue::v1::DownloadArtifactResponse message;
  absl::Status sunk;
  while (reader->Read(&message)) {
    if (message.part_case() != queue::v1::DownloadArtifactResponse::kChunk) continue;
    sunk = sink(message.chunk());
    if (!sunk.ok()) {
      context->TryCancel();
      break;
    }
  }
  grpc::Status finished = reader->Finish();
  if (!sunk.ok()) return sunk;
  return Queue(finished);
}

absl::StatusOr<HookFire> GrpcChainSource::GetHookFire(const std::string& task_id,
                                                      absl::Time deadline) {
  absl::StatusOr<TaskCreatorInfo> creator = GetTaskCreator(task_id, deadline);
  if (!creator.ok()) return creator.status();
  if (creator->authorized_scopes.size() != 1 ||
      !absl::StartsWith(creator->authorized_scopes[0], kHookRolePrefix)) {
    return absl::NotFoundError(
        absl::StrCat("task ", task_id, " was not created by a hook fire (its creator ",
                     creator->client_id, " did not act as one hook's role)"));
  }
  std::string hook = creator->authorized_scopes[0].substr(sizeof(kHookRolePrefix) - 1);
  size_t slash = hook.find('/');
  if (slash == std::string::npos) {
    return absl::NotFoundError(absl::StrCat("'", hook, "' does not name a hook"));
  }
  hooks::v1::GetFireRequest request;
  request.set_hook_group_id(hook.substr(0, slash));
  request.set_hook_id(hook.substr(slash + 1));
  request.set_task_id(task_id);
  hooks::v1::LastFire fire;
  absl::Status s = Hooks(hooks_->GetFire(Context(deadline).get(), request, &fire));
  if (!s.ok()) return s;
  HookFire out;
  out.hook_group_id = fire.hook_group_id();
  out.hook_id = fire.hook_id();
  out.fired_by = FiredByName(fire.context().fired_by());
  out.payload = fire.context().has_payload() ? JsonFromStruct(fire.context().payload())
                                             : nlohmann::json(nullptr);
  out.client_id = fire.context().client_id();
  out.now = fire.context().now();
  out.task_id = fire.context().task_id();
  out.hook_version_sha256 = fire.hook_version_sha256();
  absl::MutexLock lock(&mu_);
  version_hooks_[out.hook_version_sha256] = {out.hook_group_id, out.hook_id};
  return out;
}

absl::StatusOr<std::string> GrpcChainSource::GetHookVersion(const std::string& sha256_hex,
                                                            absl::Time deadline) {
  hooks::v1::GetHookVersionRequest request;
  {
    absl::MutexLock lock(&mu_);
    auto it = version_hooks_.find(sha256_hex);
    if (it == version_hooks_.end()) {
      return absl::NotFoundError(
          absl::StrCat("hook version ", sha256_hex, " is not named by any fire read so far"));
    }
    request.set_hook_group_id(it->second.first);
    request.set_hook_id(it->second.second);
  }
  request.set_sha256(sha256_hex);
  hooks::v1::HookVersion version;
  absl::Status s = Hooks(hooks_->GetHookVersion(Context(deadline).get(), request, &version));
  if (!s.ok()) return s;
  return version.canonical_definition();
}

}  // namespace bulwark::verifier
