#include "services/queue/service/queue_service.h"

#include <regex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/encoding.h"
#include "libraries/hawk/certificate.h"
#include "libraries/proto/timestamp.h"
#include "libraries/status/status_macros.h"
#include "libraries/taskdef/task_definition.h"

namespace bulwark::queue {
namespace {

using scopes::Expression;
using taskdef::CheckTaskTimes;
using taskdef::CreateTaskScopes;
using taskdef::NormalizeTask;
using taskdef::SameDefinition;

constexpr int kMaxPage = 1000;
// A claim transaction never runs longer than this, however long the call may wait for work.
constexpr absl::Duration kMaxClaimTransaction = absl::Seconds(10);

v1::TaskState StateEnum(std::optional<RunState> state) {
  return state ? ToProto(*state) : v1::TASK_STATE_UNSCHEDULED;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  if (t != absl::InfinitePast()) *out = ToProtoTimestamp(t);
}

absl::Status CheckTaskId(const std::string& task_id) {
  if (!IsSlugid(task_id)) {
    return absl::InvalidArgumentError(absl::StrCat("task_id '", task_id, "' is not a slugid"));
  }
  return absl::OkStatus();
}

absl::Status CheckWorkerPart(const std::string& value, const char* field) {
  static const std::regex* const pattern = new std::regex("[a-zA-Z0-9_-]{1,38}");
  if (!std::regex_match(value, *pattern)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be 1 to 38 of [a-zA-Z0-9_-]"));
  }
  return absl::OkStatus();
}

absl::Status CheckArtifactName(const std::string& name) {
  if (name.empty() || name.size() > 1024 || name[0] == '/') {
    return absl::InvalidArgumentError(
        "artifact name must be 1 to 1024 characters and must not start with '/'");
  }
  for (char c : name) {
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError("artifact name must be printable ASCII");
    }
  }
  return absl::OkStatus();
}

v1::Artifact ArtifactProto(const Artifact& a) {
  v1::Artifact out;
  out.set_task_id(a.task_id);
  out.set_run_id(a.run_id);
  out.set_name(a.name);
  out.set_content_type(a.content_type);
  out.set_size(a.size);
  out.set_sha256(a.sha256);
  *out.mutable_expires() = ToProtoTimestamp(a.expires);
  *out.mutable_created() = ToProtoTimestamp(a.created);
  return out;
}

// What a worker may report, and whether it is retried.
absl::StatusOr<Resolution> ExceptionResolution(v1::ExceptionReason reason) {
  switch (reason) {
    case v1::EXCEPTION_REASON_WORKER_SHUTDOWN:
      return Resolution{RunState::kException, ReasonResolved::kWorkerShutdown, true,
                        ReasonCreated::kRetry};
    case v1::EXCEPTION_REASON_INTERMITTENT_TASK:
      return Resolution{RunState::kException, ReasonResolved::kIntermittentTask, true,
                        ReasonCreated::kTaskRetry};
    case v1::EXCEPTION_REASON_MALFORMED_PAYLOAD:
    case v1::EXCEPTION_REASON_RESOURCE_UNAVAILABLE:
    case v1::EXCEPTION_REASON_INTERNAL_ERROR:
      return Resolution{RunState::kException, *ReasonResolvedOf(reason), false};
    default:
      return absl::InvalidArgumentError(
          "reason must be worker-shutdown, malformed-payload, resource-unavailable, "
          "internal-error or intermittent-task");
  }
}

}  // namespace

v1::TaskStatus StatusOf(const Task& task) {
  const v1::TaskDefinition& d = task.definition;
  v1::TaskStatus s;
  s.set_task_id(task.task_id);
  s.set_provisioner_id(d.provisioner_id());
  s.set_worker_type(d.worker_type());
  s.set_task_queue_id(d.task_queue_id());
  s.set_scheduler_id(d.scheduler_id());
  s.set_project_id(d.project_id());
  s.set_task_group_id(d.task_group_id());
  *s.mutable_deadline() = d.deadline();
  *s.mutable_expires() = d.expires();
  s.set_retries_left(task.retries_left);
  s.set_state(StateEnum(task.state()));
  for (const Run& r : task.runs) {
    v1::Run* run = s.add_runs();
    run->set_run_id(r.run_id);
    run->set_state(StateEnum(r.state));
    run->set_reason_created(std::string(Name(r.reason_created)));
    run->set_reason_resolved(std::string(Name(r.reason_resolved)));
    run->set_worker_group(r.worker_group);
    run->set_worker_id(r.worker_id);
    SetTime(r.taken_until, run->mutable_taken_until());
    SetTime(r.scheduled, run->mutable_scheduled());
    SetTime(r.started, run->mutable_started());
    SetTime(r.resolved, run->mutable_resolved());
  }
  return s;
}

