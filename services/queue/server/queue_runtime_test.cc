// The queue's background work on a simulated clock: the sweeper resolves a claim once, and only
// once, the injected clock has passed its expiry.
#include "services/queue/server/queue_runtime.h"

#include <memory>

#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "services/queue/service/test_tasks.h"
#include "services/queue/store/in_memory_queue_store.h"

namespace bulwark::queue {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);

class SweeperTest : public ::testing::Test {
 protected:
  // A service with `options` on the simulated clock, holding one task (request_) whose run 0 is
  // claimed by wg/w1.
  void StartWithAClaimedTask(const QueueService::Options& options) {
    service_ = std::make_unique<QueueService>(options, store_, TestIssuer(), clock_, random_);
    request_ = NewTaskRequest(random_, clock_.Now(), absl::Hours(2));
    absl::Status claimed = CreateAndClaim(*service_, root_, root_, request_);
    ASSERT_TRUE(claimed.ok()) << claimed;
  }

  SimulatedClock clock_{absl::Now()};
  SeededRandom random_{7};
  InMemoryQueueStore store_;
  std::unique_ptr<QueueService> service_;
  v1::CreateTaskRequest request_;
  Caller root_{"static/bulwark/root", {"*"}};
};

TEST_F(SweeperTest, ResolvesAnExpiredClaimOnTheRoundAfterTheInjectedClockPassesIt) {
  QueueService::Options options;
  options.claim_timeout = absl::Minutes(20);
  ASSERT_NO_FATAL_FAILURE(StartWithAClaimedTask(options));

  auto sweeper = StartSweeper(*service_, clock_, absl::Seconds(5));
  clock_.Advance(absl::Seconds(5));
  ASSERT_TRUE(sweeper->WaitForRounds(1, kWait));
  auto status = service_->GetTaskStatus(root_, request_.task_id(), absl::InfiniteFuture());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state(), v1::TASK_STATE_RUNNING) << "swept before the claim expired";

  clock_.Advance(absl::Minutes(20));
  ASSERT_TRUE(sweeper->WaitForRounds(2, kWait));
  status = service_->GetTaskStatus(root_, request_.task_id(), absl::InfiniteFuture());
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->runs_size(), 2);
  EXPECT_EQ(status->runs(0).reason_resolved(), "claim-expired");
  EXPECT_EQ(status->runs(1).state(), v1::TASK_STATE_PENDING);
  EXPECT_EQ(sweeper->failures(), 0);
}

TEST_F(SweeperTest, DiscardsAnIdleUploadOnlyOnceTheInjectedClockPassesItsTimeout) {
  QueueService::Options options;
  options.upload_idle_timeout = absl::Minutes(10);
  ASSERT_NO_FATAL_FAILURE(StartWithAClaimedTask(options));
  // A stream that broke without the service seeing it end leaves its upload staged.
  auto upload = store_.BeginUpload(request_.task_id(), 0, "public/stalled.bin", clock_.Now(),
                                   absl::InfiniteFuture());
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE(
      store_.AppendUpload(*upload, 0, {"partial"}, clock_.Now(), absl::InfiniteFuture()).ok());

  auto sweeper = StartSweeper(*service_, clock_, absl::Minutes(1));
  clock_.Advance(absl::Minutes(9));
  ASSERT_TRUE(sweeper->WaitForRounds(1, kWait));
  EXPECT_TRUE(store_.AppendUpload(*upload, 1, {"more"}, clock_.Now(), absl::InfiniteFuture()).ok())
      << "discarded before it was idle for 10 minutes";
  clock_.Advance(absl::Minutes(11));
  ASSERT_TRUE(sweeper->WaitForRounds(2, kWait));
  EXPECT_EQ(store_.AppendUpload(*upload, 2, {"late"}, clock_.Now(), absl::InfiniteFuture()).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(sweeper->failures(), 0);
}

}  // namespace
}  // namespace bulwark::queue
