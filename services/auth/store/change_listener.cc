#include "services/auth/store/change_listener.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "libraries/logging/log.h"
#include "services/auth/store/postgres_auth_store.h"

namespace bulwark::auth {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::function<void(const Change&)> on_change)
      : pqxx::notification_receiver(c, kAuthChangeChannel), on_change_(std::move(on_change)) {}
  void operator()(const std::string& payload, int) override {
    Change change;
    if (ParseChange(payload, &change)) {
      on_change_(change);
    } else {
      LogWarning("ignored an unknown auth change notification",
                 {{"payload", payload.substr(0, 100)}});
    }
  }

 private:
  const std::function<void(const Change&)> on_change_;
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

void ChangeListener::Admit(const Change& change) {
  const bool full =
      change.kind == Change::Kind::kAllClients || change.kind == Change::Kind::kAllRoles;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    if (refilled_ != absl::InfinitePast() && now > refilled_) {
      tokens_ = std::min<double>(
          budget_.burst, tokens_ + absl::ToDoubleSeconds(now - refilled_) * budget_.per_second);
    }
    refilled_ = now;
    const bool admitted = tokens_ >= 1 && (!full || now - last_resync_ >= budget_.resync_interval);
    if (!admitted) {
      ++refused_;
      resync_pending_ = true;
      return;
    }
    tokens_ -= 1;
    if (full) last_resync_ = now;
  }
  on_change_(change);
}

void ChangeListener::Resynced() {
  absl::MutexLock lock(&mu_);
  last_resync_ = clock_.Now();
  resync_pending_ = false;
}

void ChangeListener::MaybeResync() {
  {
    absl::MutexLock lock(&mu_);
    if (!resync_pending_ || clock_.Now() - last_resync_ < budget_.resync_interval) return;
  }
  LogInfo("auth change notifications over budget; resynchronizing once");
  Resynced();
  on_resync_();
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
      Receiver receiver(conn, [this](const Change& change) { Admit(change); });
      conn.await_notification(0, 0);  // issues LISTEN
      // Changes made before LISTEN took effect (at start, or while disconnected) were not
      // announced to us: resynchronize once we are listening.
      if (!first) LogInfo("change notifications resumed; resynchronizing");
      Resynced();
      on_resync_();
      first = false;
      backoff = absl::Milliseconds(200);
      if (!listening_.HasBeenNotified()) listening_.Notify();
      while (!stop_.HasBeenNotified()) {
        conn.await_notification(0, 200000);  // wake every 200 ms to notice Stop
        MaybeResync();
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
