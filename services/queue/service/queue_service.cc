#include "services/queue/service/queue_service.h"

#include <regex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/hawk/certificate.h"
#include "libraries/proto/timestamp.h"
#include "libraries/status/status_macros.h"
#include "libraries/taskdef/task_definition.h"
#include "services/queue/store/lifecycle.h"

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

// A streaming call's store transaction: the call's deadline, but never long.
absl::Time TransactionDeadline(absl::Time call_deadline) {
  return std::min(call_deadline, absl::Now() + QueueService::kMaxTransaction);
}

// How long the clean-up after a failed upload may take.
constexpr absl::Duration kCleanupTime = absl::Seconds(5);

bool IsHexSha256(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status TooLarge(const std::string& name, int64_t limit, const std::string& detail) {
  return absl::ResourceExhaustedError(absl::StrCat("artifact ", name,
                                                   " is over the queue's limit of ", limit,
                                                   " bytes (", detail, "); nothing was stored"));
}

absl::Status StreamBroke() {
  return absl::CancelledError("the call broke before the transfer ended; nothing was stored");
}

absl::Status StoredContentDamaged(const Artifact& a) {
  return absl::DataLossError(absl::StrCat(
      "the stored content of artifact ", a.name, " of run ", a.run_id, " of task ", a.task_id,
      " does not match its recorded size and SHA-256; do not use what was received"));
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
  // A long poll takes one of max_waiting_claims slots; without one, the call looks once.
  bool long_poll = false;
  bool refused_wait = false;
  if (request.wait_seconds() > 0) {
    absl::MutexLock lock(&wake_mu_);
    if (long_polls_ < options_.max_waiting_claims) {
      ++long_polls_;
      long_poll = true;
    } else {
      refused_wait = true;
      give_up = absl::InfinitePast();
    }
  }
  struct SlotRelease {
    QueueService* self;
    bool held;
    ~SlotRelease() {
      if (!held) return;
      absl::MutexLock lock(&self->wake_mu_);
      --self->long_polls_;
    }
  } release{this, long_poll};
  v1::ClaimWorkResponse response;
  while (true) {
    uint64_t generation;
    {
      absl::MutexLock lock(&wake_mu_);
      generation = work_generation_;
    }
    if (cancelled && cancelled()) break;  // nobody to hand work to
    absl::Time now = clock_.Now();
    BULWARK_ASSIGN_OR_RETURN(
        std::vector<ClaimedRun> claimed,
        store_.Claim(queue, request.worker_group(), request.worker_id(), request.tasks(), now,
                     now + options_.claim_timeout,
                     std::min(deadline, absl::Now() + kMaxClaimTransaction), cancelled));
    for (const ClaimedRun& c : claimed) {
      BULWARK_ASSIGN_OR_RETURN(*response.add_tasks(), ClaimOf(c.task, c.run_id));
    }
    if (!claimed.empty() || absl::Now() >= give_up) break;
    // Wait for work created here, or poll again shortly for work created elsewhere.
    absl::MutexLock lock(&wake_mu_);
    if (shutting_down_) break;  // answer now: the server drains after its lame-duck period
    auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_) {
      return work_generation_ != generation || shutting_down_;
    };
    ++waiting_claims_;
    wake_mu_.AwaitWithTimeout(absl::Condition(&woken),
                              std::min(options_.claim_poll_interval, give_up - absl::Now()));
    --waiting_claims_;
    if (shutting_down_) break;
  }
  if (refused_wait && response.tasks().empty()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        options_.max_waiting_claims,
        " ClaimWork calls are already waiting for work on this queue replica; there is no "
        "work now: retry in a few seconds"));
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

