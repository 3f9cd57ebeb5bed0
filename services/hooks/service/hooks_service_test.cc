#include "services/hooks/service/hooks_service.h"

#include <functional>

#include "absl/strings/escaping.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "libraries/call/call_scope.h"
#include "libraries/hookfire/firing.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "services/hooks/store/hook_definition.h"
#include "services/hooks/store/in_memory_hooks_store.h"

namespace bulwark::hooks {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

// Records what the hooks service asks of the queue; answers with `next`.
class FakeQueue final : public QueueClient {
 public:
  absl::Status CreateTask(const std::string& task_id, const queue::v1::TaskDefinition& task,
                          const std::string& hook_role, absl::Time deadline) override {
    calls.push_back({task_id, task, hook_role, deadline});
    if (during) during();
    return next;
  }
  struct Call {
    std::string task_id;
    queue::v1::TaskDefinition task;
    std::string role;
    absl::Time deadline;
  };
  std::vector<Call> calls;
  absl::Status next = absl::OkStatus();
  // Runs while the queue call is in flight (e.g. a concurrent UpdateHook).
  std::function<void()> during;
};

class HooksServiceTest : public ::testing::Test {
 protected:
  HooksServiceTest()
      : clock_(absl::FromUnixSeconds(1795435200)),  // 2026-11-23T12:00:00Z
        keys_(*crypto::Keyring::Create({{"k1", std::string(32, 'k')}}, random_)),
        service_({}, store_, queue_, keys_, clock_, random_) {}

  v1::Hook MakeHook(const std::string& group, const std::string& id,
                    const std::vector<std::string>& schedule = {}) {
    v1::Hook h;
    h.set_hook_group_id(group);
    h.set_hook_id(id);
    h.mutable_metadata()->set_name("nightly");
    h.mutable_metadata()->set_owner("dev@example.com");
    for (auto& s : schedule) h.add_schedule(s);
    nlohmann::json tmpl = {{"$if", "firedBy != 'triggerHook' || payload.go"},
                           {"then",
                            {{"taskQueueId", "proj/linux"},
                             {"metadata",
                              {{"name", "from ${firedBy}"},
                               {"description", "d"},
                               {"owner", "dev@example.com"},
                               {"source", "https://example.com"}}},
                             {"payload", {{"now", "${now}"}}}}}};
    *h.mutable_task() = *StructFromJson(tmpl);
    *h.mutable_trigger_schema() = *StructFromJson({{"type", "object"},
                                                   {"properties", {{"go", {{"type", "boolean"}}}}},
                                                   {"additionalProperties", false}});
    return h;
  }

  v1::TriggerHookRequest Trigger(const std::string& group, const std::string& id,
                                 const nlohmann::json& payload) {
    v1::TriggerHookRequest r;
    r.set_hook_group_id(group);
    r.set_hook_id(id);
    *r.mutable_payload() = *StructFromJson(payload);
    return r;
  }

  std::vector<LastFireRow> Fires(const std::string& group, const std::string& id) {
    return *store_.ListLastFires(group, id, std::nullopt, 100, kForever);
  }

