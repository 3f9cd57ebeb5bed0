#include "services/hooks/service/hooks_service.h"

#include <openssl/crypto.h>

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/jsonschema/validator.h"
#include "libraries/logging/log.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "libraries/status/status_macros.h"
#include "services/hooks/service/hook_rules.h"
#include "services/hooks/store/hook_definition.h"

namespace bulwark::hooks {

using hookfire::FireContext;
using hookfire::IsoMillis;
using hookfire::RenderTask;
using hookfire::TaskFromJson;

namespace {

using scopes::Expression;

constexpr int kMaxPage = 1000;

std::string Role(const std::string& group, const std::string& id) { return group + "/" + id; }

v1::FiredBy FiredByEnum(const std::string& s) {
  if (s == "schedule") return v1::FIRED_BY_SCHEDULE;
  if (s == "triggerHook") return v1::FIRED_BY_TRIGGER_HOOK;
  if (s == "triggerHookWithToken") return v1::FIRED_BY_TRIGGER_HOOK_WITH_TOKEN;
  return v1::FIRED_BY_UNSPECIFIED;
}

v1::FiringContext ContextProto(const FireContext& fire) {
  v1::FiringContext c;
  c.set_fired_by(FiredByEnum(fire.fired_by));
  if (fire.payload.is_object()) *c.mutable_payload() = *StructFromJson(fire.payload);
  c.set_client_id(fire.client_id);
  c.set_now(IsoMillis(fire.now));
  c.set_task_id(fire.task_id);
  return c;
}

// A stored fire as the API returns it.
v1::LastFire LastFireProto(const LastFireRow& f) {
  v1::LastFire out;
  out.set_hook_group_id(f.hook_group_id);
  out.set_hook_id(f.hook_id);
  absl::Time now;
  std::string ignored;
  if (!absl::ParseTime(absl::RFC3339_full, f.now_iso, &now, &ignored)) now = f.task_create_time;
  *out.mutable_context() = ContextProto({f.fired_by, f.payload, f.client_id, now, f.task_id});
  out.mutable_context()->set_now(f.now_iso);  // exactly as the template saw it
  *out.mutable_task_create_time() = ToProtoTimestamp(f.task_create_time);
  out.set_result(f.result == "success" ? v1::FIRE_RESULT_SUCCESS : v1::FIRE_RESULT_ERROR);
  out.set_error(f.error);
  out.set_hook_version_sha256(f.hook_version_sha256);
  *out.mutable_expires() = ToProtoTimestamp(f.expires);
  return out;
}

// The definition a caller gave, as stored, to compare with an existing hook.
bool SameDefinition(const HookRow& row, const CheckedDefinition& d) {
  return row.metadata == d.metadata && row.schedule == d.schedule && row.task == d.task &&
         row.trigger_schema == d.trigger_schema;
}

absl::Status ValidatePayload(const HookRow& hook, const nlohmann::json& payload,
                             absl::Time deadline) {
  absl::StatusOr<jsonschema::Schema> schema = jsonschema::Compile(hook.trigger_schema);
  if (!schema.ok()) return schema.status();
  jsonschema::Schema::Limits limits;
  limits.deadline = deadline;
  absl::Status valid = schema->Validate(payload, limits);
  if (valid.code() == absl::StatusCode::kResourceExhausted) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the payload could not be checked against the hook's triggerSchema: ", valid.message()));
  }
  if (!valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the payload does not match the hook's triggerSchema: ", valid.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> HooksService::Seal(const std::string& token,
                                               const HookRow& hook) const {
  return token_keys_.Encrypt(token,
                             "bulwark-hooks-trigger:" + Role(hook.hook_group_id, hook.hook_id));
}

absl::StatusOr<std::string> HooksService::Unseal(const HookRow& hook) const {
  return token_keys_.Decrypt(hook.sealed_trigger_token,
                             "bulwark-hooks-trigger:" + Role(hook.hook_group_id, hook.hook_id));
}

absl::StatusOr<v1::ListHookGroupsResponse> HooksService::ListHookGroups(const Caller& caller,
                                                                        absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("hooks:list-hooks:"), "ListHookGroups"));
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> groups, store_.ListGroups(deadline));
  v1::ListHookGroupsResponse response;
  for (const std::string& g : groups) response.add_groups(g);
  return response;
}

