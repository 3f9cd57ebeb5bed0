// Hooks for real: hooks_server (one or three replicas), queue_server and auth_server on
// PostgreSQL, over gRPC. Invariant 4: hooks act for the hook, never for the caller.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "libraries/hookfire/firing.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "services/hooks/store/hook_definition.h"
#include "services/hooks/tests/hooks_cluster.h"

namespace bulwark::hooks {
namespace {

using auth::SignedContext;
using grpc::StatusCode;

// A task template needing `task_scopes`, created as the hook's role.
v1::Hook MakeHook(const std::string& group, const std::string& id,
                  std::vector<std::string> task_scopes,
                  const std::vector<std::string>& schedule = {}) {
  v1::Hook h;
  h.set_hook_group_id(group);
  h.set_hook_id(id);
  h.mutable_metadata()->set_name(id);
  h.mutable_metadata()->set_owner("dev@example.com");
  for (auto& s : schedule) h.add_schedule(s);
  nlohmann::json tmpl = {{"taskQueueId", "proj/linux"},
                         {"scopes", task_scopes},
                         {"metadata",
                          {{"name", "${firedBy} of " + id},
                           {"description", "d"},
                           {"owner", "dev@example.com"},
                           {"source", "https://github.com/org/app"}}},
                         {"payload",
                          {{"revision",
                            {{"$if", "firedBy == 'schedule'"},
                             {"then", "tip"},
                             {"else", {{"$eval", "payload.revision"}}}}},
                           {"now", "${now}"}}}};
  *h.mutable_task() = *StructFromJson(tmpl);
  *h.mutable_trigger_schema() = *StructFromJson(
      {{"type", "object"},
       {"properties", {{"revision", {{"type", "string"}, {"pattern", "^[0-9a-f]{7,40}$"}}}}},
       {"additionalProperties", false}});
  return h;
}

class HooksIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = HooksCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    root_ = cluster_->Root();
    hooks_ = cluster_->Stub();
    auth_ = cluster_->auth().Stub();
    queue_ = cluster_->queue().Stub();
  }

