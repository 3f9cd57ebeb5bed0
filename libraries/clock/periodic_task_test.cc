#include "libraries/clock/periodic_task.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"

namespace bulwark {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);         // a bound for a round that must happen
constexpr absl::Duration kQuiet = absl::Milliseconds(200);  // for a round that must not

TEST(PeriodicTaskTest, RunsOncePerIntervalOfTheInjectedClock) {
  SimulatedClock clock;
  std::atomic<int> calls{0};
  auto task =
      PeriodicTask::Start({.name = "test", .interval = absl::Minutes(5)}, clock, [&](absl::Time) {
        ++calls;
        return absl::OkStatus();
      });
  EXPECT_FALSE(task->WaitForRounds(1, kQuiet)) << "ran before one interval had passed";
  clock.Advance(absl::Minutes(4));
  EXPECT_FALSE(task->WaitForRounds(1, kQuiet));
  clock.Advance(absl::Minutes(1));
  ASSERT_TRUE(task->WaitForRounds(1, kWait));
  clock.Advance(absl::Minutes(5));
  ASSERT_TRUE(task->WaitForRounds(2, kWait));
  task->Stop();
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(task->failures(), 0);
}

TEST(PeriodicTaskTest, RunAtStartRunsAtOnce) {
  SimulatedClock clock;
  auto task =
      PeriodicTask::Start({.name = "test", .interval = absl::Hours(1), .run_at_start = true}, clock,
                          [](absl::Time) { return absl::OkStatus(); });
  EXPECT_TRUE(task->WaitForRounds(1, kWait));
}

TEST(PeriodicTaskTest, EachRoundGetsItsOwnWallClockDeadline) {
  SimulatedClock clock(absl::FromUnixSeconds(0));  // far from the wall clock on purpose
  std::vector<absl::Time> deadlines;
  absl::Mutex mu;
  auto task = PeriodicTask::Start({.name = "test",
                                   .interval = absl::Seconds(1),
                                   .timeout = absl::Seconds(7),
                                   .run_at_start = true},
                                  clock, [&](absl::Time deadline) {
                                    absl::MutexLock lock(&mu);
                                    deadlines.push_back(deadline);
                                    return absl::OkStatus();
                                  });
  ASSERT_TRUE(task->WaitForRounds(1, kWait));
  task->Stop();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(deadlines.size(), 1u);
  absl::Duration ahead = deadlines[0] - absl::Now();
  EXPECT_GT(ahead, absl::Seconds(5));
  EXPECT_LE(ahead, absl::Seconds(7));
}

TEST(PeriodicTaskTest, FailedRoundsRetryAfterADoublingBackoffCappedAtTheInterval) {
  SimulatedClock clock;
  std::atomic<int> calls{0};
  auto task = PeriodicTask::Start({.name = "resync",
                                   .interval = absl::Seconds(10),
                                   .retry_backoff = absl::Seconds(2),
                                   .run_at_start = true},
                                  clock, [&](absl::Time) {
                                    return ++calls <= 4 ? absl::UnavailableError("database down")
                                                        : absl::OkStatus();
                                  });
  ASSERT_TRUE(task->WaitForRounds(1, kWait));  // failed at t=0; retry at +2 s
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(task->WaitForRounds(2, kQuiet));
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(task->WaitForRounds(2, kWait));  // failed again; next after 4 s
  clock.Advance(absl::Seconds(3));
  EXPECT_FALSE(task->WaitForRounds(3, kQuiet));
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(task->WaitForRounds(3, kWait));  // failed; next after 8 s
  clock.Advance(absl::Seconds(8));
  ASSERT_TRUE(task->WaitForRounds(4, kWait));  // failed; backoff would be 16 s, capped at 10 s
  clock.Advance(absl::Seconds(9));
  EXPECT_FALSE(task->WaitForRounds(5, kQuiet));
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(task->WaitForRounds(5, kWait));  // succeeded: back to the interval
  EXPECT_EQ(task->failures(), 4);
  clock.Advance(absl::Seconds(2));
  EXPECT_FALSE(task->WaitForRounds(6, kQuiet));
}

TEST(PeriodicTaskTest, WithoutBackoffAFailedRoundWaitsAWholeInterval) {
  SimulatedClock clock;
  auto task =
      PeriodicTask::Start({.name = "sweep", .interval = absl::Seconds(10), .run_at_start = true},
                          clock, [](absl::Time) { return absl::UnavailableError("down"); });
  ASSERT_TRUE(task->WaitForRounds(1, kWait));
  clock.Advance(absl::Seconds(9));
  EXPECT_FALSE(task->WaitForRounds(2, kQuiet));
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(task->WaitForRounds(2, kWait));
}

TEST(PeriodicTaskTest, StopWakesASleepingTaskAndNoRoundFollows) {
  SimulatedClock clock;
  std::atomic<int> calls{0};
  auto task =
      PeriodicTask::Start({.name = "test", .interval = absl::Hours(1)}, clock, [&](absl::Time) {
        ++calls;
        return absl::OkStatus();
      });
  absl::Time before = absl::Now();
  task->Stop();
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  clock.Advance(absl::Hours(2));
  task->Stop();  // idempotent
  EXPECT_EQ(calls.load(), 0);
}

TEST(PeriodicTaskTest, StopWaitsForTheRoundInProgress) {
  SimulatedClock clock;
  absl::Notification entered, release;
  std::atomic<bool> finished{false};
  auto task = PeriodicTask::Start(
      {.name = "test", .interval = absl::Hours(1), .run_at_start = true}, clock, [&](absl::Time) {
        entered.Notify();
        release.WaitForNotification();
        finished = true;
        return absl::OkStatus();
      });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(kWait));
  std::thread releaser([&] { release.Notify(); });
  task->Stop();
  EXPECT_TRUE(finished.load());
  releaser.join();
}

TEST(SimulatedClockTest, SleepUntilWakesWhenTimeIsSetPastTheTarget) {
  SimulatedClock clock(absl::FromUnixSeconds(100));
  absl::Notification stop;
  std::atomic<bool> woke{false};
  std::thread sleeper([&] { woke = clock.SleepUntil(absl::FromUnixSeconds(200), stop); });
  clock.Set(absl::FromUnixSeconds(250));
  sleeper.join();
  EXPECT_TRUE(woke.load());
}

TEST(SimulatedClockTest, SleepUntilReturnsFalseWhenStopped) {
  SimulatedClock clock;
  absl::Notification stop;
  std::thread stopper([&] { stop.Notify(); });
  EXPECT_FALSE(clock.SleepUntil(clock.Now() + absl::Hours(1), stop));
  stopper.join();
}

TEST(RealClockTest, SleepUntilAPastTimeReturnsAtOnce) {
  absl::Notification stop;
  EXPECT_TRUE(Clock::Real().SleepUntil(absl::Now() - absl::Seconds(1), stop));
}

}  // namespace
}  // namespace bulwark
