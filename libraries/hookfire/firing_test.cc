#include "libraries/hookfire/firing.h"

#include "gtest/gtest.h"

namespace bulwark::hookfire {
namespace {

const absl::Time kNow = absl::FromUnixMillis(1795435200123);

TEST(FiringTest, ContextPerKind) {
  FireContext schedule{"schedule", nullptr, "", kNow, "T"};
  EXPECT_EQ(RenderContext(schedule),
            nlohmann::json(
                {{"firedBy", "schedule"}, {"taskId", "T"}, {"now", "2026-11-23T12:00:00.123Z"}}));
  FireContext trigger{"triggerHook", {{"a", 1}}, "alice", kNow, "T"};
  nlohmann::json c = RenderContext(trigger);
  EXPECT_EQ(c["payload"], nlohmann::json({{"a", 1}}));
  EXPECT_EQ(c["clientId"], "alice");
  FireContext token{"triggerHookWithToken", {{"a", 1}}, "", kNow, "T"};
  EXPECT_FALSE(RenderContext(token).contains("clientId"));
}

TEST(FiringTest, RendersFillsDefaultsAndDeclines) {
  nlohmann::json tmpl = {{"taskQueueId", "p/w"},
                         {"metadata", {{"name", "${payload.name}"}}},
                         {"payload", {{"when", "${now}"}}}};
  auto task = RenderTask(tmpl, {"triggerHook", {{"name", "x"}}, "c", kNow, "TASKID"});
  ASSERT_TRUE(task.ok()) << task.status();
  ASSERT_TRUE(task->has_value());
  EXPECT_EQ((**task)["metadata"]["name"], "x");
  EXPECT_EQ((**task)["payload"]["when"], "2026-11-23T12:00:00.123Z");  // now interpolates
  EXPECT_EQ((**task)["created"], "2026-11-23T12:00:00.123Z");
  EXPECT_EQ((**task)["deadline"], "2026-11-24T12:00:00.123Z");
  EXPECT_EQ((**task)["expires"], "2026-12-23T12:00:00.123Z");
  EXPECT_EQ((**task)["taskGroupId"], "TASKID");
  auto declined =
      RenderTask({{"$if", "false"}, {"then", {{"a", 1}}}}, {"schedule", nullptr, "", kNow, "T"});
  ASSERT_TRUE(declined.ok());
  EXPECT_FALSE(declined->has_value());
}

TEST(FiringTest, ErrorsAreJsonesOwnWords) {
  auto bad = RenderTask({{"x", {{"$eval", "payload.name"}}}}, {"schedule", nullptr, "", kNow, "T"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("InterpreterError at template.x"), std::string::npos)
      << bad.status();
  EXPECT_NE(bad.status().message().find("unknown context value payload"), std::string::npos);
  EXPECT_EQ(TaskFromJson({{"notAField", 1}}).status().code(), absl::StatusCode::kInvalidArgument);
  auto ok = TaskFromJson({{"taskQueueId", "p/w"}, {"created", "2026-11-23T12:00:00.123Z"}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->task_queue_id(), "p/w");
}

}  // namespace
}  // namespace bulwark::hookfire
