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
  Receiver(pqxx::connection_base& c, std::function<absl::Status(const Change&)> on_change,
           bool& failed)
      : pqxx::notification_receiver(c, kAuthChangeChannel),
        on_change_(std::move(on_change)),
        failed_(failed) {}
  void operator()(const std::string& payload, int) override {
    Change change;
    if (ParseChange(payload, &change)) {
      absl::Status s = on_change_(change);
      if (!s.ok()) {
        LogWarning("could not apply a change; resynchronizing",
                   {{"payload", payload.substr(0, 100)}, {"error", std::string(s.message())}});
        failed_ = true;
      }
    } else {
      LogWarning("ignored an unknown auth change notification",
                 {{"payload", payload.substr(0, 100)}});
    }
  }

 private:
  const std::function<absl::Status(const Change&)> on_change_;
  bool& failed_;
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

absl::Status ChangeListener::Admit(const Change& change) {
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
      return absl::OkStatus();
    }
    tokens_ -= 1;
    if (full) last_resync_ = now;
  }
  return on_change_(change);
}

void ChangeListener::Resynced() {
  absl::MutexLock lock(&mu_);
  last_resync_ = clock_.Now();
  resync_pending_ = false;
}

bool ChangeListener::ResyncDue() {
  absl::MutexLock lock(&mu_);
  return resync_pending_ && clock_.Now() - last_resync_ >= budget_.resync_interval;
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

void ChangeListener::SetInSync(bool in_sync) {
  if (in_sync_.exchange(in_sync) == in_sync) return;
  if (in_sync) {
    LogInfo("change notifications in sync");
  } else {
    LogWarning("change notifications out of sync; refusing to answer from cached state");
  }
  if (on_sync_state_) on_sync_state_(in_sync);
}

bool ChangeListener::ResyncUntilDone() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stop_.HasBeenNotified()) {
    Resynced();
    absl::Status s = on_resync_();
    if (s.ok()) return true;
    SetInSync(false);
    LogWarning("resync failed; retrying", {{"error", std::string(s.message())},
                                           {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    if (stop_.WaitForNotificationWithTimeout(backoff)) break;
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
  return false;
}

void ChangeListener::Run() {
  absl::Duration backoff = absl::Milliseconds(200);
  bool first = true;
  while (!stop_.HasBeenNotified()) {
    try {
      pqxx::connection conn(dsn_);
      Receiver receiver(
          conn, [this](const Change& change) { return Admit(change); }, change_failed_);
      conn.await_notification(0, 0);  // issues LISTEN
      // Changes made before LISTEN took effect (at start, or while disconnected) were not
      // announced to us: resynchronize once we are listening, until it succeeds.
      if (!first) LogInfo("change notifications resumed; resynchronizing");
      first = false;
      change_failed_ = false;
      if (!ResyncUntilDone()) break;
      SetInSync(true);
      backoff = absl::Milliseconds(200);
      if (!listening_.HasBeenNotified()) listening_.Notify();
      while (!stop_.HasBeenNotified()) {
        conn.await_notification(0, 200000);  // wake every 200 ms to notice Stop
        if (change_failed_) {
          SetInSync(false);
          change_failed_ = false;
          if (!ResyncUntilDone()) break;
          SetInSync(true);
        } else if (ResyncDue()) {
          // Notifications refused by the budget, coalesced into one reload per interval.
          LogInfo("auth change notifications over budget; resynchronizing once");
          if (!ResyncUntilDone()) break;
          SetInSync(true);
        }
      }
    } catch (const std::exception& e) {
      first = false;
      SetInSync(false);
      LogWarning("change notifications interrupted; reconnecting",
                 {{"error", std::string(e.what()).substr(0, 200)}});
      stop_.WaitForNotificationWithTimeout(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(2));
    }
  }
}

}  // namespace bulwark::auth
