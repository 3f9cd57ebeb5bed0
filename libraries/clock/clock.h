// File: libraries/clock/clock.h
//
// Clock: the injected source of time for all Bulwark logic (Debian's Abseil predates
// absl::Clock). Production code takes a `Clock&` and passes `Clock::Real()` from main; tests
// pass a SimulatedClock and move time by hand, so no test sleeps on the wall clock.
//
//   Now()                 the current time
//   SleepUntil(t, stop)   blocks until Now() >= t or `stop` is notified; true when `t` came.
//                         On a SimulatedClock it wakes when Advance/Set reaches `t`.
//
// Clock time is logical time (schedules, expiries, `created`). Deadlines handed to gRPC and
// PostgreSQL are always wall-clock (absl::Now() based), whatever the clock: they bound real work.
//
// Thread-safety: both implementations are safe to call from any thread.

#ifndef BULWARK_LIBRARIES_CLOCK_CLOCK_H_
#define BULWARK_LIBRARIES_CLOCK_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace bulwark {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  virtual bool SleepUntil(absl::Time t, const absl::Notification& stop) const = 0;

  // The process-wide wall clock.
  static Clock& Real();
};

// A clock that moves only when told to. Starts at `start`.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::FromUnixSeconds(1700000000)) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  bool SleepUntil(absl::Time t, const absl::Notification& stop) const override;
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CLOCK_CLOCK_H_