void QueueService::WakeClaimers() {
  absl::MutexLock lock(&wake_mu_);
  ++work_generation_;
}

absl::StatusOr<v1::CreateTaskResponse> QueueService::CreateTask(
    const Caller& caller, const v1::CreateTaskRequest& request, absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(v1::TaskDefinition task,
                           NormalizeTask(request.task_id(), request.task()));
  // Authorization comes before time checks, as in Taskcluster: an unauthorized caller learns
  // nothing about the task's validity beyond its shape.
  BULWARK_RETURN_IF_ERROR(Authorize(caller, CreateTaskScopes(task), "CreateTask"));
  absl::Time now = clock_.Now();
  BULWARK_RETURN_IF_ERROR(CheckTaskTimes(task, now, options_.max_task_deadline));
  Task record;
  record.task_id = request.task_id();
  record.definition = task;
  record.creator_client_id = caller.client_id;
  record.creator_authorized_scopes = caller.authorized_scopes;
  BULWARK_ASSIGN_OR_RETURN(CreateResult result, store_.CreateTask(record, now, deadline));
  if (!result.created && !SameDefinition(result.task.definition, task)) {
    return absl::AlreadyExistsError(
        absl::StrCat("taskId ", request.task_id(),
                     " is already used by a different task; use a new taskId (identical re-creates "
                     "succeed)"));
  }
  if (result.created) WakeClaimers();
  v1::CreateTaskResponse response;
  *response.mutable_status() = StatusOf(result.task);
  return response;
}

absl::StatusOr<v1::TaskDefinition> QueueService::GetTask(const Caller& caller,
                                                         const std::string& task_id,
                                                         absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(task_id));
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("queue:get-task:" + task_id), "GetTask"));
  BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(task_id, deadline));
  return task.definition;
}

absl::StatusOr<v1::TaskStatus> QueueService::GetTaskStatus(const Caller& caller,
                                                           const std::string& task_id,
                                                           absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(task_id));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("queue:status:" + task_id), "GetTaskStatus"));
  BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(task_id, deadline));
  return StatusOf(task);
}

absl::StatusOr<v1::ListTaskGroupResponse> QueueService::ListTaskGroup(
    const Caller& caller, const v1::ListTaskGroupRequest& request, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_group_id()));
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller, Expression("queue:list-task-group:" + request.task_group_id()), "ListTaskGroup"));
  if (request.limit() < 0 || request.limit() > kMaxPage) {
    return absl::InvalidArgumentError("limit must be between 0 and 1000");
  }
  int limit = request.limit() == 0 ? kMaxPage : request.limit();
  std::string after;
  if (!request.continuation_token().empty() &&
      (!absl::WebSafeBase64Unescape(request.continuation_token(), &after) || !IsSlugid(after))) {
    return absl::InvalidArgumentError("continuation_token is not one this service issued");
  }
  BULWARK_ASSIGN_OR_RETURN(
      std::vector<Task> tasks,
      store_.ListTaskGroup(request.task_group_id(), after, limit + 1, deadline));
  v1::ListTaskGroupResponse response;
  response.set_task_group_id(request.task_group_id());
  for (size_t i = 0; i < tasks.size() && static_cast<int>(i) < limit; ++i) {
    v1::TaskGroupMember* member = response.add_tasks();
    *member->mutable_status() = StatusOf(tasks[i]);
    *member->mutable_task() = tasks[i].definition;
  }
  if (static_cast<int>(tasks.size()) > limit) {
    response.set_continuation_token(absl::WebSafeBase64Escape(tasks[limit - 1].task_id));
  }
  return response;
}