absl::StatusOr<v1::ListHooksResponse> HooksService::ListHooks(const Caller& caller,
                                                              const std::string& group,
                                                              absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, "x"));
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("hooks:list-hooks:" + group), "ListHooks"));
  BULWARK_ASSIGN_OR_RETURN(std::vector<HookRow> rows, store_.ListHooks(group, deadline));
  if (rows.empty()) return absl::NotFoundError(absl::StrCat("no hooks in group ", group));
  v1::ListHooksResponse response;
  for (const HookRow& row : rows) *response.add_hooks() = HookProto(row);
  return response;
}

absl::StatusOr<v1::Hook> HooksService::GetHook(const Caller& caller, const std::string& group,
                                               const std::string& id, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression(absl::StrCat("hooks:get:", group, ":", id)), "GetHook"));
  BULWARK_ASSIGN_OR_RETURN(HookRow row, store_.GetHook(group, id, deadline));
  return HookProto(row);
}

absl::StatusOr<v1::Hook> HooksService::CreateHook(const Caller& caller, const v1::Hook& hook,
                                                  absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(hook.hook_group_id(), hook.hook_id()));
  std::string role = Role(hook.hook_group_id(), hook.hook_id());
  // Anti-escalation: only someone who holds the hook's role may define what it does.
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression::AllOf({"hooks:modify-hook:" + role, "assume:hook-id:" + role}),
                "CreateHook"));
  BULWARK_ASSIGN_OR_RETURN(CheckedDefinition d, CheckDefinition(hook));
  absl::Time now = clock_.Now();
  HookRow row;
  row.hook_group_id = hook.hook_group_id();
  row.hook_id = hook.hook_id();
  row.metadata = d.metadata;
  row.schedule = d.schedule;
  row.task = d.task;
  row.trigger_schema = d.trigger_schema;
  BULWARK_ASSIGN_OR_RETURN(row.sealed_trigger_token, Seal(NiceSlugid(random_), row));
  row.next_task_id = NiceSlugid(random_);
  row.next_scheduled_date = cron::NextOf(d.schedules, now);
  row.created = row.last_modified = now;
  BULWARK_ASSIGN_OR_RETURN(auto created, store_.CreateHook(row, deadline));
  if (!created.first && !SameDefinition(created.second, d)) {
    return absl::AlreadyExistsError(
        absl::StrCat("hook ", role, " already exists with another definition; use UpdateHook"));
  }
  return HookProto(created.second);
}

absl::StatusOr<v1::Hook> HooksService::UpdateHook(const Caller& caller, const v1::Hook& hook,
                                                  absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(hook.hook_group_id(), hook.hook_id()));
  std::string role = Role(hook.hook_group_id(), hook.hook_id());
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression::AllOf({"hooks:modify-hook:" + role, "assume:hook-id:" + role}),
                "UpdateHook"));
  BULWARK_ASSIGN_OR_RETURN(CheckedDefinition d, CheckDefinition(hook));
  absl::Time now = clock_.Now();
  std::string next_task_id = NiceSlugid(random_);
  BULWARK_ASSIGN_OR_RETURN(HookRow row, store_.UpdateHook(
                                            hook.hook_group_id(), hook.hook_id(),
                                            [&](const HookRow& old) -> absl::StatusOr<HookRow> {
                                              HookRow row = old;
                                              row.metadata = d.metadata;
                                              row.schedule = d.schedule;
                                              row.task = d.task;
                                              row.trigger_schema = d.trigger_schema;
                                              row.next_task_id = next_task_id;
                                              row.next_scheduled_date =
                                                  cron::NextOf(d.schedules, now);
                                              row.last_modified = now;
                                              return row;
                                            },
                                            deadline));
  return HookProto(row);
}

absl::Status HooksService::RemoveHook(const Caller& caller, const std::string& group,
                                      const std::string& id, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  // As CreateHook and UpdateHook: removing a hook needs the hook's role too.
  const std::string role = Role(group, id);
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression::AllOf({"hooks:modify-hook:" + role, "assume:hook-id:" + role}),
                "RemoveHook"));
  return store_.DeleteHook(group, id, clock_.Now(), deadline);
}

