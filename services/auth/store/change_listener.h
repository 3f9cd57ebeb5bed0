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
// In sync: the listener says whether its owner may rely on having heard every committed
// change (in_sync()). It is not in sync from construction until the first `on_resync` that
// succeeds after LISTEN; it falls out of sync at once when the connection breaks or an
// `on_change` fails, and comes back only after a later `on_resync` succeeds. A failed
// `on_resync` is retried with a backoff (100 ms doubling to 2 s) until it succeeds or Stop.
// `on_sync_state` (optional) is called on every transition, so that the owner can refuse to
// answer from what may be stale (auth: UNAVAILABLE and NOT_SERVING).
//
//   ChangeListener listener(dsn, [&](const Change& c) { return Apply(c); },
//                           [&] { return ReloadEverything(); },
//                           [&](bool in_sync) { SetInSync(in_sync); });
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
// the service at most one reload per interval. A refused notification does not take the
// listener out of sync (otherwise anyone who can connect could make auth NOT_SERVING by flooding
// the channel); the coalesced resync is run like any other (retried with the backoff, out of
// sync while it fails).
//
// Thread-safety: callbacks run on the listener's thread, one at a time. Start/Stop are to be
// called from one owning thread; in_sync() from any thread. Errors: connection failures and
// callback failures are logged and retried.

#ifndef BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_
#define BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
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

  ChangeListener(std::string dsn, std::function<absl::Status(const Change&)> on_change,
                 std::function<absl::Status()> on_resync,
                 std::function<void(bool in_sync)> on_sync_state = nullptr,
                 Budget budget = Budget(), const Clock& clock = Clock::Real())
      : dsn_(std::move(dsn)),
        on_change_(std::move(on_change)),
        on_resync_(std::move(on_resync)),
        on_sync_state_(std::move(on_sync_state)),
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
  // Whether every change committed before the last notification was applied (see above).
  bool in_sync() const { return in_sync_.load(); }

 private:
  void Run();
  // On the listener's thread: applies `change` if the budget admits it (its status), else
  // marks a resync pending (OK).
  absl::Status Admit(const Change& change);
  // On the listener's thread: whether a resync is pending and the interval allows it now.
  bool ResyncDue();
  // Records that a resync is starting (clears the pending one, restarts the interval).
  void Resynced();
  void SetInSync(bool in_sync);
  // Calls on_resync_ until it succeeds (true) or Stop (false).
  bool ResyncUntilDone();

  const std::string dsn_;
  const std::function<absl::Status(const Change&)> on_change_;
  const std::function<absl::Status()> on_resync_;
  const std::function<void(bool)> on_sync_state_;
  const Budget budget_;
  const Clock& clock_;
  std::atomic<bool> in_sync_{false};
  // Set (on the listener thread) when an on_change failed: resync before trusting the state.
  bool change_failed_ = false;
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