  SimulatedClock clock_;
  SeededRandom random_{9};
  InMemoryHooksStore store_;
  FakeQueue queue_;
  crypto::Keyring keys_;
  HooksService service_;
  Caller root_{"static/bulwark/root", {"*"}};
};

TEST_F(HooksServiceTest, CreatingAHookNeedsItsRole) {
  Caller editor{"editor", {"hooks:modify-hook:*"}};
  absl::Status s = service_.CreateHook(editor, MakeHook("demo", "nightly"), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("assume:hook-id:demo/nightly"), std::string::npos) << s;
  Caller owner{"owner", {"hooks:modify-hook:demo/*", "assume:hook-id:demo/*"}};
  EXPECT_TRUE(service_.CreateHook(owner, MakeHook("demo", "nightly"), kForever).ok());
  EXPECT_TRUE(service_.CreateHook(owner, MakeHook("demo", "nightly"), kForever).ok());  // same
  v1::Hook changed = MakeHook("demo", "nightly");
  changed.mutable_metadata()->set_name("other");
  EXPECT_EQ(service_.CreateHook(owner, changed, kForever).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(service_.UpdateHook(owner, changed, kForever).ok());
  EXPECT_EQ(service_.UpdateHook(owner, MakeHook("demo", "missing"), kForever).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(HooksServiceTest, DefinitionsAreValidated) {
  v1::Hook hashed = MakeHook("demo", "h", {"H 0 * * *"});
  absl::Status s = service_.CreateHook(root_, hashed, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("hook.schedule"), std::string::npos) << s;
  v1::Hook bad_schema = MakeHook("demo", "s");
  *bad_schema.mutable_trigger_schema() = *StructFromJson({{"type", "nonsense"}});
  s = service_.CreateHook(root_, bad_schema, kForever).status();
  EXPECT_NE(s.message().find("triggerSchema"), std::string::npos) << s;
  EXPECT_EQ(service_.CreateHook(root_, MakeHook("bad group!", "x"), kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::Hook no_owner = MakeHook("demo", "o");
  no_owner.mutable_metadata()->set_owner("nobody");
  EXPECT_EQ(service_.CreateHook(root_, no_owner, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(HooksServiceTest, TriggerActsAsTheHooksRoleAndRecordsTheFire) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  auto fired = service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), kForever);
  ASSERT_TRUE(fired.ok()) << fired.status();
  ASSERT_EQ(queue_.calls.size(), 1u);
  EXPECT_EQ(queue_.calls[0].role, "demo/nightly");
  EXPECT_EQ(queue_.calls[0].task_id, fired->task_id());
  EXPECT_EQ(queue_.calls[0].task.metadata().name(), "from triggerHook");
  EXPECT_EQ(queue_.calls[0].task.task_group_id(), fired->task_id());
  auto fires = Fires("demo", "nightly");
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].result, "success");
  EXPECT_EQ(fires[0].client_id, "static/bulwark/root");
  EXPECT_EQ(fires[0].payload, nlohmann::json({{"go", true}}));
  EXPECT_EQ(fires[0].now_iso, "2026-11-23T12:00:00.000Z");

  // Declined: no task, nothing recorded.
  auto declined =
      service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", false}}), kForever);
  ASSERT_TRUE(declined.ok());
  EXPECT_TRUE(declined->task_id().empty());
  EXPECT_EQ(queue_.calls.size(), 1u);
  // A payload the schema refuses: INVALID_ARGUMENT, nothing recorded.
  absl::Status s =
      service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", "yes"}}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("triggerSchema"), std::string::npos) << s;
  EXPECT_EQ(Fires("demo", "nightly").size(), 1u);
  EXPECT_EQ(service_
                .TriggerHook(Caller{"x", {}}, Trigger("demo", "nightly", nlohmann::json::object()),
                             kForever)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(HooksServiceTest, TheQueueCallGetsTheTriggersDeadlineAndItsTimeoutPassesThrough) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  const absl::Time deadline = absl::FromUnixSeconds(1795435230);
  queue_.next = absl::DeadlineExceededError("the queue service did not answer before the deadline");
  absl::Status s =
      service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), deadline).status();
  ASSERT_EQ(queue_.calls.size(), 1u);
  EXPECT_EQ(queue_.calls[0].deadline, deadline);
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  queue_.next = absl::UnavailableError("this service cannot authenticate to the queue service");
  s = service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), deadline).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

// Issue 14 item 3: a trigger whose caller has gone creates nothing and records nothing.
TEST_F(HooksServiceTest, ATriggerForACallerWhoHasGoneAsksNothingAndRecordsNothing) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  CallScope gone([] { return true; });
  absl::Status s =
      service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  EXPECT_TRUE(queue_.calls.empty()) << "the queue was asked for a caller who had gone";
  EXPECT_TRUE(Fires("demo", "nightly").empty());
}

// A caller who leaves while the queue call is in flight: the queue call is cancelled (the task
// may or may not exist), and the fire record is still finished with that outcome, never left
// half-written.
TEST_F(HooksServiceTest, ACallerWhoLeavesDuringTheQueueCallStillGetsItsFireFinished) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  bool gone = false;
  queue_.during = [&] { gone = true; };
  queue_.next = absl::CancelledError("the call to the queue service was cancelled: Cancelled");
  absl::Status s;
  {
    CallScope call([&] { return gone; });
    s = service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), kForever).status();
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  ASSERT_EQ(queue_.calls.size(), 1u);
  auto fires = Fires("demo", "nightly");
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].task_id, queue_.calls[0].task_id);
  EXPECT_EQ(fires[0].result, "error");
  EXPECT_EQ(fires[0].error.rfind(kUnfinishedFirePrefix, 0), std::string::npos)
      << "the fire was left unfinished: " << fires[0].error;
  EXPECT_NE(fires[0].error.find("cancelled"), std::string::npos) << fires[0].error;
}