namespace {

// What a fire record says between being written and being finished (hooks_store.h).
const std::string& UnfinishedFire() {
  static const std::string* const text = new std::string(
      absl::StrCat(kUnfinishedFirePrefix,
                   " the task may or may not have been created (the hooks service stopped or "
                   "lost the database before recording the outcome)"));
  return *text;
}

}  // namespace

absl::StatusOr<std::string> HooksService::Fire(
    const HookRow& hook, const FireContext& fire, absl::Time fired_at, absl::Time deadline,
    absl::Time* expires, const std::function<absl::Status(absl::Time)>& before_create) {
  *expires = fired_at + options_.fire_retention;
  std::string role = Role(hook.hook_group_id, hook.hook_id);
  BULWARK_ASSIGN_OR_RETURN(std::optional<nlohmann::json> task, RenderTask(hook.task, fire));
  if (!task) return std::string();
  BULWARK_ASSIGN_OR_RETURN(queue::v1::TaskDefinition definition, TaskFromJson(*task));
  if (before_create) {
    absl::Time longest = *expires;
    if (definition.has_expires()) {
      longest = std::max(longest, FromProtoTimestamp(definition.expires()));
    }
    BULWARK_RETURN_IF_ERROR(before_create(longest));
  }
  absl::Status created = queue_.CreateTask(fire.task_id, definition, role, deadline);
  // The record lives as long as the task may: when the queue created it, or may have (its
  // answer was lost).
  switch (created.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kInternal:
      if (definition.has_expires()) {
        *expires = std::max(*expires, FromProtoTimestamp(definition.expires()));
      }
      break;
    default:
      break;
  }
  if (created.code() == absl::StatusCode::kPermissionDenied) {
    return absl::PermissionDeniedError(absl::StrCat("the role hook-id:", role,
                                                    " does not have the scopes to create this "
                                                    "task: ",
                                                    created.message()));
  }
  switch (created.code()) {
    case absl::StatusCode::kOk:
      return fire.task_id;
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kInternal:
      return created;  // not a verdict on the task: passed on as the queue client reported it
    default:
      return absl::Status(created.code(),
                          absl::StrCat("the queue refused the task: ", created.message()));
  }
}

absl::StatusOr<v1::TriggerHookResponse> HooksService::Trigger(
    const HookRow& hook, const char* fired_by, const std::string& client_id,
    const google::protobuf::Struct& payload_proto, absl::Time deadline) {
  nlohmann::json payload = JsonFromStruct(payload_proto);
  BULWARK_RETURN_IF_ERROR(ValidatePayload(hook, payload, deadline));
  FireContext fire{fired_by, payload, client_id, clock_.Now(), ""};
  if (payload.contains("taskId")) {
    if (!payload["taskId"].is_string() || !IsSlugid(payload["taskId"].get<std::string>())) {
      return absl::InvalidArgumentError("payload.taskId must be a slugid");
    }
    fire.task_id = payload["taskId"];
  } else {
    fire.task_id = NiceSlugid(random_);
  }
  absl::Time expires;
  LastFireRow record{hook.hook_group_id,
                     hook.hook_id,
                     fire.task_id,
                     fired_by,
                     payload,
                     client_id,
                     IsoMillis(fire.now),
                     fire.now,
                     "error",
                     UnfinishedFire(),
                     hook.version_sha256,  // read with the template this fire rendered
                     fire.now + options_.fire_retention};
  // The record comes first: no task without its fire (see the header).
  bool recorded_first = false;
  bool retry_of_recorded = false;
  absl::Status first_record;
  auto record_first = [&](absl::Time record_expires) -> absl::Status {
    record.expires = record_expires;
    first_record = store_.AddLastFire(record, deadline);
    if (first_record.code() == absl::StatusCode::kAlreadyExists) {
      // A retry with the same taskId: the first attempt's record is this task's record; the
      // queue creates the task idempotently (or refuses a different one).
      first_record = absl::OkStatus();
      retry_of_recorded = true;
    }
    if (!first_record.ok()) {
      return absl::Status(first_record.code(),
                          absl::StrCat("the fire could not be recorded, so no task was created: ",
                                       first_record.message()));
    }
    recorded_first = true;
    return absl::OkStatus();
  };
  absl::StatusOr<std::string> created =
      Fire(hook, fire, fire.now, deadline, &expires, record_first);
  if (created.ok() && created->empty()) return v1::TriggerHookResponse();  // declined
  if (!first_record.ok()) return created.status();  // nothing created, nothing recorded
  record.result = created.ok() ? "success" : "error";
  record.error = created.ok() ? "" : std::string(created.status().message());
  record.expires = expires;
  // A failed retry leaves the first attempt's record as it was.
  if (retry_of_recorded && !created.ok()) recorded_first = false;
  // Once the queue was asked, the task may exist: its outcome is recorded even if the caller
  // has gone meanwhile (call_scope.h), within the call's deadline, so the record is finished
  // rather than left saying the fire did not finish.
  std::optional<CallScope> finish_anyway;
  if (recorded_first) finish_anyway.emplace(nullptr);
  absl::Status recorded =
      retry_of_recorded && !created.ok() ? absl::OkStatus()
      : recorded_first
          ? store_.FinishLastFire(record.hook_group_id, record.hook_id, record.task_id,
                                  record.result, record.error, record.expires, deadline)
          : store_.AddLastFire(record, deadline);  // failed before the queue was asked
  if (!recorded.ok()) {
    // The task (if any) exists now; failing the call would invite a retry creating a second
    // one. Its record says the fire did not finish; a verifier will refuse to trace the task.
    LogError("could not record the outcome of a hook fire",
             {{"hook", Role(hook.hook_group_id, hook.hook_id)},
              {"task_id", fire.task_id},
              {"error", std::string(recorded.message())}});
    if (!created.ok()) return recorded;
  }
  if (!created.ok()) {
    return absl::Status(created.status().code(),
                        absl::StrCat("while firing hook ", Role(hook.hook_group_id, hook.hook_id),
                                     ": ", created.status().message()));
  }
  v1::TriggerHookResponse response;
  response.set_task_id(*created);
  return response;
}

