#include "libraries/clock/periodic_task.h"

#include <algorithm>
#include <utility>

#include "libraries/logging/log.h"

namespace bulwark {

std::unique_ptr<PeriodicTask> PeriodicTask::Start(Options options, const Clock& clock,
                                                  Round round) {
  std::unique_ptr<PeriodicTask> task(new PeriodicTask(std::move(options), clock, std::move(round)));
  // The first round is scheduled before Start returns: a test may move the clock at once.
  const Clock& c = task->clock_;
  absl::Time first = task->options_.run_at_start ? c.Now() : c.Now() + task->options_.interval;
  task->thread_ = std::thread([t = task.get(), first] { t->Loop(first); });
  return task;
}

PeriodicTask::PeriodicTask(Options options, const Clock& clock, Round round)
    : options_(std::move(options)), clock_(clock), round_(std::move(round)) {}

void PeriodicTask::Loop(absl::Time next) {
  absl::Duration backoff = options_.retry_backoff;
  while (clock_.SleepUntil(next, stop_)) {
    if (stop_.HasBeenNotified()) break;
    absl::Status status = round_(absl::Now() + options_.timeout);
    absl::Duration wait = options_.interval;
    if (status.ok()) {
      backoff = options_.retry_backoff;
    } else {
      LogWarning(options_.name + " failed", {{"error", std::string(status.message())},
                                             {"code", absl::StatusCodeToString(status.code())}});
      if (backoff > absl::ZeroDuration()) {
        wait = std::min(backoff, options_.interval);
        backoff = std::min(backoff * 2, options_.interval);
      }
    }
    // The next round is scheduled before the round is counted, so that whoever waits for the
    // count and then moves a simulated clock moves it past a schedule already made.
    next = clock_.Now() + wait;
    absl::MutexLock lock(&mu_);
    ++rounds_;
    if (!status.ok()) ++failures_;
  }
}

void PeriodicTask::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

int64_t PeriodicTask::rounds() const {
  absl::MutexLock lock(&mu_);
  return rounds_;
}

int64_t PeriodicTask::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

bool PeriodicTask::WaitForRounds(int64_t n, absl::Duration timeout) const {
  struct Reached {
    const int64_t* rounds;
    int64_t n;
    bool operator()() const { return *rounds >= n; }
  } reached{&rounds_, n};
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

}  // namespace bulwark