TEST_F(HooksServiceTest, QueueRefusalsAndTemplateErrorsAreRecordedReadably) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  // Even a caller holding * gets nothing the hook's role lacks: the queue refuses.
  queue_.next = absl::PermissionDeniedError("client 'static/bulwark/hooks' is missing scopes");
  absl::Status s =
      service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("role hook-id:demo/nightly"), std::string::npos) << s;
  auto fires = Fires("demo", "nightly");
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].result, "error");
  EXPECT_NE(fires[0].error.find("missing scopes"), std::string::npos);

  queue_.next = absl::OkStatus();
  v1::Hook broken = MakeHook("demo", "broken");
  *broken.mutable_task() = *StructFromJson({{"x", {{"$eval", "nosuch.thing"}}}});
  ASSERT_TRUE(service_.CreateHook(root_, broken, kForever).ok());
  s = service_.TriggerHook(root_, Trigger("demo", "broken", nlohmann::json::object()), kForever)
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("InterpreterError at template.x"), std::string::npos) << s;
  EXPECT_NE(Fires("demo", "broken")[0].error.find("unknown context value nosuch"),
            std::string::npos);
}

TEST_F(HooksServiceTest, TriggerTokensOpenOnlyTheirHookAndResetAtOnce) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  auto token = service_.GetTriggerToken(root_, "demo", "nightly", kForever);
  ASSERT_TRUE(token.ok());
  v1::TriggerHookWithTokenRequest r;
  r.set_hook_group_id("demo");
  r.set_hook_id("nightly");
  r.set_token(token->token());
  *r.mutable_payload() = *StructFromJson({{"go", true}});
  ASSERT_TRUE(service_.TriggerHookWithToken(r, kForever).ok());
  EXPECT_EQ(Fires("demo", "nightly")[0].fired_by, "triggerHookWithToken");
  EXPECT_EQ(Fires("demo", "nightly")[0].client_id, "");
  ASSERT_TRUE(service_.ResetTriggerToken(root_, "demo", "nightly", kForever).ok());
  EXPECT_EQ(service_.TriggerHookWithToken(r, kForever).status().code(),
            absl::StatusCode::kUnauthenticated);
  r.set_hook_id("missing");
  EXPECT_EQ(service_.TriggerHookWithToken(r, kForever).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(HooksServiceTest, ScheduledSlotsFireOnceWithTheirTaskIdAndTime) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "cron", {"*/5 * * * *"}), kForever).ok());
  EXPECT_EQ(*service_.RunScheduler(kForever), 0);  // 12:00:00 is not after the next slot
  clock_.Advance(absl::Minutes(5) + absl::Seconds(3));
  // The queue is down: the slot stays due, with the same taskId.
  queue_.next = absl::UnavailableError("queue down");
  EXPECT_EQ(*service_.RunScheduler(kForever), 1);
  EXPECT_TRUE(Fires("demo", "cron").empty());
  queue_.next = absl::OkStatus();
  EXPECT_EQ(*service_.RunScheduler(kForever), 1);
  ASSERT_EQ(queue_.calls.size(), 2u);
  EXPECT_EQ(queue_.calls[0].task_id, queue_.calls[1].task_id);  // idempotent at the queue
  EXPECT_EQ(queue_.calls[1].task.metadata().name(), "from schedule");
  auto fires = Fires("demo", "cron");
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].now_iso, "2026-11-23T12:05:00.000Z");  // the slot, not the wall clock
  EXPECT_EQ(*service_.RunScheduler(kForever), 0);           // fired once
  // An hour later the missed slots are not backfilled: one error, then the schedule resumes.
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*service_.RunScheduler(kForever), 1);
  EXPECT_EQ(queue_.calls.size(), 2u);
  fires = Fires("demo", "cron");
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(fires[0].result, "error");
  EXPECT_NE(fires[0].error.find("missed"), std::string::npos);
  auto hook = store_.GetHook("demo", "cron", kForever);
  EXPECT_GT(*hook->next_scheduled_date, clock_.Now());
}