absl::StatusOr<v1::TriggerHookResponse> HooksService::TriggerHook(
    const Caller& caller, const v1::TriggerHookRequest& request, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(request.hook_group_id(), request.hook_id()));
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller, Expression("hooks:trigger-hook:" + Role(request.hook_group_id(), request.hook_id())),
      "TriggerHook"));
  BULWARK_ASSIGN_OR_RETURN(HookRow hook,
                           store_.GetHook(request.hook_group_id(), request.hook_id(), deadline));
  return Trigger(hook, "triggerHook", caller.client_id, request.payload(), deadline);
}

absl::StatusOr<v1::TriggerHookResponse> HooksService::TriggerHookWithToken(
    const v1::TriggerHookWithTokenRequest& request, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(request.hook_group_id(), request.hook_id()));
  BULWARK_ASSIGN_OR_RETURN(HookRow hook,
                           store_.GetHook(request.hook_group_id(), request.hook_id(), deadline));
  BULWARK_ASSIGN_OR_RETURN(std::string token, Unseal(hook));
  if (token.size() != request.token().size() ||
      CRYPTO_memcmp(token.data(), request.token().data(), token.size()) != 0) {
    return absl::UnauthenticatedError("invalid hook token");
  }
  return Trigger(hook, "triggerHookWithToken", "", request.payload(), deadline);
}

absl::StatusOr<v1::TriggerTokenResponse> HooksService::GetTriggerToken(const Caller& caller,
                                                                       const std::string& group,
                                                                       const std::string& id,
                                                                       absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller, Expression("hooks:get-trigger-token:" + Role(group, id)), "GetTriggerToken"));
  BULWARK_ASSIGN_OR_RETURN(HookRow hook, store_.GetHook(group, id, deadline));
  v1::TriggerTokenResponse response;
  BULWARK_ASSIGN_OR_RETURN(*response.mutable_token(), Unseal(hook));
  return response;
}

absl::StatusOr<v1::TriggerTokenResponse> HooksService::ResetTriggerToken(const Caller& caller,
                                                                         const std::string& group,
                                                                         const std::string& id,
                                                                         absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller, Expression("hooks:reset-trigger-token:" + Role(group, id)), "ResetTriggerToken"));
  std::string token = NiceSlugid(random_);
  BULWARK_RETURN_IF_ERROR(store_
                              .UpdateHook(
                                  group, id,
                                  [&](const HookRow& old) -> absl::StatusOr<HookRow> {
                                    HookRow row = old;
                                    BULWARK_ASSIGN_OR_RETURN(row.sealed_trigger_token,
                                                             Seal(token, row));
                                    return row;
                                  },
                                  deadline)
                              .status());
  v1::TriggerTokenResponse response;
  response.set_token(token);
  return response;
}

