// File: services/auth/store/change_listener.h
//
// ChangeListener: follows the auth service's change notifications (PostgreSQL LISTEN on
// kAuthChangeChannel) on a dedicated connection and background thread, so that every auth
// replica drops a cached client or refreshes a role within moments of a change made through
// any other replica. Payloads are "client:<id>", "role:<id>", or "clients" / "roles" (reload
// everything). Each time it starts listening — first at start, then after a broken
// connection is re-established — it calls `on_resync`, because changes made before LISTEN
// took effect were not announced to it.
//
//   ChangeListener listener(dsn, [&](const Change& c) { … }, [&] { ReloadEverything(); });
//   listener.Start();   // … Stop() or the destructor ends the thread
//
// Notifications are hints, never data (issue 13 item 7): PostgreSQL lets any role that can
// connect send on any channel (NOTIFY cannot be granted or revoked per channel, and pg_notify
// is executable by PUBLIC unless a superuser revokes it), so a payload only names what to
// re-read from the database, and the cost of following them is bounded: a token bucket
// (Budget) admits `per_second` notifications with bursts of `burst`; a full reload
// ("clients"/"roles") at most once per `resync_interval`. Whatever is refused is not lost but
// coalesced into one resync (`on_resync`), run when the interval allows (checked every 200 ms
// on the listener's clock), so a flood delays propagation by at most `resync_interval` and costs
// the service at most one reload per interval.
//
// Thread-safety: callbacks run on the listener's thread, one at a time. Start/Stop are to be
// called from one owning thread. Errors: connection failures are logged and retried.

#ifndef BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_
#define BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libraries/clock/clock.h"

namespace bulwark::auth {

struct Change {
  enum class Kind { kClient, kRole, kAllClients, kAllRoles };
  Kind kind;
  std::string id;  // empty for kAll*
};

// Parses a notification payload; nullopt-like kAllClients for anything unrecognized would
// hide bugs, so unknown payloads yield false.
bool ParseChange(const std::string& payload, Change* change);

// How many notifications a ChangeListener follows (see above).
struct ChangeBudget {
  double per_second = 20;
  int burst = 50;
  absl::Duration resync_interval = absl::Seconds(5);
};

class ChangeListener {
 public:
  using Budget = ChangeBudget;

  ChangeListener(std::string dsn, std::function<void(const Change&)> on_change,
                 std::function<void()> on_resync, Budget budget = Budget(),
                 const Clock& clock = Clock::Real())
      : dsn_(std::move(dsn)),
        on_change_(std::move(on_change)),
        on_resync_(std::move(on_resync)),
        budget_(budget),
        clock_(clock),
        tokens_(budget.burst) {}
  ~ChangeListener() { Stop(); }

  // Notifications refused by the budget so far (each is folded into a pending resync).
  int64_t refused() const {
    absl::MutexLock lock(&mu_);
    return refused_;
  }
  // Blocks until refused() >= n (for tests), or `timeout` passes; true if it was reached.
  bool WaitForRefused(int64_t n, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return refused_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

  void Start();
  void Stop();
  // Blocks until the listener has subscribed once (for tests), or `timeout` passes.
  bool WaitUntilListening(absl::Duration timeout);

 private:
  void Run();
  // On the listener's thread: applies `change` if the budget admits it, else marks a resync.
  void Admit(const Change& change);
  // On the listener's thread: runs on_resync_ if one is pending and the interval allows.
  void MaybeResync();
  void Resynced();

  const std::string dsn_;
  const std::function<void(const Change&)> on_change_;
  const std::function<void()> on_resync_;
  const Budget budget_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time refilled_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time last_resync_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool resync_pending_ ABSL_GUARDED_BY(mu_) = false;
  int64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Notification stop_;
  absl::Notification listening_;
  std::thread thread_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_