absl::StatusOr<v1::TaskCreator> QueueService::GetTaskCreator(const Caller& caller,
                                                             const std::string& task_id,
                                                             absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(task_id));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("queue:get-task:" + task_id), "GetTaskCreator"));
  BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(task_id, deadline));
  v1::TaskCreator creator;
  creator.set_task_id(task_id);
  creator.set_client_id(task.creator_client_id);
  for (const std::string& s : task.creator_authorized_scopes) creator.add_authorized_scopes(s);
  *creator.mutable_created() = ToProtoTimestamp(task.created_at);
  return creator;
}

absl::StatusOr<v1::TaskClaim> QueueService::ClaimOf(const Task& task, int run_id) {
  const Run& run = task.runs[run_id];
  v1::TaskClaim claim;
  *claim.mutable_status() = StatusOf(task);
  claim.set_task_id(task.task_id);
  claim.set_run_id(run_id);
  claim.set_worker_group(run.worker_group);
  claim.set_worker_id(run.worker_id);
  *claim.mutable_taken_until() = ToProtoTimestamp(run.taken_until);
  *claim.mutable_task() = task.definition;
  // The run's credentials: task.scopes plus what the worker needs for this run.
  std::string run_ref = absl::StrCat(task.task_id, "/", run_id);
  hawk::TemporaryCredentialsOptions options;
  options.start = clock_.Now() - absl::Minutes(1);
  options.expiry = run.taken_until;
  options.scopes.assign(task.definition.scopes().begin(), task.definition.scopes().end());
  options.scopes.push_back("queue:reclaim-task:" + run_ref);
  options.scopes.push_back("queue:resolve-task:" + run_ref);
  options.scopes.push_back("queue:create-artifact:" + run_ref);
  options.name = absl::StrCat("task-client/", run_ref, "/on/", run.worker_group, "/", run.worker_id,
                              "/until/", absl::ToUnixSeconds(run.taken_until));
  BULWARK_ASSIGN_OR_RETURN(hawk::Credentials creds,
                           hawk::CreateTemporaryCredentials(issuer_, options, random_));
  claim.mutable_credentials()->set_client_id(creds.client_id);
  claim.mutable_credentials()->set_access_token(creds.access_token);
  claim.mutable_credentials()->set_certificate(creds.certificate);
  return claim;
}

absl::StatusOr<v1::ClaimWorkResponse> QueueService::ClaimWork(
    const Caller& caller, const v1::ClaimWorkRequest& request,
    const std::function<bool()>& cancelled, absl::Time deadline) {
  const std::string& queue = request.task_queue_id();
  static const std::regex* const queue_pattern =
      new std::regex("[a-zA-Z0-9_-]{1,38}/[a-z]([-a-z0-9]{0,36}[a-z0-9])?");
  if (!std::regex_match(queue, *queue_pattern)) {
    return absl::InvalidArgumentError(
        "task_queue_id must look like <provisionerId>/<workerType> (e.g. proj-ci/linux)");
  }
  BULWARK_RETURN_IF_ERROR(CheckWorkerPart(request.worker_group(), "worker_group"));
  BULWARK_RETURN_IF_ERROR(CheckWorkerPart(request.worker_id(), "worker_id"));
  if (request.tasks() < 1 || request.tasks() > 32) {
    return absl::InvalidArgumentError("tasks must be between 1 and 32");
  }
  if (request.wait_seconds() < 0 ||
      absl::Seconds(request.wait_seconds()) > options_.max_claim_wait) {
    return absl::InvalidArgumentError(absl::StrCat("wait_seconds must be between 0 and ",
                                                   absl::ToInt64Seconds(options_.max_claim_wait)));
  }
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller,
      Expression::AllOf(
          {"queue:claim-work:" + queue,
           absl::StrCat("queue:worker-id:", request.worker_group(), "/", request.worker_id())}),
      "ClaimWork"));
  // The wait is real time (a transport matter), whatever clock the task logic runs on. It
  // leaves a second of the call's deadline to deliver the answer.
  absl::Time give_up =
      std::min(absl::Now() + absl::Seconds(request.wait_seconds()), deadline - absl::Seconds(1));
  v1::ClaimWorkResponse response;
  while (true) {
    uint64_t generation;
    {
      absl::MutexLock lock(&wake_mu_);
      generation = work_generation_;
    }
    if (cancelled && cancelled()) break;  // nobody to hand work to
    absl::Time now = clock_.Now();
    BULWARK_ASSIGN_OR_RETURN(std::vector<ClaimedRun> claimed,
                             store_.Claim(queue, request.worker_group(), request.worker_id(),
                                          request.tasks(), now, now + options_.claim_timeout,
                                          std::min(deadline, absl::Now() + kMaxClaimTransaction)));
    for (const ClaimedRun& c : claimed) {
      BULWARK_ASSIGN_OR_RETURN(*response.add_tasks(), ClaimOf(c.task, c.run_id));
    }
    if (!claimed.empty() || absl::Now() >= give_up) break;
    // Wait for work created here, or poll again shortly for work created elsewhere.
    absl::MutexLock lock(&wake_mu_);
    auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_) {
      return work_generation_ != generation;
    };
    ++waiting_claims_;
    wake_mu_.AwaitWithTimeout(absl::Condition(&woken),
                              std::min(options_.claim_poll_interval, give_up - absl::Now()));
    --waiting_claims_;
  }
  return response;
}