absl::StatusOr<v1::ListLastFiresResponse> HooksService::ListLastFires(
    const Caller& caller, const v1::ListLastFiresRequest& request, absl::Time deadline) {
  const std::string& group = request.hook_group_id();
  const std::string& id = request.hook_id();
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("hooks:list-last-fires:" + Role(group, id)), "ListLastFires"));
  if (request.limit() < 0 || request.limit() > kMaxPage) {
    return absl::InvalidArgumentError("limit must be between 0 and 1000");
  }
  int limit = request.limit() == 0 ? kMaxPage : request.limit();
  std::optional<std::pair<absl::Time, std::string>> after;
  if (!request.continuation_token().empty()) {
    std::string raw;
    int64_t micros;
    size_t sep = std::string::npos;
    if (absl::WebSafeBase64Unescape(request.continuation_token(), &raw)) sep = raw.find(' ');
    if (sep == std::string::npos || !absl::SimpleAtoi(raw.substr(0, sep), &micros)) {
      return absl::InvalidArgumentError("continuation_token is not one this service issued");
    }
    after = std::make_pair(absl::FromUnixMicros(micros), raw.substr(sep + 1));
  }
  BULWARK_RETURN_IF_ERROR(store_.GetHook(group, id, deadline).status());
  BULWARK_ASSIGN_OR_RETURN(std::vector<LastFireRow> fires,
                           store_.ListLastFires(group, id, after, limit + 1, deadline));
  v1::ListLastFiresResponse response;
  for (size_t i = 0; i < fires.size() && static_cast<int>(i) < limit; ++i) {
    *response.add_last_fires() = LastFireProto(fires[i]);
  }
  if (static_cast<int>(fires.size()) > limit) {
    const LastFireRow& last = fires[limit - 1];
    response.set_continuation_token(absl::WebSafeBase64Escape(
        absl::StrCat(absl::ToUnixMicros(last.task_create_time), " ", last.task_id)));
  }
  return response;
}

absl::StatusOr<v1::RenderHookResponse> HooksService::RenderHook(
    const Caller& caller, const v1::RenderHookRequest& request, absl::Time deadline) {
  const std::string& group = request.hook_group_id();
  const std::string& id = request.hook_id();
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression(absl::StrCat("hooks:get:", group, ":", id)), "RenderHook"));
  BULWARK_ASSIGN_OR_RETURN(HookRow hook, store_.GetHook(group, id, deadline));
  nlohmann::json payload = JsonFromStruct(request.payload());
  BULWARK_RETURN_IF_ERROR(ValidatePayload(hook, payload, deadline));
  absl::Time now = clock_.Now();
  if (!request.now().empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, request.now(), &now, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("now: not an ISO 8601 time: ", error));
    }
  }
  FireContext fire{"triggerHook", payload, caller.client_id, now, NiceSlugid(random_)};
  BULWARK_ASSIGN_OR_RETURN(std::optional<nlohmann::json> task, RenderTask(hook.task, fire));
  v1::RenderHookResponse response;
  if (task) {
    BULWARK_RETURN_IF_ERROR(TaskFromJson(*task).status());
    BULWARK_ASSIGN_OR_RETURN(*response.mutable_task(), StructFromJson(*task));
  }
  *response.mutable_context() = ContextProto(fire);
  return response;
}

