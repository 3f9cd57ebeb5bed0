#include "services/queue/service/queue_service.h"

#include <thread>

#include "gtest/gtest.h"
#include "libraries/proto/timestamp.h"
#include "nlohmann/json.hpp"
#include "services/queue/store/in_memory_queue_store.h"

namespace bulwark::queue {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

class QueueServiceTest : public ::testing::Test {
 protected:
  QueueServiceTest()
      : clock_(absl::Now()),
        service_(options_, store_,
                 hawk::Credentials{"static/bulwark/queue", std::string(44, 'q'), "", {}}, clock_,
                 random_) {}

  v1::CreateTaskRequest Request(std::vector<std::string> task_scopes = {}) {
    v1::CreateTaskRequest r;
    r.set_task_id(NiceSlugid(random_));
    v1::TaskDefinition* t = r.mutable_task();
    t->set_task_queue_id("proj/linux");
    t->set_priority("high");
    *t->mutable_created() = ToProtoTimestamp(clock_.Now());
    *t->mutable_deadline() = ToProtoTimestamp(clock_.Now() + absl::Hours(1));
    t->mutable_metadata()->set_name("n");
    t->mutable_metadata()->set_description("d");
    t->mutable_metadata()->set_owner("o@example.com");
    t->mutable_metadata()->set_source("https://example.com/repo");
    for (auto& s : task_scopes) t->add_scopes(s);
    return r;
  }

