#include "libraries/taskdef/task_definition.h"

#include "gtest/gtest.h"
#include "libraries/proto/timestamp.h"
#include "libraries/scopes/expression_json.h"

namespace bulwark::taskdef {

namespace v1 = queue::v1;
namespace {

const char kTaskId[] = "fN1Bq2vATKWdDnfb9zB3Sw";
const absl::Time kNow = absl::FromUnixSeconds(1795435200);

v1::TaskDefinition Minimal() {
  v1::TaskDefinition t;
  t.set_task_queue_id("proj-ci/linux");
  *t.mutable_created() = ToProtoTimestamp(kNow);
  *t.mutable_deadline() = ToProtoTimestamp(kNow + absl::Hours(2));
  t.mutable_metadata()->set_name("build");
  t.mutable_metadata()->set_description("d");
  t.mutable_metadata()->set_owner("dev@example.com");
  t.mutable_metadata()->set_source("https://github.com/org/repo");
  return t;
}

absl::StatusCode CodeOf(const v1::TaskDefinition& t, const std::string& id = kTaskId) {
  return NormalizeTask(id, t).status().code();
}

TEST(NormalizeTaskTest, FillsTaskclustersDefaults) {
  auto t = NormalizeTask(kTaskId, Minimal());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->provisioner_id(), "proj-ci");
  EXPECT_EQ(t->worker_type(), "linux");
  EXPECT_EQ(t->scheduler_id(), "-");
  EXPECT_EQ(t->project_id(), "none");
  EXPECT_EQ(t->task_group_id(), kTaskId);
  EXPECT_EQ(t->requires(), "all-completed");
  EXPECT_EQ(t->priority(), "lowest");
  EXPECT_EQ(t->retries(), 5);
  EXPECT_EQ(FromProtoTimestamp(t->expires()),
            absl::FromCivil(absl::CivilSecond(2027, 11, 23, 14, 0, 0), absl::UTCTimeZone()));
  // Normalizing again changes nothing.
  auto again = NormalizeTask(kTaskId, *t);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(SameDefinition(*t, *again));
  v1::TaskDefinition pair = Minimal();
  pair.clear_task_queue_id();
  pair.set_provisioner_id("proj-ci");
  pair.set_worker_type("linux");
  EXPECT_EQ(NormalizeTask(kTaskId, pair)->task_queue_id(), "proj-ci/linux");
}

TEST(NormalizeTaskTest, RejectsEachBrokenRule) {
  EXPECT_EQ(CodeOf(Minimal(), "not-a-slugid"), absl::StatusCode::kInvalidArgument);
  v1::TaskDefinition t = Minimal();
  t.set_provisioner_id("other");
  t.set_worker_type("linux");
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);  // disagrees with taskQueueId
  t = Minimal();
  t.set_task_queue_id("proj-ci/Linux");
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);
  t = Minimal();
  t.set_priority("urgent");
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);
  t = Minimal();
  t.set_retries(50);
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);
  t = Minimal();
  t.add_scopes("secrets:**");
  auto s = NormalizeTask(kTaskId, t).status();
  EXPECT_NE(s.message().find("**"), std::string::npos);
  t = Minimal();
  t.add_dependencies(kTaskId);
  EXPECT_NE(NormalizeTask(kTaskId, t).status().message().find("itself"), std::string::npos);
  t = Minimal();
  t.add_routes("index.x");
  t.add_routes("index.x");
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);
  t = Minimal();
  t.mutable_metadata()->set_source("ftp://x");
  EXPECT_NE(NormalizeTask(kTaskId, t).status().message().find("metadata.source"),
            std::string::npos);
  t = Minimal();
  t.clear_deadline();
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);
  t = Minimal();
  t.mutable_expires()->set_seconds(int64_t{400000000000});  // year 14645
  EXPECT_NE(NormalizeTask(kTaskId, t).status().message().find("task.expires"), std::string::npos);
  t = Minimal();
  t.mutable_created()->set_nanos(-1);
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);
  t = Minimal();
  t.set_requires("some");
  EXPECT_EQ(CodeOf(t), absl::StatusCode::kInvalidArgument);
}

TEST(CheckTaskTimesTest, AppliesTheTimeRules) {
  auto t = *NormalizeTask(kTaskId, Minimal());
  EXPECT_TRUE(CheckTaskTimes(t, kNow, absl::Hours(120)).ok());
  EXPECT_FALSE(CheckTaskTimes(t, kNow + absl::Minutes(16), absl::Hours(120)).ok());
  EXPECT_FALSE(CheckTaskTimes(t, kNow + absl::Hours(3), absl::Hours(120)).ok());  // deadline past
  EXPECT_FALSE(CheckTaskTimes(t, kNow, absl::Hours(1)).ok());  // deadline too far
  t.mutable_expires()->set_seconds(t.deadline().seconds() - 1);
  EXPECT_NE(CheckTaskTimes(t, kNow, absl::Hours(120)).message().find("expires"), std::string::npos);
}

TEST(CreateTaskScopesTest, MatchesTaskclustersExpression) {
  v1::TaskDefinition t = Minimal();
  t.set_priority("very-high");
  t.add_scopes("secrets:get:x");
  t.add_routes("index.a");
  auto n = NormalizeTask(kTaskId, t);
  ASSERT_TRUE(n.ok());
  nlohmann::json expected = {{"AllOf",
                              {"secrets:get:x",
                               "queue:route:index.a",
                               "queue:create-task:project:none",
                               "queue:scheduler-id:-",
                               {{"AnyOf",
                                 {"queue:create-task:highest:proj-ci/linux",
                                  "queue:create-task:very-high:proj-ci/linux"}}}}}};
  EXPECT_EQ(scopes::ExpressionToJson(CreateTaskScopes(*n)), expected);
}

}  // namespace
}  // namespace bulwark::taskdef