absl::StatusOr<v1::TaskClaim> QueueService::ReclaimTask(const Caller& caller,
                                                        const v1::ReclaimTaskRequest& request,
                                                        absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_id()));
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller,
      Expression(absl::StrCat("queue:reclaim-task:", request.task_id(), "/", request.run_id())),
      "ReclaimTask"));
  absl::Time now = clock_.Now();
  BULWARK_ASSIGN_OR_RETURN(Task task, store_.Reclaim(request.task_id(), request.run_id(), now,
                                                     now + options_.claim_timeout, deadline));
  return ClaimOf(task, request.run_id());
}

absl::StatusOr<v1::TaskStatus> QueueService::Report(const Caller& caller,
                                                    const std::string& task_id, int run_id,
                                                    RunState state, v1::ExceptionReason reason,
                                                    absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(task_id));
  const char* method = state == RunState::kCompleted ? "ReportCompleted"
                       : state == RunState::kFailed  ? "ReportFailed"
                                                     : "ReportException";
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller, Expression(absl::StrCat("queue:resolve-task:", task_id, "/", run_id)), method));
  Resolution resolution{
      state, state == RunState::kCompleted ? ReasonResolved::kCompleted : ReasonResolved::kFailed};
  if (state == RunState::kException) {
    BULWARK_ASSIGN_OR_RETURN(resolution, ExceptionResolution(reason));
  }
  BULWARK_ASSIGN_OR_RETURN(Task task,
                           store_.Resolve(task_id, run_id, resolution, clock_.Now(), deadline));
  WakeClaimers();  // a retry, or dependents made ready
  return StatusOf(task);
}

absl::StatusOr<v1::Artifact> QueueService::CreateArtifact(const Caller& caller,
                                                          const v1::CreateArtifactRequest& request,
                                                          absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_id()));
  BULWARK_RETURN_IF_ERROR(CheckArtifactName(request.name()));
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller,
      Expression(absl::StrCat("queue:create-artifact:", request.task_id(), "/", request.run_id())),
      "CreateArtifact"));
  if (static_cast<int64_t>(request.content().size()) > options_.max_artifact_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("artifact is ", request.content().size(),
                                                   " bytes; at most ", options_.max_artifact_bytes,
                                                   " are accepted"));
  }
  std::string content_type =
      request.content_type().empty() ? "application/octet-stream" : request.content_type();
  if (content_type.size() > 255) return absl::InvalidArgumentError("content_type is too long");
  BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(request.task_id(), deadline));
  absl::Time task_expires = FromProtoTimestamp(task.definition.expires());
  if (request.has_expires()) BULWARK_RETURN_IF_ERROR(CheckTimestamp(request.expires(), "expires"));
  absl::Time expires = request.has_expires() ? FromProtoTimestamp(request.expires()) : task_expires;
  absl::Time now = clock_.Now();
  if (expires > task_expires) {
    return absl::InvalidArgumentError("expires cannot be after the task's expiry");
  }
  if (expires < now - absl::Minutes(15)) {
    return absl::InvalidArgumentError("expires cannot be in the past");
  }
  Artifact artifact;
  artifact.task_id = request.task_id();
  artifact.run_id = request.run_id();
  artifact.name = request.name();
  artifact.content_type = content_type;
  artifact.size = static_cast<int64_t>(request.content().size());
  artifact.sha256 = absl::BytesToHexString(crypto::Sha256(request.content()));
  artifact.expires = expires;
  BULWARK_ASSIGN_OR_RETURN(Artifact stored,
                           store_.PutArtifact(artifact, request.content(), now, deadline));
  return ArtifactProto(stored);
}

