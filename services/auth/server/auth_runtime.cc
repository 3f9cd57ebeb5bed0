#include "services/auth/server/auth_runtime.h"

#include "libraries/logging/log.h"
#include "libraries/status/status_macros.h"

namespace bulwark::auth {
namespace {

constexpr absl::Duration kBackgroundCallTimeout = absl::Seconds(30);

}  // namespace

absl::StatusOr<std::unique_ptr<AuthRuntime>> AuthRuntime::Create(const AuthConfig& config,
                                                                 pg::ConnectionPool& pool,
                                                                 const std::string& database_dsn,
                                                                 Clock& clock) {
  std::unique_ptr<AuthRuntime> rt(new AuthRuntime());
  rt->clock_ = &clock;
  BULWARK_ASSIGN_OR_RETURN(crypto::Keyring keyring,
                           crypto::Keyring::FromJson(config.token_keys, Random::Secure()));
  rt->sealer_ = std::make_unique<KeyringTokenSealer>(std::move(keyring));
  if (!config.signing_keys.empty()) {
    BULWARK_ASSIGN_OR_RETURN(crypto::SigningKeyring ring,
                             crypto::SigningKeyring::FromJson(config.signing_keys));
    rt->signing_keys_ = std::make_unique<crypto::SigningKeyring>(std::move(ring));
  }
  rt->store_ = std::make_unique<PostgresAuthStore>(pool);
  AuthService::Options options;
  options.clock_skew = config.clock_skew;
  options.service_account_issuer = config.service_account_issuer;
  options.service_account_allowlist = config.service_account_allowlist;
  options.max_token_lifetime = config.max_token_lifetime;
  AuthService::Dependencies deps;
  deps.store = rt->store_.get();
  deps.sealer = rt->sealer_.get();
  deps.signing_keys = rt->signing_keys_.get();
  deps.clock = &clock;
  deps.random = &Random::Secure();
  // The database may still be starting (Kubernetes starts everything at once): retry a while.
  absl::Time give_up = absl::Now() + absl::Seconds(60);
  absl::StatusOr<std::unique_ptr<AuthService>> service;
  while (true) {
    service = AuthService::Create(options, deps, absl::Now() + kBackgroundCallTimeout);
    if (service.ok() || service.status().code() != absl::StatusCode::kUnavailable ||
        absl::Now() > give_up) {
      break;
    }
    LogWarning("database not reachable yet; retrying",
               {{"error", std::string(service.status().message())}});
    absl::SleepFor(absl::Seconds(2));
  }
  if (!service.ok()) return service.status();
  rt->service_ = std::move(*service);
  BULWARK_RETURN_IF_ERROR(rt->service_->clients().SyncStaticClients(
      config.static_clients, absl::Now() + kBackgroundCallTimeout));
  LogInfo("static clients synced", {{"count", config.static_clients.size()}});

  AuthService* svc = rt->service_.get();
  rt->listener_ = std::make_unique<ChangeListener>(
      database_dsn,
      [svc](const Change& change) {
        absl::Time deadline = absl::Now() + kBackgroundCallTimeout;
        absl::Status s;
        switch (change.kind) {
          case Change::Kind::kClient:
            svc->OnClientChanged(change.id);
            break;
          case Change::Kind::kRole:
            s = svc->OnRoleChanged(change.id, deadline);
            break;
          case Change::Kind::kAllClients:
            svc->credentials().InvalidateAll();
            break;
          case Change::Kind::kAllRoles:
            s = svc->roles().ReloadAll(deadline);
            break;
        }
        if (!s.ok()) LogWarning("could not apply a change", {{"error", std::string(s.message())}});
      },
      [svc] {
        absl::Status s = svc->Resync(absl::Now() + kBackgroundCallTimeout);
        if (!s.ok()) LogWarning("resync failed", {{"error", std::string(s.message())}});
      });
  rt->listener_->Start();
  if (!rt->listener_->WaitUntilListening(absl::Seconds(10))) {
    LogWarning("change notifications not yet established; other replicas' changes may lag");
  }
  rt->background_ = std::thread([r = rt.get(), config] { r->BackgroundLoop(config); });
  return rt;
}

void AuthRuntime::BackgroundLoop(AuthConfig config) {
  absl::Time next_purge = absl::Now();
  absl::Time next_reload = absl::Now() + config.role_reload_interval;
  while (!stop_.WaitForNotificationWithTimeout(absl::Seconds(1))) {
    absl::Time now = absl::Now();
    if (now >= next_purge) {
      absl::StatusOr<int> purged = service_->clients().PurgeExpired(now + kBackgroundCallTimeout);
      if (!purged.ok()) {
        LogWarning("purging expired clients failed",
                   {{"error", std::string(purged.status().message())}});
      } else if (*purged > 0) {
        LogInfo("purged expired clients", {{"count", *purged}});
      }
      next_purge = now + config.purge_interval;
    }
    if (now >= next_reload) {
      // A safety net besides notifications: forget cached clients and reload every role.
      absl::Status s = service_->Resync(now + kBackgroundCallTimeout);
      if (!s.ok()) LogWarning("periodic resync failed", {{"error", std::string(s.message())}});
      next_reload = now + config.role_reload_interval;
    }
  }
}

void AuthRuntime::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (background_.joinable()) background_.join();
  if (listener_) listener_->Stop();
}

}  // namespace bulwark::auth