  QueueService::Options options_;
  SimulatedClock clock_;
  SeededRandom random_{5};
  InMemoryQueueStore store_;
  QueueService service_;
  Caller root_{"static/bulwark/root", {"*"}};
  Caller worker_{"worker", {"queue:claim-work:proj/linux", "queue:worker-id:wg/w1"}};
};

TEST_F(QueueServiceTest, CreateNeedsEveryScopeTheTaskWouldHave) {
  Caller dev{"dev",
             {"queue:create-task:high:proj/linux", "queue:scheduler-id:-",
              "queue:create-task:project:none"}};
  EXPECT_TRUE(service_.CreateTask(dev, Request(), kForever).ok());
  absl::Status s = service_.CreateTask(dev, Request({"secrets:get:prod"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("secrets:get:prod"), std::string::npos) << s;
  EXPECT_NE(s.message().find("client 'dev'"), std::string::npos) << s;
  // A lower priority scope does not allow a higher priority.
  Caller low{"low",
             {"queue:create-task:low:proj/linux", "queue:scheduler-id:-",
              "queue:create-task:project:none"}};
  s = service_.CreateTask(low, Request(), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("queue:create-task:high:proj/linux"), std::string::npos) << s;
}

TEST_F(QueueServiceTest, RecordsTheCreatorAndIsIdempotent) {
  Caller hooks{"static/bulwark/hooks", {"*"}, absl::InfiniteFuture(), {"assume:hook-id:g/h"}};
  v1::CreateTaskRequest request = Request();
  auto created = service_.CreateTask(hooks, request, kForever);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->status().state(), v1::TASK_STATE_PENDING);
  auto creator = service_.GetTaskCreator(root_, request.task_id(), kForever);
  ASSERT_TRUE(creator.ok());
  EXPECT_EQ(creator->client_id(), "static/bulwark/hooks");
  ASSERT_EQ(creator->authorized_scopes_size(), 1);
  EXPECT_EQ(creator->authorized_scopes(0), "assume:hook-id:g/h");
  EXPECT_TRUE(service_.CreateTask(root_, request, kForever).ok());  // identical: fine
  request.mutable_task()->set_priority("low");
  EXPECT_EQ(service_.CreateTask(root_, request, kForever).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto stored = service_.GetTask(root_, request.task_id(), kForever);
  EXPECT_EQ(stored->priority(), "high");
  v1::CreateTaskRequest stale = Request();
  *stale.mutable_task()->mutable_created() = ToProtoTimestamp(clock_.Now() - absl::Hours(1));
  EXPECT_EQ(service_.CreateTask(root_, stale, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_.GetTask(stale.task_id(), kForever).status().code(),
            absl::StatusCode::kNotFound);  // nothing half-written
}

TEST_F(QueueServiceTest, ClaimsComeWithRunScopedCredentials) {
  v1::CreateTaskRequest request = Request({"secrets:get:x"});
  ASSERT_TRUE(service_.CreateTask(root_, request, kForever).ok());
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(4);
  auto claimed = service_.ClaimWork(worker_, claim, nullptr);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->tasks_size(), 1);
  const v1::TaskClaim& c = claimed->tasks(0);
  EXPECT_EQ(c.task_id(), request.task_id());
  EXPECT_EQ(c.status().state(), v1::TASK_STATE_RUNNING);
  std::string run_ref = request.task_id() + "/0";
  EXPECT_EQ(c.credentials().client_id().rfind("task-client/" + run_ref + "/on/wg/w1/until/", 0), 0u)
      << c.credentials().client_id();
  nlohmann::json cert = nlohmann::json::parse(c.credentials().certificate());
  EXPECT_EQ(cert["issuer"], "static/bulwark/queue");
  EXPECT_EQ(cert["scopes"],
            nlohmann::json({"secrets:get:x", "queue:reclaim-task:" + run_ref,
                            "queue:resolve-task:" + run_ref, "queue:create-artifact:" + run_ref}));
  EXPECT_EQ(cert["expiry"].get<int64_t>(), absl::ToUnixMillis(FromProtoTimestamp(c.taken_until())));
  // Another worker identity needs its own scopes.
  claim.set_worker_id("w2");
  EXPECT_EQ(service_.ClaimWork(worker_, claim, nullptr).status().code(),
            absl::StatusCode::kPermissionDenied);
  claim.set_tasks(0);
  EXPECT_EQ(service_.ClaimWork(worker_, claim, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QueueServiceTest, ClaimWorkWaitsBoundedAndWakesForNewWork) {
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(1);
  claim.set_wait_seconds(1);
  absl::Time start = absl::Now();
  auto empty = service_.ClaimWork(worker_, claim, nullptr);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->tasks_size(), 0);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900));
  claim.set_wait_seconds(21);
  EXPECT_EQ(service_.ClaimWork(worker_, claim, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A waiting claimer gets a task created meanwhile.
  claim.set_wait_seconds(10);
  std::thread creator([&] {
    ASSERT_TRUE(service_.AwaitWaitingClaims(1, absl::Seconds(5)));
    ASSERT_TRUE(service_.CreateTask(root_, Request(), kForever).ok());
  });
  auto got = service_.ClaimWork(worker_, claim, nullptr);
  creator.join();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tasks_size(), 1);
}

TEST_F(QueueServiceTest, ReportsNeedRunScopesAndRetryAsTheReferenceSays) {
  v1::CreateTaskRequest request = Request();
  request.mutable_task()->set_retries(1);
  ASSERT_TRUE(service_.CreateTask(root_, request, kForever).ok());
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(1);
  ASSERT_EQ(service_.ClaimWork(worker_, claim, nullptr)->tasks_size(), 1);
  const std::string& id = request.task_id();
  EXPECT_EQ(
      service_
          .Report(worker_, id, 0, RunState::kCompleted, v1::EXCEPTION_REASON_UNSPECIFIED, kForever)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
  Caller run0{"task-client",
              {"queue:resolve-task:" + id + "/0", "queue:resolve-task:" + id + "/1"}};
  EXPECT_EQ(
      service_
          .Report(run0, id, 0, RunState::kException, v1::EXCEPTION_REASON_CLAIM_EXPIRED, kForever)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);  // a queue-only reason
  auto status = service_.Report(run0, id, 0, RunState::kException,
                                v1::EXCEPTION_REASON_WORKER_SHUTDOWN, kForever);
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_EQ(status->runs_size(), 2);
  EXPECT_EQ(status->runs(1).reason_created(), "retry");
  EXPECT_EQ(status->state(), v1::TASK_STATE_PENDING);
  ASSERT_EQ(service_.ClaimWork(worker_, claim, nullptr)->tasks_size(), 1);
  status =
      service_.Report(run0, id, 1, RunState::kFailed, v1::EXCEPTION_REASON_UNSPECIFIED, kForever);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state(), v1::TASK_STATE_FAILED);
  EXPECT_EQ(
      service_.Report(run0, id, 1, RunState::kCompleted, v1::EXCEPTION_REASON_UNSPECIFIED, kForever)
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(QueueServiceTest, ArtifactsCarryHashesAndReadScopes) {
  v1::CreateTaskRequest request = Request();
  ASSERT_TRUE(service_.CreateTask(root_, request, kForever).ok());
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(1);
  ASSERT_EQ(service_.ClaimWork(worker_, claim, nullptr)->tasks_size(), 1);
  const std::string& id = request.task_id();
  Caller run{"task-client", {"queue:create-artifact:" + id + "/0"}};
  v1::CreateArtifactRequest put;
  put.set_task_id(id);
  put.set_run_id(0);
  put.set_name("public/logs/live.log");
  put.set_content("hello");
  auto artifact = service_.CreateArtifact(run, put, kForever);
  ASSERT_TRUE(artifact.ok()) << artifact.status();
  EXPECT_EQ(artifact->sha256(), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(artifact->content_type(), "application/octet-stream");
  Caller anonymous{"", {"queue:get-artifact:public/*"}};
  auto got = service_.GetArtifact(anonymous, id, std::nullopt, "public/logs/live.log", kForever);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->content(), "hello");
  put.set_name("private/secret.txt");
  ASSERT_TRUE(service_.CreateArtifact(run, put, kForever).ok());
  EXPECT_EQ(service_.GetArtifact(anonymous, id, 0, "private/secret.txt", kForever).status().code(),
            absl::StatusCode::kPermissionDenied);
  options_.max_artifact_bytes = 4;
  QueueService small(options_, store_, hawk::Credentials{"q", std::string(44, 'q'), "", {}}, clock_,
                     random_);
  put.set_name("public/big");
  EXPECT_EQ(small.CreateArtifact(run, put, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  put.set_name("/absolute");
  EXPECT_EQ(service_.CreateArtifact(run, put, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::queue
