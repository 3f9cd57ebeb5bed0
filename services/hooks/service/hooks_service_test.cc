#include "services/hooks/service/hooks_service.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libraries/proto/struct_json.h"
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
};

class HooksServiceTest : public ::testing::Test {
 protected:
  HooksServiceTest()
      : clock_(absl::FromUnixSeconds(1795435200)),  // 2026-11-23T12:00:00Z
        keys_(*crypto::Keyring::Create({{"k1", std::string(32, 'k')}}, random_)),
        service_({}, store_, queue_, keys_, clock_, random_) {}

  v1::Hook MakeHook(const std::string& group, const std::string& id,
                    std::vector<std::string> schedule = {}) {
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
                                 nlohmann::json payload) {
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

}  // namespace
}  // namespace bulwark::hooks