absl::StatusOr<int> HooksService::RunScheduler(absl::Time deadline) {
  absl::Time now = clock_.Now();
  return store_.RunDue(
      now, options_.schedule_batch,
      [&](const HookRow& hook) -> absl::StatusOr<DueOutcome> {
        absl::Time slot = *hook.next_scheduled_date;
        DueOutcome outcome;
        outcome.next_task_id = NiceSlugid(random_);
        outcome.next_scheduled_date = cron::NextOf(SchedulesOf(hook), std::max(now, slot));
        FireContext fire{"schedule", nullptr, "", slot, hook.next_task_id};
        LastFireRow record{hook.hook_group_id,
                           hook.hook_id,
                           hook.next_task_id,
                           "schedule",
                           nullptr,
                           "",
                           IsoMillis(slot),
                           now,
                           "success",
                           "",
                           hook.version_sha256,  // RunDue records it against the locked hook's
                           now + options_.fire_retention};
        if (now - slot > options_.missed_slot_grace) {
          record.result = "error";
          record.error = absl::StrCat("the slot at ", IsoMillis(slot),
                                      " was missed (the scheduler was not running); it was not "
                                      "fired, and the schedule resumes from now");
          outcome.fire = record;
          outcome.advance = true;
          return outcome;
        }
        absl::StatusOr<std::string> created = Fire(hook, fire, now, deadline, &record.expires);
        if (!created.ok() && (created.status().code() == absl::StatusCode::kUnavailable ||
                              created.status().code() == absl::StatusCode::kDeadlineExceeded)) {
          return DueOutcome{};  // the queue is down: try this slot again next round
        }
        outcome.advance = true;
        if (created.ok() && created->empty()) return outcome;  // declined
        if (!created.ok()) {
          record.result = "error";
          record.error = std::string(created.status().message());
        }
        outcome.fire = record;
        return outcome;
      },
      deadline);
}

absl::StatusOr<PurgeResult> HooksService::Purge(absl::Time deadline) {
  absl::Time now = clock_.Now();
  return store_.Purge(now, now - options_.version_grace, deadline);
}

absl::StatusOr<v1::LastFire> HooksService::GetFire(const Caller& caller,
                                                   const v1::GetFireRequest& request,
                                                   absl::Time deadline) {
  const std::string& group = request.hook_group_id();
  const std::string& id = request.hook_id();
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("hooks:list-last-fires:" + Role(group, id)), "GetFire"));
  if (!IsSlugid(request.task_id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("task_id '", request.task_id(), "' is not a slugid"));
  }
  absl::StatusOr<LastFireRow> fire = store_.GetLastFire(group, id, request.task_id(), deadline);
  if (fire.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("hook ", Role(group, id),
                                            " has no fire record for task ", request.task_id(),
                                            " (the hook never created it, or the record expired)"));
  }
  if (!fire.ok()) return fire.status();
  return LastFireProto(*fire);
}

absl::StatusOr<v1::HookVersion> HooksService::GetHookVersion(
    const Caller& caller, const v1::GetHookVersionRequest& request, absl::Time deadline) {
  const std::string& group = request.hook_group_id();
  const std::string& id = request.hook_id();
  BULWARK_RETURN_IF_ERROR(ValidateHookIds(group, id));
  // GetHook's scope (Taskcluster's colon form) or the slash form every other hooks scope uses.
  BULWARK_RETURN_IF_ERROR(Authorize(caller,
                                    Expression::AnyOf({absl::StrCat("hooks:get:", group, ":", id),
                                                       "hooks:get:" + Role(group, id)}),
                                    "GetHookVersion"));
  if (!IsSha256Hex(request.sha256())) {
    return absl::InvalidArgumentError(
        absl::StrCat("sha256 '", request.sha256(), "' must be 64 lowercase hexadecimal digits"));
  }
  absl::StatusOr<HookVersionRow> version =
      store_.GetHookVersion(group, id, request.sha256(), deadline);
  if (version.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(
        absl::StrCat("hook ", Role(group, id), " has no version ", request.sha256(),
                     " (never stored, or purged once no kept fire referred to it)"));
  }
  if (!version.ok()) return version.status();
  absl::StatusOr<HookRow> definition = HookFromDefinition(version->definition);
  if (!definition.ok()) {  // the store holds what CanonicalDefinition wrote: a bug, not input
    LogError("a stored hook version is not a definition",
             {{"hook", Role(group, id)},
              {"sha256", version->sha256},
              {"error", std::string(definition.status().message())}});
    return absl::InternalError("a stored hook version could not be read");
  }
  v1::HookVersion out;
  out.set_hook_group_id(group);
  out.set_hook_id(id);
  out.set_sha256(version->sha256);
  out.set_sequence(version->sequence);
  *out.mutable_definition() = HookProto(*definition);
  out.set_canonical_definition(version->definition);
  *out.mutable_created() = ToProtoTimestamp(version->created);
  if (version->retired) *out.mutable_retired() = ToProtoTimestamp(*version->retired);
  return out;
}

}  // namespace bulwark::hooks