absl::StatusOr<Artifact> QueueService::NewArtifact(const std::string& task_id, int run_id,
                                                   const std::string& name,
                                                   const std::string& content_type,
                                                   const google::protobuf::Timestamp* expires_at,
                                                   absl::Time deadline) {
  Artifact artifact;
  artifact.task_id = task_id;
  artifact.run_id = run_id;
  artifact.name = name;
  artifact.content_type = content_type.empty() ? "application/octet-stream" : content_type;
  if (artifact.content_type.size() > 255) {
    return absl::InvalidArgumentError("content_type is too long");
  }
  BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(task_id, deadline));
  absl::Time task_expires = FromProtoTimestamp(task.definition.expires());
  if (expires_at != nullptr) BULWARK_RETURN_IF_ERROR(CheckTimestamp(*expires_at, "expires"));
  artifact.expires = expires_at != nullptr ? FromProtoTimestamp(*expires_at) : task_expires;
  if (artifact.expires > task_expires) {
    return absl::InvalidArgumentError("expires cannot be after the task's expiry");
  }
  if (artifact.expires < clock_.Now() - absl::Minutes(15)) {
    return absl::InvalidArgumentError("expires cannot be in the past");
  }
  return artifact;
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
  BULWARK_ASSIGN_OR_RETURN(
      Artifact artifact,
      NewArtifact(request.task_id(), request.run_id(), request.name(), request.content_type(),
                  request.has_expires() ? &request.expires() : nullptr, deadline));
  artifact.size = static_cast<int64_t>(request.content().size());
  artifact.sha256 = absl::BytesToHexString(crypto::Sha256(request.content()));
  BULWARK_ASSIGN_OR_RETURN(Artifact stored,
                           store_.PutArtifact(artifact, request.content(), clock_.Now(), deadline));
  return ArtifactProto(stored);
}

absl::StatusOr<int> QueueService::ArtifactRun(const std::string& task_id, std::optional<int> run_id,
                                              absl::Time deadline) {
  if (run_id) {
    if (*run_id < 0) return absl::InvalidArgumentError("run_id must not be negative");
    return *run_id;
  }
  BULWARK_ASSIGN_OR_RETURN(Task task, store_.GetTask(task_id, deadline));
  if (task.runs.empty()) {
    return absl::NotFoundError(absl::StrCat("task ", task_id, " has no runs yet"));
  }
  return static_cast<int>(task.runs.size()) - 1;
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
  BULWARK_ASSIGN_OR_RETURN(int run, ArtifactRun(task_id, run_id, deadline));
  BULWARK_ASSIGN_OR_RETURN(Artifact artifact, store_.GetArtifact(task_id, run, name, deadline));
  if (artifact.size > options_.max_unary_artifact_bytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "artifact ", name, " is ", artifact.size, " bytes; GetArtifact returns at most ",
        options_.max_unary_artifact_bytes, ": use DownloadArtifact, which streams"));
  }
  v1::GetArtifactResponse response;
  std::string* content = response.mutable_content();
  content->reserve(artifact.size);
  for (int first = 0;;) {
    BULWARK_ASSIGN_OR_RETURN(
        std::vector<std::string> chunks,
        store_.ReadArtifactChunks(task_id, run, name, first, kChunksPerRead, deadline));
    for (const std::string& chunk : chunks) content->append(chunk);
    if (static_cast<int>(chunks.size()) < kChunksPerRead) break;
    first += kChunksPerRead;
  }
  if (static_cast<int64_t>(content->size()) != artifact.size ||
      absl::BytesToHexString(crypto::Sha256(*content)) != artifact.sha256) {
    return StoredContentDamaged(artifact);
  }
  *response.mutable_artifact() = ArtifactProto(artifact);
  return response;
}

