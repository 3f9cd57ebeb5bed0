#include "libraries/clock/clock.h"

namespace bulwark {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  bool SleepUntil(absl::Time t, const absl::Notification& stop) const override {
    return !stop.WaitForNotificationWithDeadline(t);
  }
};

// How often a sleeper on a simulated clock looks at `stop` while time stands still.
constexpr absl::Duration kStopPoll = absl::Milliseconds(5);

}  // namespace

Clock& Clock::Real() {
  static RealClock* const clock = new RealClock();
  return *clock;
}

bool SimulatedClock::SleepUntil(absl::Time t, const absl::Notification& stop) const {
  struct Reached {
    const absl::Time* now;
    absl::Time t;
    bool operator()() const { return *now >= t; }
  } reached{&now_, t};
  absl::MutexLock lock(&mu_);
  while (now_ < t) {
    if (stop.HasBeenNotified()) return false;
    // Advance and Set change now_ under mu_, so this wakes as soon as time reaches t; the
    // timeout only bounds how late `stop` is noticed.
    mu_.AwaitWithTimeout(absl::Condition(&reached), kStopPoll);
  }
  return true;
}

}  // namespace bulwark