TEST_F(HooksServiceTest, RenderHookIsADryRun) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  v1::RenderHookRequest r;
  r.set_hook_group_id("demo");
  r.set_hook_id("nightly");
  *r.mutable_payload() = *StructFromJson({{"go", true}});
  r.set_now("2027-01-01T00:00:00Z");
  auto rendered = service_.RenderHook(root_, r, kForever);
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  nlohmann::json task = JsonFromStruct(rendered->task());
  EXPECT_EQ(task["payload"]["now"], "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(task["deadline"], "2027-01-02T00:00:00.000Z");
  EXPECT_EQ(rendered->context().now(), "2027-01-01T00:00:00.000Z");
  EXPECT_TRUE(queue_.calls.empty());
  EXPECT_TRUE(Fires("demo", "nightly").empty());
}

TEST_F(HooksServiceTest, AFireRecordsTheVersionItRenderedEvenWhenUpdatedMeanwhile) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  const std::string v1 = store_.GetHook("demo", "nightly", kForever)->version_sha256;
  v1::Hook changed = MakeHook("demo", "nightly");
  nlohmann::json tmpl = JsonFromStruct(changed.task());
  tmpl["then"]["metadata"]["name"] = "changed";
  *changed.mutable_task() = *StructFromJson(tmpl);
  // The hook is updated while the trigger's queue call is in flight.
  queue_.during = [&] {
    queue_.during = nullptr;
    ASSERT_TRUE(service_.UpdateHook(root_, changed, kForever).ok());
  };
  auto fired = service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), kForever);
  ASSERT_TRUE(fired.ok()) << fired.status();
  const std::string v2 = store_.GetHook("demo", "nightly", kForever)->version_sha256;
  ASSERT_NE(v1, v2);
  EXPECT_EQ(queue_.calls[0].task.metadata().name(), "from triggerHook");  // v1 rendered
  EXPECT_EQ(Fires("demo", "nightly")[0].hook_version_sha256, v1);
  // The next fire renders and records the new version.
  ASSERT_TRUE(
      service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), kForever).ok());
  EXPECT_EQ(queue_.calls[1].task.metadata().name(), "changed");
  EXPECT_EQ(Fires("demo", "nightly")[0].hook_version_sha256, v2);
  // An update that changes nothing adds no version; the scheduler records its version too.
  ASSERT_TRUE(service_.UpdateHook(root_, changed, kForever).ok());
  EXPECT_EQ(store_.GetHook("demo", "nightly", kForever)->version_sha256, v2);
  v1::Hook cron = MakeHook("demo", "cron", {"*/5 * * * *"});
  ASSERT_TRUE(service_.CreateHook(root_, cron, kForever).ok());
  clock_.Advance(absl::Minutes(5));
  ASSERT_EQ(*service_.RunScheduler(kForever), 1);
  EXPECT_EQ(Fires("demo", "cron")[0].hook_version_sha256,
            store_.GetHook("demo", "cron", kForever)->version_sha256);
}