absl::StatusOr<v1::Artifact> QueueService::UploadArtifact(const Caller& caller,
                                                          UploadStream& stream,
                                                          absl::Time deadline) {
  v1::UploadArtifactRequest first;
  if (!stream.Read(&first)) {
    if (stream.Broken()) return StreamBroke();
    return absl::InvalidArgumentError(
        "UploadArtifact received nothing: send the header first, then the chunks");
  }
  if (!first.has_header()) {
    return absl::InvalidArgumentError(
        "the first message of UploadArtifact must be the header (task_id, run_id, name, ...), "
        "and only then the chunks");
  }
  const v1::UploadArtifactHeader& header = first.header();
  BULWARK_RETURN_IF_ERROR(CheckTaskId(header.task_id()));
  BULWARK_RETURN_IF_ERROR(CheckArtifactName(header.name()));
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller,
      Expression(absl::StrCat("queue:create-artifact:", header.task_id(), "/", header.run_id())),
      "UploadArtifact"));
  if (!header.sha256().empty() && !IsHexSha256(header.sha256())) {
    return absl::InvalidArgumentError(
        "header.sha256 must be 64 lowercase hexadecimal digits (or empty: not declared)");
  }
  if (header.size() < 0) {
    return absl::InvalidArgumentError("header.size must not be negative (0: not declared)");
  }
  if (header.size() > options_.max_artifact_bytes) {
    return TooLarge(header.name(), options_.max_artifact_bytes,
                    absl::StrCat("declares ", header.size(), " bytes"));
  }
  BULWARK_ASSIGN_OR_RETURN(
      Artifact artifact,
      NewArtifact(header.task_id(), header.run_id(), header.name(), header.content_type(),
                  header.has_expires() ? &header.expires() : nullptr,
                  TransactionDeadline(deadline)));
  BULWARK_ASSIGN_OR_RETURN(std::string upload_id,
                           store_.BeginUpload(header.task_id(), header.run_id(), header.name(),
                                              clock_.Now(), TransactionDeadline(deadline)));
  absl::StatusOr<Artifact> stored = ReceiveUpload(header, artifact, upload_id, stream, deadline);
  if (!stored.ok()) {
    // Best effort, bounded on its own (the call's deadline may be what ended it) and done also
    // when the caller has gone (that is often why); whatever is left, PurgeIdleUploads removes.
    CallScope cleanup = CallScope::Detached();
    (void)store_.AbortUpload(upload_id, absl::Now() + kCleanupTime);
    return stored.status();
  }
  return ArtifactProto(*stored);
}

absl::StatusOr<Artifact> QueueService::ReceiveUpload(const v1::UploadArtifactHeader& header,
                                                     Artifact artifact,
                                                     const std::string& upload_id,
                                                     UploadStream& stream, absl::Time deadline) {
  crypto::Sha256Stream hash;
  // Content not yet staged: less than kChunksPerAppend full chunks.
  const size_t batch = static_cast<size_t>(kChunksPerAppend * kMaxChunkBytes);
  std::string pending;
  pending.reserve(batch);
  int index = 0;
  int64_t received = 0;
  auto stage = [&]() -> absl::Status {
    std::vector<absl::string_view> chunks = ChunksOf(pending);
    absl::Status s =
        store_.AppendUpload(upload_id, index, chunks, clock_.Now(), TransactionDeadline(deadline));
    index += static_cast<int>(chunks.size());
    pending.clear();
    if (s.code() == absl::StatusCode::kNotFound) {
      return absl::AbortedError(absl::StrCat(
          "the upload of ", artifact.name, " was discarded after receiving nothing for ",
          absl::FormatDuration(options_.upload_idle_timeout), "; upload the artifact again"));
    }
    return s;
  };
  v1::UploadArtifactRequest message;
  while (stream.Read(&message)) {
    if (message.has_header()) {
      return absl::InvalidArgumentError(
          "UploadArtifact takes one header, in the first message; later messages are chunks");
    }
    const std::string& chunk = message.chunk();
    if (static_cast<int64_t>(chunk.size()) > kMaxChunkBytes) {
      return absl::InvalidArgumentError(absl::StrCat("a chunk may hold at most ", kMaxChunkBytes,
                                                     " bytes; this one has ", chunk.size()));
    }
    received += static_cast<int64_t>(chunk.size());
    if (received > options_.max_artifact_bytes) {
      return TooLarge(artifact.name, options_.max_artifact_bytes,
                      absl::StrCat("received ", received, " bytes so far"));
    }
    if (header.size() > 0 && received > header.size()) {
      return absl::InvalidArgumentError(absl::StrCat("the content is longer than header.size (",
                                                     header.size(), " bytes); nothing was stored"));
    }
    hash.Update(chunk);
    absl::string_view rest(chunk);
    while (!rest.empty()) {
      size_t take = std::min(rest.size(), batch - pending.size());
      pending.append(rest.data(), take);
      rest.remove_prefix(take);
      if (pending.size() == batch) BULWARK_RETURN_IF_ERROR(stage());
    }
  }
  if (stream.Broken()) return StreamBroke();
  if (!pending.empty()) BULWARK_RETURN_IF_ERROR(stage());
  artifact.size = received;
  artifact.sha256 = hash.FinishHex();
  if (header.size() > 0 && received != header.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the content is ", received,
                                                   " bytes but header.size declared ",
                                                   header.size(), "; nothing was stored"));
  }
  if (!header.sha256().empty() && artifact.sha256 != header.sha256()) {
    return absl::InvalidArgumentError(absl::StrCat("the content's SHA-256 is ", artifact.sha256,
                                                   " but header.sha256 declared ", header.sha256(),
                                                   "; nothing was stored"));
  }
  return store_.FinishUpload(upload_id, artifact, clock_.Now(), TransactionDeadline(deadline),
                             [&stream] { return stream.Broken(); });
}