  void CreateRole(const std::string& role_id, const std::vector<std::string>& scopes) {
    auth::v1::CreateRoleRequest role;
    role.set_role_id(role_id);
    for (const auto& s : scopes) role.add_scopes(s);
    auth::v1::Role out;
    grpc::Status s = auth_->CreateRole(SignedContext(&root_).get(), role, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Trigger(const std::string& group, const std::string& id,
                       const nlohmann::json& payload, v1::TriggerHookResponse* out,
                       const hawk::Credentials* who = nullptr) {
    v1::TriggerHookRequest request;
    request.set_hook_group_id(group);
    request.set_hook_id(id);
    *request.mutable_payload() = *StructFromJson(payload);
    return hooks_->TriggerHook(SignedContext(who ? who : &root_).get(), request, out);
  }

  v1::ListLastFiresResponse Fires(const std::string& group, const std::string& id) {
    v1::ListLastFiresRequest request;
    request.set_hook_group_id(group);
    request.set_hook_id(id);
    v1::ListLastFiresResponse response;
    grpc::Status s = hooks_->ListLastFires(SignedContext(&root_).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  std::unique_ptr<HooksCluster> cluster_;
  hawk::Credentials root_;
  std::unique_ptr<v1::Hooks::Stub> hooks_;
  std::unique_ptr<auth::v1::Auth::Stub> auth_;
  std::unique_ptr<queue::v1::Queue::Stub> queue_;
};

const std::vector<std::string> kCreateTask = {"queue:create-task:lowest:proj/linux",
                                              "queue:scheduler-id:-",
                                              "queue:create-task:project:none"};

TEST_F(HooksIntegrationTest, TasksGetTheHooksRoleNotTheCallersScopes) {
  CreateRole("hook-id:demo/weak", kCreateTask);  // no secrets:get:prod
  v1::Hook hook = MakeHook("demo", "weak", {"secrets:get:prod"});
  v1::CreateHookRequest create;
  *create.mutable_hook() = hook;
  v1::Hook created;
  ASSERT_TRUE(hooks_->CreateHook(SignedContext(&root_).get(), create, &created).ok());
  // root holds *, but the task is created as hook-id:demo/weak, which lacks the scope.
  v1::TriggerHookResponse fired;
  grpc::Status s = Trigger("demo", "weak", {{"revision", "abcdef1"}}, &fired);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_NE(s.error_message().find("hook-id:demo/weak"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("secrets:get:prod"), std::string::npos) << s.error_message();
  v1::ListLastFiresResponse fires = Fires("demo", "weak");
  ASSERT_EQ(fires.last_fires_size(), 1);
  EXPECT_EQ(fires.last_fires(0).result(), v1::FIRE_RESULT_ERROR);
  queue::v1::GetTaskStatusRequest status_request;
  status_request.set_task_id(fires.last_fires(0).context().task_id());
  queue::v1::TaskStatus status;
  EXPECT_EQ(
      queue_->GetTaskStatus(SignedContext(&root_).get(), status_request, &status).error_code(),
      StatusCode::NOT_FOUND);  // no task was created
}

TEST_F(HooksIntegrationTest, CreatingAHookNeedsTheHooksRole) {
  auth::v1::CreateClientRequest client;
  client.set_client_id("editor");
  client.add_scopes("hooks:modify-hook:*");
  *client.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  auth::v1::CreateClientResponse created_client;
  ASSERT_TRUE(auth_->CreateClient(SignedContext(&root_).get(), client, &created_client).ok());
  hawk::Credentials editor{"editor", created_client.access_token(), "", std::nullopt};
  v1::CreateHookRequest create;
  *create.mutable_hook() = MakeHook("demo", "escalate", {"secrets:get:prod"});
  v1::Hook out;
  grpc::Status s = hooks_->CreateHook(SignedContext(&editor).get(), create, &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("assume:hook-id:demo/escalate"), std::string::npos)
      << s.error_message();
}

TEST_F(HooksIntegrationTest, FiredTasksRecordTheHookAsCreatorAndTheFireItsContext) {
  CreateRole("hook-id:demo/nightly", kCreateTask);
  v1::CreateHookRequest create;
  *create.mutable_hook() = MakeHook("demo", "nightly", {});
  v1::Hook created;
  ASSERT_TRUE(hooks_->CreateHook(SignedContext(&root_).get(), create, &created).ok());
  v1::TriggerHookResponse fired;
  grpc::Status s = Trigger("demo", "nightly", {{"revision", "0123abcd"}}, &fired);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_FALSE(fired.task_id().empty());

  queue::v1::GetTaskCreatorRequest creator_request;
  creator_request.set_task_id(fired.task_id());
  queue::v1::TaskCreator creator;
  ASSERT_TRUE(queue_->GetTaskCreator(SignedContext(&root_).get(), creator_request, &creator).ok());
  EXPECT_EQ(creator.client_id(), "static/bulwark/hooks");
  ASSERT_EQ(creator.authorized_scopes_size(), 1);
  EXPECT_EQ(creator.authorized_scopes(0), "assume:hook-id:demo/nightly");

  queue::v1::GetTaskRequest task_request;
  task_request.set_task_id(fired.task_id());
  queue::v1::TaskDefinition task;
  ASSERT_TRUE(queue_->GetTask(SignedContext(&root_).get(), task_request, &task).ok());
  EXPECT_EQ(task.metadata().name(), "triggerHook of nightly");
  EXPECT_EQ(JsonFromStruct(task.payload())["revision"], "0123abcd");

  v1::ListLastFiresResponse fires = Fires("demo", "nightly");
  ASSERT_EQ(fires.last_fires_size(), 1);
  const v1::LastFire& fire = fires.last_fires(0);
  EXPECT_EQ(fire.result(), v1::FIRE_RESULT_SUCCESS);
  EXPECT_EQ(fire.context().fired_by(), v1::FIRED_BY_TRIGGER_HOOK);
  EXPECT_EQ(fire.context().client_id(), "static/bulwark/root");
  EXPECT_EQ(fire.context().task_id(), fired.task_id());
  EXPECT_EQ(JsonFromStruct(fire.context().payload())["revision"], "0123abcd");
  EXPECT_EQ(JsonFromStruct(task.payload())["now"], fire.context().now());
}

TEST_F(HooksIntegrationTest, BadPayloadsAndTemplateErrorsAreClear) {
  CreateRole("hook-id:demo/strict", kCreateTask);
  v1::CreateHookRequest create;
  *create.mutable_hook() = MakeHook("demo", "strict", {});
  v1::Hook created;
  ASSERT_TRUE(hooks_->CreateHook(SignedContext(&root_).get(), create, &created).ok());
  v1::TriggerHookResponse fired;
  grpc::Status s = Trigger("demo", "strict", {{"revision", "not hex!"}}, &fired);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("/revision"), std::string::npos) << s.error_message();
  s = Trigger("demo", "strict", {{"unexpected", 1}}, &fired);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fires("demo", "strict").last_fires_size(), 0);  // nothing recorded

  v1::Hook broken = MakeHook("demo", "broken", {});
  nlohmann::json tmpl = JsonFromStruct(broken.task());
  tmpl["payload"]["revision"] = {{"$eval", "payload.revision.missing()"}};
  *broken.mutable_task() = *StructFromJson(tmpl);
  *create.mutable_hook() = broken;
  ASSERT_TRUE(hooks_->CreateHook(SignedContext(&root_).get(), create, &created).ok());
  s = Trigger("demo", "broken", {{"revision", "abcdef1"}}, &fired);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("Error at template.payload.revision"), std::string::npos)
      << s.error_message();
  v1::ListLastFiresResponse fires = Fires("demo", "broken");
  ASSERT_EQ(fires.last_fires_size(), 1);
  EXPECT_EQ(fires.last_fires(0).result(), v1::FIRE_RESULT_ERROR);
  EXPECT_NE(fires.last_fires(0).error().find("template.payload.revision"), std::string::npos);

  v1::Hook hashed = MakeHook("demo", "hashed", {}, {"H * * * *"});
  *create.mutable_hook() = hashed;
  s = hooks_->CreateHook(SignedContext(&root_).get(), create, &created);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(HooksIntegrationTest, TriggerTokens) {
  CreateRole("hook-id:demo/token", kCreateTask);
  v1::CreateHookRequest create;
  *create.mutable_hook() = MakeHook("demo", "token", {});
  v1::Hook created;
  ASSERT_TRUE(hooks_->CreateHook(SignedContext(&root_).get(), create, &created).ok());
  v1::GetTriggerTokenRequest get;
  get.set_hook_group_id("demo");
  get.set_hook_id("token");
  v1::TriggerTokenResponse token;
  ASSERT_TRUE(hooks_->GetTriggerToken(SignedContext(&root_).get(), get, &token).ok());
  v1::TriggerHookWithTokenRequest with_token;
  with_token.set_hook_group_id("demo");
  with_token.set_hook_id("token");
  with_token.set_token(token.token());
  *with_token.mutable_payload() = *StructFromJson({{"revision", "abcdef1"}});
  v1::TriggerHookResponse fired;
  grpc::ClientContext c1;  // no credentials: the token is the secret
  ASSERT_TRUE(hooks_->TriggerHookWithToken(&c1, with_token, &fired).ok());
  v1::ResetTriggerTokenRequest reset;
  reset.set_hook_group_id("demo");
  reset.set_hook_id("token");
  v1::TriggerTokenResponse fresh;
  ASSERT_TRUE(hooks_->ResetTriggerToken(SignedContext(&root_).get(), reset, &fresh).ok());
  grpc::ClientContext c2;
  EXPECT_EQ(hooks_->TriggerHookWithToken(&c2, with_token, &fired).error_code(),
            StatusCode::UNAUTHENTICATED);
}

// Provenance end to end: each task a hook created can be traced, after the hook was changed and
// removed, to the version that rendered it, and rendering that version again with the recorded
// context gives exactly the task the queue stored.
TEST_F(HooksIntegrationTest, EveryTaskTracesToTheVersionThatRenderedItAfterRemoveHook) {
  CreateRole("hook-id:demo/prov", kCreateTask);
  // Every field the queue would default is given, so the stored task is the rendered one.
  auto Template = [](const std::string& version) {
    return nlohmann::json{
        {"provisionerId", "proj"},
        {"workerType", "linux"},
        {"taskQueueId", "proj/linux"},
        {"schedulerId", "-"},
        {"projectId", "none"},
        {"requires", "all-completed"},
        {"priority", "lowest"},
        {"retries", 5},
        {"routes", nlohmann::json::array()},
        {"dependencies", nlohmann::json::array()},
        {"scopes", nlohmann::json::array()},
        {"tags", nlohmann::json::object()},
        {"extra", {{"version", version}}},
        {"metadata",
         {{"name", "${firedBy} of " + version},
          {"description", "d"},
          {"owner", "dev@example.com"},
          {"source", "https://github.com/org/app"}}},
        {"payload", {{"revision", {{"$eval", "payload.revision"}}}, {"now", "${now}"}}}};
  };
  v1::Hook hook = MakeHook("demo", "prov", {});
  *hook.mutable_task() = *StructFromJson(Template("v1"));
  v1::CreateHookRequest create;
  *create.mutable_hook() = hook;
  v1::Hook out;
  ASSERT_TRUE(hooks_->CreateHook(SignedContext(&root_).get(), create, &out).ok());
  v1::TriggerHookResponse first;
  grpc::Status s = Trigger("demo", "prov", {{"revision", "abcdef1"}}, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::UpdateHookRequest update;
  *update.mutable_hook() = hook;
  *update.mutable_hook()->mutable_task() = *StructFromJson(Template("v2"));
  ASSERT_TRUE(hooks_->UpdateHook(SignedContext(&root_).get(), update, &out).ok());
  v1::TriggerHookResponse second;
  s = Trigger("demo", "prov", {{"revision", "0123abcd"}}, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::RemoveHookRequest remove;
  remove.set_hook_group_id("demo");
  remove.set_hook_id("prov");
  v1::RemoveHookResponse removed;
  ASSERT_TRUE(hooks_->RemoveHook(SignedContext(&root_).get(), remove, &removed).ok());
  v1::GetHookRequest get_hook;
  get_hook.set_hook_group_id("demo");
  get_hook.set_hook_id("prov");
  EXPECT_EQ(hooks_->GetHook(SignedContext(&root_).get(), get_hook, &out).error_code(),
            StatusCode::NOT_FOUND);

  std::set<std::string> versions;
  for (const auto& [task_id, version] : {std::make_pair(first.task_id(), std::string("v1")),
                                         std::make_pair(second.task_id(), std::string("v2"))}) {
    SCOPED_TRACE(version);
    v1::GetFireRequest get_fire;
    get_fire.set_hook_group_id("demo");
    get_fire.set_hook_id("prov");
    get_fire.set_task_id(task_id);
    v1::LastFire fire;
    s = hooks_->GetFire(SignedContext(&root_).get(), get_fire, &fire);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(fire.result(), v1::FIRE_RESULT_SUCCESS);
    EXPECT_EQ(fire.context().task_id(), task_id);
    versions.insert(fire.hook_version_sha256());

    v1::GetHookVersionRequest get_version;
    get_version.set_hook_group_id("demo");
    get_version.set_hook_id("prov");
    get_version.set_sha256(fire.hook_version_sha256());
    v1::HookVersion hook_version;
    s = hooks_->GetHookVersion(SignedContext(&root_).get(), get_version, &hook_version);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(hook_version.sequence(), version == "v1" ? 1 : 2);
    EXPECT_EQ(Sha256Hex(hook_version.canonical_definition()), fire.hook_version_sha256());
    nlohmann::json tmpl = JsonFromStruct(hook_version.definition().task());
    EXPECT_EQ(tmpl, Template(version));

    // Render it again, as a verifier would, and compare with what the queue stored.
    absl::Time now;
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, fire.context().now(), &now, &error)) << error;
    ASSERT_EQ(fire.context().fired_by(), v1::FIRED_BY_TRIGGER_HOOK);
    hookfire::FireContext context{"triggerHook", JsonFromStruct(fire.context().payload()),
                                  fire.context().client_id(), now, fire.context().task_id()};
    auto rendered = hookfire::RenderTask(tmpl, context);
    ASSERT_TRUE(rendered.ok()) << rendered.status();
    ASSERT_TRUE(rendered->has_value());
    auto definition = hookfire::TaskFromJson(**rendered);
    ASSERT_TRUE(definition.ok()) << definition.status();
    queue::v1::GetTaskRequest get_task;
    get_task.set_task_id(task_id);
    queue::v1::TaskDefinition stored;
    s = queue_->GetTask(SignedContext(&root_).get(), get_task, &stored);
    ASSERT_TRUE(s.ok()) << s.error_message();
    std::string differences;
    google::protobuf::util::MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&differences);
    EXPECT_TRUE(differencer.Compare(*definition, stored)) << differences;
    EXPECT_EQ(stored.metadata().name(), "triggerHook of " + version);
  }
  EXPECT_EQ(versions.size(), 2u);

  // Reading a version needs hooks:get:<G>/<H> (or GetHook's hooks:get:<G>:<H>).
  auth::v1::CreateClientRequest client;
  client.set_client_id("fire-reader");
  client.add_scopes("hooks:list-last-fires:demo/prov");
  *client.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  auth::v1::CreateClientResponse created_client;
  ASSERT_TRUE(auth_->CreateClient(SignedContext(&root_).get(), client, &created_client).ok());
  hawk::Credentials reader{"fire-reader", created_client.access_token(), "", std::nullopt};
  v1::GetFireRequest get_fire;
  get_fire.set_hook_group_id("demo");
  get_fire.set_hook_id("prov");
  get_fire.set_task_id(first.task_id());
  v1::LastFire fire;
  ASSERT_TRUE(hooks_->GetFire(SignedContext(&reader).get(), get_fire, &fire).ok());
  v1::GetHookVersionRequest get_version;
  get_version.set_hook_group_id("demo");
  get_version.set_hook_id("prov");
  get_version.set_sha256(fire.hook_version_sha256());
  v1::HookVersion hook_version;
  s = hooks_->GetHookVersion(SignedContext(&reader).get(), get_version, &hook_version);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("hooks:get:demo/prov"), std::string::npos) << s.error_message();
  get_version.set_sha256("not-a-digest");
  EXPECT_EQ(
      hooks_->GetHookVersion(SignedContext(&root_).get(), get_version, &hook_version).error_code(),
      StatusCode::INVALID_ARGUMENT);
  get_fire.set_task_id("AAAAAAAAQACAAAAAAAAAAA");  // a slugid no fire used
  EXPECT_EQ(hooks_->GetFire(SignedContext(&root_).get(), get_fire, &fire).error_code(),
            StatusCode::NOT_FOUND);
}

TEST(HooksSchedulerTest, ThreeReplicasFireEachSlotExactlyOnce) {
  auto cluster = HooksCluster::Start(3, {"--schedule-interval=100ms"});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Root();
  auto auth = (*cluster)->auth().Stub();
  auth::v1::CreateRoleRequest role;
  role.set_role_id("hook-id:demo/every-second");
  for (const auto& s : kCreateTask) role.add_scopes(s);
  auth::v1::Role role_out;
  ASSERT_TRUE(auth->CreateRole(SignedContext(&root).get(), role, &role_out).ok());
  v1::CreateHookRequest create;
  *create.mutable_hook() = MakeHook("demo", "every-second", {}, {"* * * * * *"});
  v1::Hook created;
  auto hooks = (*cluster)->Stub(0);
  ASSERT_TRUE(hooks->CreateHook(SignedContext(&root).get(), create, &created).ok());
  v1::ListLastFiresRequest list;
  list.set_hook_group_id("demo");
  list.set_hook_id("every-second");
  v1::ListLastFiresResponse fires;
  // Wait (bounded) until at least three slots have been handled by the three replicas.
  for (absl::Time give_up = absl::Now() + absl::Seconds(20);
       fires.last_fires_size() < 3 && absl::Now() < give_up;) {
    ASSERT_TRUE(hooks->ListLastFires(SignedContext(&root).get(), list, &fires).ok());
    if (fires.last_fires_size() < 3) absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_GE(fires.last_fires_size(), 3);
  std::set<std::string> slots, task_ids;
  auto queue = (*cluster)->queue().Stub();
  for (const v1::LastFire& f : fires.last_fires()) {
    EXPECT_EQ(f.result(), v1::FIRE_RESULT_SUCCESS) << f.error();
    EXPECT_EQ(f.context().fired_by(), v1::FIRED_BY_SCHEDULE);
    EXPECT_TRUE(slots.insert(f.context().now()).second)
        << "slot fired twice: " << f.context().now();
    EXPECT_TRUE(task_ids.insert(f.context().task_id()).second);
    queue::v1::GetTaskRequest get;
    get.set_task_id(f.context().task_id());
    queue::v1::TaskDefinition task;
    ASSERT_TRUE(queue->GetTask(SignedContext(&root).get(), get, &task).ok());
    EXPECT_EQ(JsonFromStruct(task.payload())["now"], f.context().now());  // now = the slot
    EXPECT_EQ(task.metadata().name(), "schedule of every-second");
  }
}

}  // namespace
}  // namespace bulwark::hooks