TEST_F(HooksServiceTest, FireRecordsExpireWithTheirTask) {
  const absl::Time t0 = clock_.Now();
  const absl::Duration days30 = absl::Hours(24 * 30);
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "default"), kForever).ok());
  ASSERT_TRUE(
      service_.TriggerHook(root_, Trigger("demo", "default", {{"go", true}}), kForever).ok());
  EXPECT_EQ(Fires("demo", "default")[0].expires, t0 + days30);

  v1::Hook long_lived = MakeHook("demo", "long");
  nlohmann::json tmpl = JsonFromStruct(long_lived.task());
  tmpl["then"]["expires"] = {{"$fromNow", "90 days"}};
  *long_lived.mutable_task() = *StructFromJson(tmpl);
  ASSERT_TRUE(service_.CreateHook(root_, long_lived, kForever).ok());
  ASSERT_TRUE(service_.TriggerHook(root_, Trigger("demo", "long", {{"go", true}}), kForever).ok());
  EXPECT_EQ(Fires("demo", "long")[0].expires, t0 + absl::Hours(24 * 90));
  // The queue's answer was lost: the task may exist, so its record lives as long as it would.
  queue_.next = absl::DeadlineExceededError("no answer");
  clock_.Advance(absl::Seconds(1));
  EXPECT_FALSE(service_.TriggerHook(root_, Trigger("demo", "long", {{"go", true}}), kForever).ok());
  EXPECT_EQ(Fires("demo", "long")[0].expires, t0 + absl::Seconds(1) + absl::Hours(24 * 90));
  // Refused: no task, the fixed retention.
  queue_.next = absl::PermissionDeniedError("missing scopes");
  clock_.Advance(absl::Seconds(1));
  EXPECT_FALSE(service_.TriggerHook(root_, Trigger("demo", "long", {{"go", true}}), kForever).ok());
  EXPECT_EQ(Fires("demo", "long")[0].result, "error");
  EXPECT_EQ(Fires("demo", "long")[0].expires, t0 + absl::Seconds(2) + days30);
}

