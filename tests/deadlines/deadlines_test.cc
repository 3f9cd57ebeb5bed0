// Deadlines and status codes across services, on real auth, queue and hooks processes:
// - auth frozen (SIGSTOP): a queue call with a 1.5 s deadline ends DEADLINE_EXCEEDED within
//   its deadline (plus slack), not after auth's own 5 s timeout;
// - the same through hooks -> queue -> auth: TriggerHook passes DEADLINE_EXCEEDED on, and once
//   auth runs again no task exists and no successful fire was recorded;
// - hooks started with credentials auth refuses: the caller gets UNAVAILABLE (the service's
//   misconfiguration), never UNAUTHENTICATED (which would blame the caller's credentials).
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "nlohmann/json.hpp"
#include "services/hooks/tests/hooks_cluster.h"

namespace bulwark {
namespace {

using auth::SignedContext;
using grpc::StatusCode;

constexpr absl::Duration kCallDeadline = absl::Milliseconds(1500);
// What "promptly" allows beyond the deadline on a loaded 2-core machine.
constexpr absl::Duration kSlack = absl::Milliseconds(1500);

// A hook whose trigger payload may name the task id, so the test knows which task to look for.
hooks::v1::Hook AnyPayloadHook() {
  hooks::v1::Hook h;
  h.set_hook_group_id("demo");
  h.set_hook_id("deadline");
  h.mutable_metadata()->set_name("deadline");
  h.mutable_metadata()->set_owner("dev@example.com");
  *h.mutable_task() = *StructFromJson({{"taskQueueId", "proj/linux"},
                                       {"metadata",
                                        {{"name", "n"},
                                         {"description", "d"},
                                         {"owner", "dev@example.com"},
                                         {"source", "https://github.com/org/app"}}},
                                       {"payload", nlohmann::json::object()}});
  *h.mutable_trigger_schema() = *StructFromJson({{"type", "object"}});
  return h;
}

// Runs `call` until it answers anything but UNAVAILABLE, for at most 10 s. Auth just resumed
// from a freeze refuses requests UNAVAILABLE ("retry") for up to one round of its replay
// upkeep (500 ms): writes behind that were due during the freeze failed, and their partitions
// accept nothing until they are rewritten (partitioned_nonce_cache.h).
template <typename Call>
grpc::Status UntilAvailable(Call call) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  grpc::Status s = call();
  while (s.error_code() == StatusCode::UNAVAILABLE && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
    s = call();
  }
  return s;
}

void CreateDeadlineHook(hooks::HooksCluster& cluster, const hawk::Credentials& root) {
  auth::v1::CreateRoleRequest role;
  role.set_role_id("hook-id:demo/deadline");
  for (const char* s : {"queue:create-task:lowest:proj/linux", "queue:scheduler-id:-",
                        "queue:create-task:project:none"}) {
    role.add_scopes(s);
  }
  auth::v1::Role role_out;
  ASSERT_TRUE(cluster.auth().Stub()->CreateRole(SignedContext(&root).get(), role, &role_out).ok());
  hooks::v1::CreateHookRequest create;
  *create.mutable_hook() = AnyPayloadHook();
  hooks::v1::Hook created;
  ASSERT_TRUE(cluster.Stub()->CreateHook(SignedContext(&root).get(), create, &created).ok());
}

TEST(DeadlinesTest, AFrozenDependencyCostsTheCallerItsDeadlineAndNothingRunsAfter) {
  auto cluster = hooks::HooksCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Root();
  CreateDeadlineHook(**cluster, root);

  (*cluster)->auth().process(0).Pause();
  // The queue asks auth to authenticate the call: auth does not answer.
  queue::v1::GetTaskRequest get;
  get.set_task_id("fN1UJiTYQ9-P-_lQ1B5y1A");
  queue::v1::TaskDefinition task;
  auto context = SignedContext(&root);
  context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  absl::Time start = absl::Now();
  grpc::Status s = (*cluster)->queue().Stub()->GetTask(context.get(), get, &task);
  EXPECT_EQ(s.error_code(), StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  EXPECT_LT(absl::Now() - start, kCallDeadline + kSlack);

  // Through hooks: hooks -> queue.CreateTask -> auth, all on the trigger's deadline.
  const std::string task_id = "Xq9jQ1Z3RkOw2c8mW7s0Ag";
  hooks::v1::TriggerHookRequest trigger;
  trigger.set_hook_group_id("demo");
  trigger.set_hook_id("deadline");
  *trigger.mutable_payload() = *StructFromJson({{"taskId", task_id}});
  hooks::v1::TriggerHookResponse fired;
  context = SignedContext(&root);
  context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  start = absl::Now();
  // hooks authenticates the trigger through auth too, so it is refused at the first step; the
  // point is the code and the time, and that the queue never creates the task.
  s = (*cluster)->Stub()->TriggerHook(context.get(), trigger, &fired);
  EXPECT_EQ(s.error_code(), StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  EXPECT_LT(absl::Now() - start, kCallDeadline + kSlack);

  (*cluster)->auth().process(0).Resume();
  ASSERT_TRUE(testing::WaitForServing((*cluster)->auth().process(0).Channel()).ok());
  queue::v1::GetTaskStatusRequest status_request;
  status_request.set_task_id(task_id);
  queue::v1::TaskStatus status;
  EXPECT_EQ(UntilAvailable([&] {
              return (*cluster)->queue().Stub()->GetTaskStatus(SignedContext(&root).get(),
                                                               status_request, &status);
            }).error_code(),
            StatusCode::NOT_FOUND);
  hooks::v1::ListLastFiresRequest list;
  list.set_hook_group_id("demo");
  list.set_hook_id("deadline");
  hooks::v1::ListLastFiresResponse fires;
  grpc::Status listed = UntilAvailable(
      [&] { return (*cluster)->Stub()->ListLastFires(SignedContext(&root).get(), list, &fires); });
  ASSERT_TRUE(listed.ok()) << listed.error_code() << ": " << listed.error_message();
  for (const auto& f : fires.last_fires()) EXPECT_NE(f.result(), hooks::v1::FIRE_RESULT_SUCCESS);
}

TEST(DeadlinesTest, AFrozenQueueGivesTheTriggerDeadlineExceededAndNoTask) {
  auto cluster = hooks::HooksCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Root();
  CreateDeadlineHook(**cluster, root);

  (*cluster)->queue().queue(0).Pause();
  const std::string task_id = "a5GvQk0eS9mHq3f1ZyT7Ww";
  hooks::v1::TriggerHookRequest trigger;
  trigger.set_hook_group_id("demo");
  trigger.set_hook_id("deadline");
  *trigger.mutable_payload() = *StructFromJson({{"taskId", task_id}});
  hooks::v1::TriggerHookResponse fired;
  auto context = SignedContext(&root);
  context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  absl::Time start = absl::Now();
  grpc::Status s = (*cluster)->Stub()->TriggerHook(context.get(), trigger, &fired);
  EXPECT_EQ(s.error_code(), StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  EXPECT_LT(absl::Now() - start, kCallDeadline + kSlack);
  (*cluster)->queue().queue(0).Resume();
  ASSERT_TRUE(testing::WaitForServing((*cluster)->queue().queue(0).Channel()).ok());
  // The frozen queue finds the abandoned CreateTask in its socket when it runs again; it must
  // not create the task for a caller that has gone. Wait (up to 3 s) until it has handled that
  // call (its call log names it; gRPC may also drop it, the client having reset the stream),
  // then look.
  for (absl::Time give_up = absl::Now() + absl::Seconds(3);
       (*cluster)->queue().queue(0).LogTail(100000).find("Queue/CreateTask") == std::string::npos &&
       absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  queue::v1::GetTaskStatusRequest status_request;
  status_request.set_task_id(task_id);
  queue::v1::TaskStatus status;
  EXPECT_EQ((*cluster)
                ->queue()
                .Stub()
                ->GetTaskStatus(SignedContext(&root).get(), status_request, &status)
                .error_code(),
            StatusCode::NOT_FOUND)
      << (*cluster)->queue().queue(0).LogTail();
}

TEST(DeadlinesTest, AServiceWhoseOwnCredentialsAreRefusedAnswersUnavailable) {
  const std::string bad = testing::OutputDir() + "/hooks-wrong-credentials.json";
  std::ofstream(bad) << nlohmann::json{{"clientId", "static/bulwark/hooks"},
                                       {"accessToken", std::string(44, 'x')}}
                            .dump();
  auto cluster = hooks::HooksCluster::Start(1, {"--credentials=" + bad});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Root();
  CreateDeadlineHook(**cluster, root);
  hooks::v1::TriggerHookRequest trigger;
  trigger.set_hook_group_id("demo");
  trigger.set_hook_id("deadline");
  *trigger.mutable_payload() = *StructFromJson(nlohmann::json::object());
  hooks::v1::TriggerHookResponse fired;
  grpc::Status s = (*cluster)->Stub()->TriggerHook(SignedContext(&root).get(), trigger, &fired);
  EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_NE(s.error_message().find("configuration error"), std::string::npos) << s.error_message();
  EXPECT_NE((*cluster)->hooks(0).LogTail().find("own credentials were refused"), std::string::npos)
      << "no operator-facing log line";
}

}  // namespace
}  // namespace bulwark