absl::StatusOr<v1::GetArtifactResponse> QueueService::GetArtifact(const Caller& caller,
                                                                  const std::string& task_id,
                                                                  std::optional<int> run_id,
                                                                  const std::string& name,
                                                                  absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(task_id));
  BULWARK_RETURN_IF_ERROR(CheckArtifactName(name));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("queue:get-artifact:" + name), "GetArtifact"));
  if (!run_id) {
    BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(task_id, deadline));
    if (task.runs.empty()) {
      return absl::NotFoundError(absl::StrCat("task ", task_id, " has no runs yet"));
    }
    run_id = static_cast<int>(task.runs.size()) - 1;
  }
  BULWARK_ASSIGN_OR_RETURN(auto found, store_.GetArtifact(task_id, *run_id, name, deadline));
  v1::GetArtifactResponse response;
  *response.mutable_artifact() = ArtifactProto(found.first);
  response.set_content(std::move(found.second));
  return response;
}

absl::StatusOr<v1::ListArtifactsResponse> QueueService::ListArtifacts(
    const Caller& caller, const v1::ListArtifactsRequest& request, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_id()));
  if (request.limit() < 0 || request.limit() > kMaxPage) {
    return absl::InvalidArgumentError("limit must be between 0 and 1000");
  }
  // Scopes first, so that nothing about the task is revealed to a caller without them: a
  // given run needs queue:list-artifacts:<taskId>:<runId>, the latest run
  // queue:list-artifacts:<taskId> (Taskcluster's listLatestArtifacts).
  std::optional<int> run_id;  // nullopt: the latest run
  if (request.run_id() >= 0) run_id = request.run_id();
  std::string scope = run_id
                          ? absl::StrCat("queue:list-artifacts:", request.task_id(), ":", *run_id)
                          : absl::StrCat("queue:list-artifacts:", request.task_id());
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression(scope), "ListArtifacts"));
  if (!run_id) {
    BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(request.task_id(), deadline));
    run_id = task.runs.empty() ? 0 : static_cast<int>(task.runs.size()) - 1;
  }
  std::string after;
  if (!request.continuation_token().empty() &&
      !absl::WebSafeBase64Unescape(request.continuation_token(), &after)) {
    return absl::InvalidArgumentError("continuation_token is not one this service issued");
  }
  int limit = request.limit() == 0 ? kMaxPage : request.limit();
  BULWARK_ASSIGN_OR_RETURN(
      std::vector<Artifact> artifacts,
      store_.ListArtifacts(request.task_id(), *run_id, after, limit + 1, deadline));
  v1::ListArtifactsResponse response;
  for (size_t i = 0; i < artifacts.size() && static_cast<int>(i) < limit; ++i) {
    *response.add_artifacts() = ArtifactProto(artifacts[i]);
  }
  if (static_cast<int>(artifacts.size()) > limit) {
    response.set_continuation_token(absl::WebSafeBase64Escape(artifacts[limit - 1].name));
  }
  return response;
}

absl::StatusOr<int> QueueService::Sweep(absl::Time deadline) {
  absl::Time now = clock_.Now();
  BULWARK_ASSIGN_OR_RETURN(int claims, store_.ExpireClaims(now, deadline));
  BULWARK_ASSIGN_OR_RETURN(int deadlines, store_.ExpireDeadlines(now, deadline));
  if (claims + deadlines > 0) WakeClaimers();
  return claims + deadlines;
}

bool QueueService::AwaitWaitingClaims(int n, absl::Duration timeout) const {
  absl::MutexLock lock(&wake_mu_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_) { return waiting_claims_ >= n; };
  return wake_mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

}  // namespace bulwark::queue
