// The queue's background work on a simulated clock: the sweeper resolves a claim once, and only
// once, the injected clock has passed its expiry.
#include "services/queue/server/queue_runtime.h"

#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"
#include "services/queue/store/in_memory_queue_store.h"

namespace bulwark::queue {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);

TEST(SweeperTest, ResolvesAnExpiredClaimOnTheRoundAfterTheInjectedClockPassesIt) {
  SimulatedClock clock(absl::Now());
  SeededRandom random(7);
  InMemoryQueueStore store;
  QueueService::Options options;
  options.claim_timeout = absl::Minutes(20);
  QueueService service(options, store,
                       hawk::Credentials{"static/bulwark/queue", std::string(44, 'q'), "", {}},
                       clock, random);
  v1::CreateTaskRequest request;
  request.set_task_id(NiceSlugid(random));
  v1::TaskDefinition* t = request.mutable_task();
  t->set_task_queue_id("proj/linux");
  *t->mutable_created() = ToProtoTimestamp(clock.Now());
  *t->mutable_deadline() = ToProtoTimestamp(clock.Now() + absl::Hours(2));
  t->mutable_metadata()->set_name("n");
  t->mutable_metadata()->set_description("d");
  t->mutable_metadata()->set_owner("o@example.com");
  t->mutable_metadata()->set_source("https://example.com/repo");
  Caller root{"static/bulwark/root", {"*"}};
  ASSERT_TRUE(service.CreateTask(root, request, absl::InfiniteFuture()).ok());
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(1);
  ASSERT_EQ(service.ClaimWork(root, claim, nullptr)->tasks_size(), 1);

  auto sweeper = StartSweeper(service, clock, absl::Seconds(5));
  clock.Advance(absl::Seconds(5));
  ASSERT_TRUE(sweeper->WaitForRounds(1, kWait));
  auto status = service.GetTaskStatus(root, request.task_id(), absl::InfiniteFuture());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state(), v1::TASK_STATE_RUNNING) << "swept before the claim expired";

  clock.Advance(absl::Minutes(20));
  ASSERT_TRUE(sweeper->WaitForRounds(2, kWait));
  status = service.GetTaskStatus(root, request.task_id(), absl::InfiniteFuture());
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->runs_size(), 2);
  EXPECT_EQ(status->runs(0).reason_resolved(), "claim-expired");
  EXPECT_EQ(status->runs(1).state(), v1::TASK_STATE_PENDING);
  EXPECT_EQ(sweeper->failures(), 0);
}

}  // namespace
}  // namespace bulwark::queue

namespace bulwark::queue {
namespace {

TEST(SweeperTest, DiscardsAnIdleUploadOnlyOnceTheInjectedClockPassesItsTimeout) {
  SimulatedClock clock(absl::Now());
  SeededRandom random(8);
  InMemoryQueueStore store;
  QueueService::Options options;
  options.upload_idle_timeout = absl::Minutes(10);
  QueueService service(options, store,
                       hawk::Credentials{"static/bulwark/queue", std::string(44, 'q'), "", {}},
                       clock, random);
  v1::CreateTaskRequest request;
  request.set_task_id(NiceSlugid(random));
  v1::TaskDefinition* t = request.mutable_task();
  t->set_task_queue_id("proj/linux");
  *t->mutable_created() = ToProtoTimestamp(clock.Now());
  *t->mutable_deadline() = ToProtoTimestamp(clock.Now() + absl::Hours(2));
  t->mutable_metadata()->set_name("n");
  t->mutable_metadata()->set_description("d");
  t->mutable_metadata()->set_owner("o@example.com");
  t->mutable_metadata()->set_source("https://example.com/repo");
  Caller root{"static/bulwark/root", {"*"}};
  ASSERT_TRUE(service.CreateTask(root, request, absl::InfiniteFuture()).ok());
  v1::ClaimWorkRequest claim;
  claim.set_task_queue_id("proj/linux");
  claim.set_worker_group("wg");
  claim.set_worker_id("w1");
  claim.set_tasks(1);
  ASSERT_EQ(service.ClaimWork(root, claim, nullptr)->tasks_size(), 1);
  // A stream that broke without the service seeing it end leaves its upload staged.
  auto upload = store.BeginUpload(request.task_id(), 0, "public/stalled.bin", clock.Now(),
                                  absl::InfiniteFuture());
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE(
      store.AppendUpload(*upload, 0, {"partial"}, clock.Now(), absl::InfiniteFuture()).ok());

  auto sweeper = StartSweeper(service, clock, absl::Minutes(1));
  clock.Advance(absl::Minutes(9));
  ASSERT_TRUE(sweeper->WaitForRounds(1, kWait));
  EXPECT_TRUE(store.AppendUpload(*upload, 1, {"more"}, clock.Now(), absl::InfiniteFuture()).ok())
      << "discarded before it was idle for 10 minutes";
  clock.Advance(absl::Minutes(11));
  ASSERT_TRUE(sweeper->WaitForRounds(2, kWait));
  EXPECT_EQ(store.AppendUpload(*upload, 2, {"late"}, clock.Now(), absl::InfiniteFuture()).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(sweeper->failures(), 0);
}

}  // namespace
}  // namespace bulwark::queue
