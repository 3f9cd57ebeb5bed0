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
// Thread-safety: callbacks run on the listener's thread, one at a time. Start/Stop are to be
// called from one owning thread. Errors: connection failures are logged and retried.

#ifndef BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_
#define BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace bulwark::auth {

struct Change {
  enum class Kind { kClient, kRole, kAllClients, kAllRoles };
  Kind kind;
  std::string id;  // empty for kAll*
};

// Parses a notification payload; nullopt-like kAllClients for anything unrecognized would
// hide bugs, so unknown payloads yield false.
bool ParseChange(const std::string& payload, Change* change);

class ChangeListener {
 public:
  ChangeListener(std::string dsn, std::function<void(const Change&)> on_change,
                 std::function<void()> on_resync)
      : dsn_(std::move(dsn)), on_change_(std::move(on_change)), on_resync_(std::move(on_resync)) {}
  ~ChangeListener() { Stop(); }

  void Start();
  void Stop();
  // Blocks until the listener has subscribed once (for tests), or `timeout` passes.
  bool WaitUntilListening(absl::Duration timeout);

 private:
  void Run();

  const std::string dsn_;
  const std::function<void(const Change&)> on_change_;
  const std::function<void()> on_resync_;
  absl::Notification stop_;
  absl::Notification listening_;
  std::thread thread_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_CHANGE_LISTENER_H_
