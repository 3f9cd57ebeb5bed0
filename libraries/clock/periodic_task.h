// File: libraries/clock/periodic_task.h
//
// PeriodicTask: one background thread that runs a function every `interval` of an injected
// Clock, until stopped. Every service's background work (auth's purge and resync, the queue's
// sweeper, the hooks scheduler) runs on one, so each loop can be driven by a SimulatedClock in a
// unit test and no loop calls absl::Now() for its schedule.
//
//   auto sweeper = PeriodicTask::Start({.name = "sweep", .interval = absl::Seconds(5)}, clock,
//                                      [&](absl::Time deadline) { return Sweep(deadline); });
//   ...
//   sweeper->Stop();   // or destroy it
//
// Each round gets a wall-clock deadline of `timeout` from its start (work is bounded even when
// the clock is simulated). A round that fails is logged as a warning with the task's name; with
// `retry_backoff` set, the next round comes after that backoff (doubling per failure, never more
// than `interval`) instead of a whole interval. The first round runs at start when
// `run_at_start`, otherwise one interval after it.
//
// Thread-safety: Start, Stop and the accessors may be called from any thread; Stop blocks until
// the round in progress (if any) has returned. The function runs on the task's own thread only.
// Errors: none; the function's failures are logged and counted.

#ifndef BULWARK_LIBRARIES_CLOCK_PERIODIC_TASK_H_
#define BULWARK_LIBRARIES_CLOCK_PERIODIC_TASK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libraries/clock/clock.h"

namespace bulwark {

class PeriodicTask {
 public:
  struct Options {
    std::string name;                                     // in log lines: "<name> failed"
    absl::Duration interval = absl::Seconds(10);          // on the injected clock
    absl::Duration timeout = absl::Seconds(30);           // each round's wall-clock deadline
    absl::Duration retry_backoff = absl::ZeroDuration();  // 0: a failed round waits `interval`
    bool run_at_start = false;
  };
  using Round = std::function<absl::Status(absl::Time deadline)>;

  static std::unique_ptr<PeriodicTask> Start(Options options, const Clock& clock, Round round);
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Idempotent. After it returns, the function is not running and never runs again.
  void Stop();

  // Rounds that returned, and how many of them failed.
  int64_t rounds() const;
  int64_t failures() const;
  // Blocks until at least `n` rounds have returned or `timeout` (wall clock) passes; returns
  // whether they had. For tests that advance a SimulatedClock.
  bool WaitForRounds(int64_t n, absl::Duration timeout) const;

 private:
  PeriodicTask(Options options, const Clock& clock, Round round);
  void Loop(absl::Time next);

  const Options options_;
  const Clock& clock_;
  const Round round_;
  absl::Notification stop_;
  mutable absl::Mutex mu_;
  int64_t rounds_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CLOCK_PERIODIC_TASK_H_
