// The queue for real: queue_server replicas and auth_server on PostgreSQL, over gRPC.
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"
#include "services/queue/tests/queue_cluster.h"

namespace bulwark::queue {
namespace {

using auth::SignedContext;
using grpc::StatusCode;

v1::CreateTaskRequest TaskRequest(const std::vector<std::string>& scopes = {},
                                  const std::string& priority = "lowest") {
  v1::CreateTaskRequest r;
  r.set_task_id(NiceSlugid(Random::Secure()));
  v1::TaskDefinition* t = r.mutable_task();
  t->set_task_queue_id("proj/linux");
  t->set_priority(priority);
  *t->mutable_created() = ToProtoTimestamp(absl::Now());
  *t->mutable_deadline() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  t->mutable_metadata()->set_name("build");
  t->mutable_metadata()->set_description("builds");
  t->mutable_metadata()->set_owner("dev@example.com");
  t->mutable_metadata()->set_source("https://github.com/org/app");
  (*t->mutable_payload()->mutable_fields())["command"].set_string_value("make");
  for (auto& s : scopes) t->add_scopes(s);
  return r;
}

hawk::Credentials Credentials(const v1::Credentials& c) {
  return {c.client_id(), c.access_token(), c.certificate(), std::nullopt};
}

class QueueIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = QueueCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    root_ = cluster_->Root();
    queue_ = cluster_->Stub();
    auth_ = cluster_->auth().Stub();
  }