absl::Status QueueService::DownloadArtifact(const Caller& caller,
                                            const v1::DownloadArtifactRequest& request,
                                            DownloadStream& stream, absl::Time deadline) {
  const std::string& task_id = request.task_id();
  const std::string& name = request.name();
  BULWARK_RETURN_IF_ERROR(CheckTaskId(task_id));
  BULWARK_RETURN_IF_ERROR(CheckArtifactName(name));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("queue:get-artifact:" + name), "DownloadArtifact"));
  std::optional<int> run_id;
  if (request.has_run_id()) run_id = request.run_id();
  BULWARK_ASSIGN_OR_RETURN(int run, ArtifactRun(task_id, run_id, TransactionDeadline(deadline)));
  BULWARK_ASSIGN_OR_RETURN(Artifact artifact,
                           store_.GetArtifact(task_id, run, name, TransactionDeadline(deadline)));
  v1::DownloadArtifactResponse message;
  *message.mutable_artifact() = ArtifactProto(artifact);
  if (!stream.Write(message)) return StreamBroke();
  crypto::Sha256Stream hash;
  int64_t sent = 0;
  for (int first = 0;;) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> chunks,
                             store_.ReadArtifactChunks(task_id, run, name, first, kChunksPerRead,
                                                       TransactionDeadline(deadline)));
    for (std::string& chunk : chunks) {
      hash.Update(chunk);
      sent += static_cast<int64_t>(chunk.size());
      if (sent > artifact.size) return StoredContentDamaged(artifact);
      message.set_chunk(std::move(chunk));
      if (!stream.Write(message)) return StreamBroke();
    }
    if (static_cast<int>(chunks.size()) < kChunksPerRead) break;
    first += kChunksPerRead;
  }
  if (sent != artifact.size || hash.FinishHex() != artifact.sha256) {
    return StoredContentDamaged(artifact);
  }
  return absl::OkStatus();
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

absl::StatusOr<int> QueueService::PurgeIdleUploads(absl::Time deadline) {
  return store_.PurgeUploads(clock_.Now() - options_.upload_idle_timeout, deadline);
}

absl::StatusOr<int> QueueService::Sweep(absl::Time deadline) {
  absl::Time now = clock_.Now();
  BULWARK_ASSIGN_OR_RETURN(int claims, store_.ExpireClaims(now, deadline));
  BULWARK_ASSIGN_OR_RETURN(int deadlines, store_.ExpireDeadlines(now, deadline));
  if (claims + deadlines > 0) WakeClaimers();
  return claims + deadlines;
}

void QueueService::BeginShutdown() {
  absl::MutexLock lock(&wake_mu_);
  shutting_down_ = true;
}

bool QueueService::AwaitWaitingClaims(int n, absl::Duration timeout) const {
  absl::MutexLock lock(&wake_mu_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_) { return waiting_claims_ >= n; };
  return wake_mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

}  // namespace bulwark::queue