TEST_F(HooksServiceTest, GetFireAndGetHookVersionNeedTheirScopesAndOutliveRemoveHook) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  auto fired = service_.TriggerHook(root_, Trigger("demo", "nightly", {{"go", true}}), kForever);
  ASSERT_TRUE(fired.ok()) << fired.status();
  v1::GetFireRequest get_fire;
  get_fire.set_hook_group_id("demo");
  get_fire.set_hook_id("nightly");
  get_fire.set_task_id(fired->task_id());
  auto fire = service_.GetFire(root_, get_fire, kForever);
  ASSERT_TRUE(fire.ok()) << fire.status();
  EXPECT_EQ(fire->context().task_id(), fired->task_id());
  EXPECT_EQ(fire->context().fired_by(), v1::FIRED_BY_TRIGGER_HOOK);
  EXPECT_EQ(fire->context().client_id(), "static/bulwark/root");
  EXPECT_EQ(fire->context().now(), "2026-11-23T12:00:00.000Z");
  EXPECT_EQ(JsonFromStruct(fire->context().payload()), nlohmann::json({{"go", true}}));
  EXPECT_EQ(fire->result(), v1::FIRE_RESULT_SUCCESS);
  const std::string sha256 = fire->hook_version_sha256();
  EXPECT_EQ(sha256, store_.GetHook("demo", "nightly", kForever)->version_sha256);
  v1::ListLastFiresRequest list;
  list.set_hook_group_id("demo");
  list.set_hook_id("nightly");
  EXPECT_EQ(service_.ListLastFires(root_, list, kForever)->last_fires(0).hook_version_sha256(),
            sha256);

  v1::GetHookVersionRequest get_version;
  get_version.set_hook_group_id("demo");
  get_version.set_hook_id("nightly");
  get_version.set_sha256(sha256);
  auto version = service_.GetHookVersion(root_, get_version, kForever);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->sha256(), sha256);
  EXPECT_EQ(version->sequence(), 1);
  EXPECT_EQ(Sha256Hex(version->canonical_definition()), sha256);
  EXPECT_EQ(version->definition().metadata().name(), "nightly");
  EXPECT_EQ(JsonFromStruct(version->definition().task()),
            JsonFromStruct(MakeHook("demo", "nightly").task()));
  EXPECT_EQ(FromProtoTimestamp(version->created()), clock_.Now());
  EXPECT_FALSE(version->has_retired());
  // Rendering the version with the fire's context gives the task the queue was given.
  hookfire::FireContext context{
      "triggerHook", {{"go", true}}, "static/bulwark/root", clock_.Now(), fired->task_id()};
  auto rendered = hookfire::RenderTask(JsonFromStruct(version->definition().task()), context);
  ASSERT_TRUE(rendered.ok() && rendered->has_value());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      *hookfire::TaskFromJson(**rendered), queue_.calls[0].task));

  // Scopes: GetFire as ListLastFires; GetHookVersion as GetHook, or the slash form.
  Caller nobody{"nobody", {}};
  absl::Status s = service_.GetFire(nobody, get_fire, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("hooks:list-last-fires:demo/nightly"), std::string::npos) << s;
  s = service_.GetHookVersion(nobody, get_version, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("hooks:get:demo/nightly"), std::string::npos) << s;
  EXPECT_NE(s.message().find("hooks:get:demo:nightly"), std::string::npos) << s;
  EXPECT_TRUE(
      service_.GetFire(Caller{"r", {"hooks:list-last-fires:demo/*"}}, get_fire, kForever).ok());
  EXPECT_TRUE(
      service_.GetHookVersion(Caller{"r", {"hooks:get:demo:nightly"}}, get_version, kForever).ok());
  EXPECT_TRUE(
      service_.GetHookVersion(Caller{"r", {"hooks:get:demo/nightly"}}, get_version, kForever).ok());
  EXPECT_EQ(service_.GetHookVersion(Caller{"r", {"hooks:get:demo/other"}}, get_version, kForever)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);

  // Malformed input.
  for (const std::string& bad : {std::string(64, 'A'), std::string(63, 'a'), std::string("")}) {
    v1::GetHookVersionRequest r = get_version;
    r.set_sha256(bad);
    s = service_.GetHookVersion(root_, r, kForever).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("sha256"), std::string::npos) << s;
  }
  v1::GetFireRequest bad_task = get_fire;
  bad_task.set_task_id("not a slugid");
  s = service_.GetFire(root_, bad_task, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("task_id"), std::string::npos) << s;
  v1::GetFireRequest bad_group = get_fire;
  bad_group.set_hook_group_id("bad group!");
  EXPECT_EQ(service_.GetFire(root_, bad_group, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::GetHookVersionRequest bad_id = get_version;
  bad_id.set_hook_id("");
  EXPECT_EQ(service_.GetHookVersion(root_, bad_id, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Unknown ones.
  v1::GetHookVersionRequest unknown = get_version;
  unknown.set_sha256(std::string(64, 'a'));
  s = service_.GetHookVersion(root_, unknown, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("demo/nightly has no version " + std::string(64, 'a')),
            std::string::npos)
      << s;
  v1::GetFireRequest unknown_task = get_fire;
  unknown_task.set_task_id(NiceSlugid(random_));
  s = service_.GetFire(root_, unknown_task, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find(unknown_task.task_id()), std::string::npos) << s;

  // After RemoveHook: both still answer; the hook itself and its list of fires are gone.
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(service_.RemoveHook(root_, "demo", "nightly", kForever).ok());
  EXPECT_EQ(service_.GetHook(root_, "demo", "nightly", kForever).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(service_.ListLastFires(root_, list, kForever).status().code(),
            absl::StatusCode::kNotFound);
  fire = service_.GetFire(root_, get_fire, kForever);
  ASSERT_TRUE(fire.ok()) << fire.status();
  EXPECT_EQ(fire->hook_version_sha256(), sha256);
  version = service_.GetHookVersion(root_, get_version, kForever);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(FromProtoTimestamp(version->retired()), clock_.Now());
  // Once the fire expired, the purge takes both.
  clock_.Advance(absl::Hours(24 * 30));
  auto purged = service_.Purge(kForever);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->fires, 1);
  EXPECT_EQ(purged->versions, 1);
  EXPECT_EQ(service_.GetFire(root_, get_fire, kForever).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(service_.GetHookVersion(root_, get_version, kForever).status().code(),
            absl::StatusCode::kNotFound);
}

// Issue 13 item 5: RemoveHook needs assume:hook-id:G/H like CreateHook and UpdateHook.
TEST_F(HooksServiceTest, RemoveHookNeedsTheHooksRole) {
  ASSERT_TRUE(service_.CreateHook(root_, MakeHook("demo", "nightly"), kForever).ok());
  Caller modifier;
  modifier.client_id = "modifier";
  modifier.scopes = {"hooks:modify-hook:demo/nightly"};
  absl::Status s = service_.RemoveHook(modifier, "demo", "nightly", kForever);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_NE(s.message().find("assume:hook-id:demo/nightly"), std::string::npos) << s;
  EXPECT_TRUE(service_.GetHook(root_, "demo", "nightly", kForever).ok());
  modifier.scopes.push_back("assume:hook-id:demo/nightly");
  EXPECT_TRUE(service_.RemoveHook(modifier, "demo", "nightly", kForever).ok());
}

}  // namespace
}  // namespace bulwark::hooks
