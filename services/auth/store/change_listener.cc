#include "services/auth/store/change_listener.h"

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "libraries/logging/log.h"
#include "services/auth/store/postgres_auth_store.h"

namespace bulwark::auth {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::function<void(const Change&)>& on_change)
      : pqxx::notification_receiver(c, kAuthChangeChannel), on_change_(on_change) {}
  void operator()(const std::string& payload, int) override {
    Change change;
    if (ParseChange(payload, &change)) {
      on_change_(change);
    } else {
      LogWarning("ignored an unknown auth change notification", {{"payload", payload}});
    }
  }

 private:
  const std::function<void(const Change&)>& on_change_;
};

}  // namespace

bool ParseChange(const std::string& payload, Change* change) {
  if (payload == "clients") {
    *change = {Change::Kind::kAllClients, ""};
  } else if (payload == "roles") {
    *change = {Change::Kind::kAllRoles, ""};
  } else if (absl::StartsWith(payload, "client:")) {
    *change = {Change::Kind::kClient, payload.substr(7)};
  } else if (absl::StartsWith(payload, "role:")) {
    *change = {Change::Kind::kRole, payload.substr(5)};
  } else {
    return false;
  }
  return true;
}

void ChangeListener::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ChangeListener::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

bool ChangeListener::WaitUntilListening(absl::Duration timeout) {
  return listening_.WaitForNotificationWithTimeout(timeout);
}

void ChangeListener::Run() {
  absl::Duration backoff = absl::Milliseconds(200);
  bool first = true;
  while (!stop_.HasBeenNotified()) {
    try {
      pqxx::connection conn(dsn_);
      Receiver receiver(conn, on_change_);
      conn.await_notification(0, 0);  // issues LISTEN
      // Changes made before LISTEN took effect (at start, or while disconnected) were not
      // announced to us: resynchronize once we are listening.
      if (!first) LogInfo("change notifications resumed; resynchronizing");
      on_resync_();
      first = false;
      backoff = absl::Milliseconds(200);
      if (!listening_.HasBeenNotified()) listening_.Notify();
      while (!stop_.HasBeenNotified()) {
        conn.await_notification(0, 200000);  // wake every 200 ms to notice Stop
      }
    } catch (const std::exception& e) {
      first = false;
      LogWarning("change notifications interrupted; reconnecting",
                 {{"error", std::string(e.what()).substr(0, 200)}});
      stop_.WaitForNotificationWithTimeout(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }
  }
}

}  // namespace bulwark::auth