  hawk::Credentials NewClient(const std::string& id, const std::vector<std::string>& scopes) {
    auth::v1::CreateClientRequest request;
    request.set_client_id(id);
    *request.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
    for (const auto& s : scopes) request.add_scopes(s);
    auth::v1::CreateClientResponse response;
    grpc::Status s = auth_->CreateClient(SignedContext(&root_).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {id, response.access_token(), "", std::nullopt};
  }

  grpc::Status Create(const hawk::Credentials& who, const v1::CreateTaskRequest& request,
                      v1::CreateTaskResponse* response = nullptr) {
    v1::CreateTaskResponse ignored;
    return queue_->CreateTask(SignedContext(&who).get(), request, response ? response : &ignored);
  }

  v1::ClaimWorkResponse Claim(const hawk::Credentials& worker, int tasks = 1,
                              v1::Queue::Stub* stub = nullptr, const std::string& id = "w1") {
    v1::ClaimWorkRequest request;
    request.set_task_queue_id("proj/linux");
    request.set_worker_group("wg");
    request.set_worker_id(id);
    request.set_tasks(tasks);
    v1::ClaimWorkResponse response;
    grpc::Status s =
        (stub ? stub : queue_.get())->ClaimWork(SignedContext(&worker).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  std::unique_ptr<QueueCluster> cluster_;
  hawk::Credentials root_;
  std::unique_ptr<v1::Queue::Stub> queue_;
  std::unique_ptr<auth::v1::Auth::Stub> auth_;
};

TEST_F(QueueIntegrationTest, CreateTaskScopeRulesAndAuthorizedScopes) {
  hawk::Credentials dev = NewClient(
      "dev", {"queue:create-task:high:proj/linux", "queue:scheduler-id:-",
              "queue:create-task:project:none", "queue:route:index.dev.*", "secrets:get:dev/*"});
  EXPECT_TRUE(Create(dev, TaskRequest({"secrets:get:dev/x"}, "high")).ok());
  grpc::Status s = Create(dev, TaskRequest({"secrets:get:prod/x"}, "high"));
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("secrets:get:prod/x"), std::string::npos) << s.error_message();
  s = Create(dev, TaskRequest({}, "highest"));
  EXPECT_NE(s.error_message().find("queue:create-task:highest:proj/linux"), std::string::npos);
  v1::CreateTaskRequest routed = TaskRequest({}, "high");
  routed.mutable_task()->add_routes("index.prod.latest");
  EXPECT_EQ(Create(dev, routed).error_code(), StatusCode::PERMISSION_DENIED);
  routed.mutable_task()->set_routes(0, "index.dev.latest");
  EXPECT_TRUE(Create(dev, routed).ok());

  // authorizedScopes narrows what even root may create.
  hawk::Credentials narrowed = root_;
  narrowed.authorized_scopes =
      std::vector<std::string>{"queue:create-task:lowest:proj/linux", "queue:scheduler-id:-",
                               "queue:create-task:project:none"};
  EXPECT_EQ(Create(narrowed, TaskRequest({"secrets:get:x"})).error_code(),
            StatusCode::PERMISSION_DENIED);
  v1::CreateTaskRequest ok = TaskRequest();
  ASSERT_TRUE(Create(narrowed, ok).ok());
  v1::GetTaskCreatorRequest get;
  get.set_task_id(ok.task_id());
  v1::TaskCreator creator;
  ASSERT_TRUE(queue_->GetTaskCreator(SignedContext(&root_).get(), get, &creator).ok());
  EXPECT_EQ(creator.client_id(), "static/bulwark/root");
  EXPECT_EQ(creator.authorized_scopes_size(), 3);
}

TEST_F(QueueIntegrationTest, IdempotencyConflictsAndBadInput) {
  v1::CreateTaskRequest request = TaskRequest();
  v1::CreateTaskResponse first, second;
  ASSERT_TRUE(Create(root_, request, &first).ok());
  ASSERT_TRUE(Create(root_, request, &second).ok());
  EXPECT_EQ(first.status().task_id(), second.status().task_id());
  v1::GetTaskRequest get;
  get.set_task_id(request.task_id());
  v1::TaskDefinition stored;
  ASSERT_TRUE(queue_->GetTask(SignedContext(&root_).get(), get, &stored).ok());
  EXPECT_EQ(stored.provisioner_id(), "proj");
  EXPECT_EQ(stored.scheduler_id(), "-");
  EXPECT_EQ(stored.task_group_id(), request.task_id());
  EXPECT_EQ(stored.retries(), 5);
  request.mutable_task()->mutable_metadata()->set_name("other");
  grpc::Status s = Create(root_, request);
  EXPECT_EQ(s.error_code(), StatusCode::ALREADY_EXISTS);

  auto expect_invalid = [&](const v1::CreateTaskRequest& r, const std::string& field) {
    grpc::Status st = Create(root_, r);
    EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_NE(st.error_message().find(field), std::string::npos) << st.error_message();
  };
  v1::CreateTaskRequest r = TaskRequest();
  r.set_task_id("nope");
  expect_invalid(r, "task_id");
  r = TaskRequest();
  r.mutable_task()->clear_metadata();
  expect_invalid(r, "metadata");
  r = TaskRequest();
  r.mutable_task()->set_task_queue_id("no-slash");
  expect_invalid(r, "taskQueueId");
  r = TaskRequest();
  *r.mutable_task()->mutable_deadline() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
  expect_invalid(r, "deadline");
  r = TaskRequest({"x**"});
  expect_invalid(r, "**");
  r = TaskRequest();
  r.mutable_task()->add_dependencies(NiceSlugid(Random::Secure()));
  expect_invalid(r, "dependencies");
}

TEST_F(QueueIntegrationTest, WorkerLifecycleWithTaskCredentialsAndArtifacts) {
  v1::CreateTaskRequest request = TaskRequest({"secrets:get:x"});
  ASSERT_TRUE(Create(root_, request).ok());
  hawk::Credentials worker =
      NewClient("worker/w1", {"queue:claim-work:proj/linux", "queue:worker-id:wg/w1"});
  v1::ClaimWorkResponse claimed = Claim(worker);
  ASSERT_EQ(claimed.tasks_size(), 1);
  hawk::Credentials task_creds = Credentials(claimed.tasks(0).credentials());
  const std::string& id = request.task_id();

  // The task's credentials carry task.scopes and the run's own scopes, checked by auth.
  auth::v1::ExpandScopesRequest unused;
  auth::v1::CurrentScopesResponse current;
  grpc::Status s = auth_->CurrentScopes(SignedContext(&task_creds).get(),
                                        auth::v1::CurrentScopesRequest(), &current);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);  // authenticated, lacks the scope
  v1::ReclaimTaskRequest reclaim;
  reclaim.set_task_id(id);
  reclaim.set_run_id(0);
  v1::TaskClaim reclaimed;
  ASSERT_TRUE(queue_->ReclaimTask(SignedContext(&task_creds).get(), reclaim, &reclaimed).ok());
  EXPECT_GE(FromProtoTimestamp(reclaimed.taken_until()),
            FromProtoTimestamp(claimed.tasks(0).taken_until()));

  v1::CreateArtifactRequest put;
  put.set_task_id(id);
  put.set_run_id(0);
  put.set_name("public/chain-of-trust.json");
  put.set_content_type("application/json");
  put.set_content("{\"chainOfTrustVersion\":1}");
  v1::Artifact artifact;
  ASSERT_TRUE(queue_->CreateArtifact(SignedContext(&task_creds).get(), put, &artifact).ok());
  EXPECT_EQ(artifact.size(), 25);
  ASSERT_TRUE(queue_->CreateArtifact(SignedContext(&task_creds).get(), put, &artifact).ok());
  put.set_content("{\"chainOfTrustVersion\":2}");
  EXPECT_EQ(queue_->CreateArtifact(SignedContext(&task_creds).get(), put, &artifact).error_code(),
            StatusCode::ALREADY_EXISTS);  // written once per run

  // Anyone holding the anonymous role's queue:get-artifact:public/* reads public artifacts.
  auth::v1::CreateRoleRequest anonymous;
  anonymous.set_role_id("anonymous");
  anonymous.add_scopes("queue:get-artifact:public/*");
  auth::v1::Role role;
  ASSERT_TRUE(auth_->CreateRole(SignedContext(&root_).get(), anonymous, &role).ok());
  v1::GetLatestArtifactRequest latest;
  latest.set_task_id(id);
  latest.set_name("public/chain-of-trust.json");
  v1::GetArtifactResponse got;
  ASSERT_TRUE(queue_->GetLatestArtifact(SignedContext(nullptr).get(), latest, &got).ok());
  EXPECT_EQ(got.content(), "{\"chainOfTrustVersion\":1}");
  EXPECT_EQ(got.artifact().sha256(), artifact.sha256());

  v1::ReportCompletedRequest done;
  done.set_task_id(id);
  done.set_run_id(0);
  v1::TaskStatus status;
  EXPECT_EQ(queue_->ReportCompleted(SignedContext(&worker).get(), done, &status).error_code(),
            StatusCode::PERMISSION_DENIED);  // only the run's credentials may resolve it
  ASSERT_TRUE(queue_->ReportCompleted(SignedContext(&task_creds).get(), done, &status).ok());
  EXPECT_EQ(status.state(), v1::TASK_STATE_COMPLETED);
  put.set_name("public/late.txt");
  EXPECT_EQ(queue_->CreateArtifact(SignedContext(&task_creds).get(), put, &artifact).error_code(),
            StatusCode::FAILED_PRECONDITION);
}

TEST_F(QueueIntegrationTest, DependenciesAndRetries) {
  v1::CreateTaskRequest a = TaskRequest();
  a.mutable_task()->set_retries(1);
  ASSERT_TRUE(Create(root_, a).ok());
  v1::CreateTaskRequest b = TaskRequest();
  b.mutable_task()->add_dependencies(a.task_id());
  b.mutable_task()->set_task_group_id(a.task_id());
  ASSERT_TRUE(Create(root_, b).ok());
  v1::ClaimWorkResponse claimed = Claim(root_, 5);
  ASSERT_EQ(claimed.tasks_size(), 1);  // b waits for a
  hawk::Credentials run0 = Credentials(claimed.tasks(0).credentials());
  v1::ReportExceptionRequest shutdown;
  shutdown.set_task_id(a.task_id());
  shutdown.set_run_id(0);
  shutdown.set_reason(v1::EXCEPTION_REASON_WORKER_SHUTDOWN);
  v1::TaskStatus status;
  ASSERT_TRUE(queue_->ReportException(SignedContext(&run0).get(), shutdown, &status).ok());
  ASSERT_EQ(status.runs_size(), 2);
  EXPECT_EQ(status.runs(1).reason_created(), "retry");
  claimed = Claim(root_, 5);
  ASSERT_EQ(claimed.tasks_size(), 1);
  EXPECT_EQ(claimed.tasks(0).run_id(), 1);
  v1::ReportCompletedRequest done;
  done.set_task_id(a.task_id());
  done.set_run_id(1);
  ASSERT_TRUE(queue_
                  ->ReportCompleted(SignedContext(&*std::make_unique<hawk::Credentials>(
                                                      Credentials(claimed.tasks(0).credentials())))
                                        .get(),
                                    done, &status)
                  .ok());
  claimed = Claim(root_, 5);
  ASSERT_EQ(claimed.tasks_size(), 1);
  EXPECT_EQ(claimed.tasks(0).task_id(), b.task_id());
  v1::ListTaskGroupRequest list;
  list.set_task_group_id(a.task_id());
  list.set_limit(1);
  v1::ListTaskGroupResponse page;
  ASSERT_TRUE(queue_->ListTaskGroup(SignedContext(&root_).get(), list, &page).ok());
  EXPECT_EQ(page.tasks_size(), 1);
  EXPECT_FALSE(page.continuation_token().empty());
}

TEST(QueueClaimTest, ExpiredClaimsAreSweptAndRetried) {
  auto cluster = QueueCluster::Start(1, {"--claim-timeout=2s", "--sweep-interval=200ms"});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Root();
  auto queue = (*cluster)->Stub();
  v1::CreateTaskRequest request = TaskRequest();
  v1::CreateTaskResponse created;
  ASSERT_TRUE(queue->CreateTask(SignedContext(&root).get(), request, &created).ok());
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(1);
  v1::ClaimWorkResponse claimed;
  ASSERT_TRUE(queue->ClaimWork(SignedContext(&root).get(), claim, &claimed).ok());
  ASSERT_EQ(claimed.tasks_size(), 1);
  // The worker goes silent: within a few seconds run 0 is claim-expired and run 1 pending.
  v1::GetTaskStatusRequest get;
  get.set_task_id(request.task_id());
  v1::TaskStatus status;
  absl::Time give_up = absl::Now() + absl::Seconds(15);
  do {
    absl::SleepFor(absl::Milliseconds(200));
    ASSERT_TRUE(queue->GetTaskStatus(SignedContext(&root).get(), get, &status).ok());
  } while (status.runs_size() < 2 && absl::Now() < give_up);
  ASSERT_EQ(status.runs_size(), 2);
  EXPECT_EQ(status.runs(0).reason_resolved(), "claim-expired");
  EXPECT_EQ(status.runs(1).state(), v1::TASK_STATE_PENDING);
}

TEST(QueueClaimTest, EachTaskIsClaimedExactlyOnceAcrossReplicas) {
  auto cluster = QueueCluster::Start(2);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Root();
  auto creator = (*cluster)->Stub(0);
  std::set<std::string> created;
  for (int i = 0; i < 40; ++i) {
    v1::CreateTaskRequest request = TaskRequest();
    v1::CreateTaskResponse response;
    ASSERT_TRUE(creator->CreateTask(SignedContext(&root).get(), request, &response).ok());
    created.insert(request.task_id());
  }
  absl::Mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    workers.emplace_back([&, w] {
      auto stub = (*cluster)->Stub(w % 2);
      for (int round = 0; round < 20; ++round) {
        v1::ClaimWorkRequest claim;
        claim.set_task_queue_id("proj/linux");
        claim.set_worker_group("wg");
        claim.set_worker_id(absl::StrCat("w", w));
        claim.set_tasks(3);
        v1::ClaimWorkResponse response;
        grpc::Status s = stub->ClaimWork(SignedContext(&root).get(), claim, &response);
        ASSERT_TRUE(s.ok()) << s.error_message();
        absl::MutexLock lock(&mu);
        for (const auto& t : response.tasks()) claimed.insert(t.task_id());
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(claimed.size(), created.size());  // no task twice
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), created);
}

}  // namespace
}  // namespace bulwark::queue
