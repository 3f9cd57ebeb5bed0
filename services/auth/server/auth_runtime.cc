#include "services/auth/server/auth_runtime.h"

#include "absl/strings/escaping.h"
#include "libraries/client/channel.h"
#include "libraries/crypto/random.h"
#include "libraries/logging/log.h"
#include "libraries/pg/connection_safety.h"
#include "libraries/status/status_macros.h"
#include "services/auth/server/grpc_replay_forwarder.h"
#include "services/auth/store/postgres_auth_store.h"
#include "services/auth/store/postgres_nonce_store.h"
#include "services/auth/store/postgres_replay_partition_store.h"

namespace bulwark::auth {
namespace {

constexpr absl::Duration kBackgroundCallTimeout = absl::Seconds(30);

}  // namespace

std::unique_ptr<PeriodicTask> StartPurge(AuthService& service, const Clock& clock,
                                         absl::Duration interval) {
  return PeriodicTask::Start(
      {.name = "purging expired clients", .interval = interval, .run_at_start = true}, clock,
      [&service](absl::Time deadline) -> absl::Status {
        absl::StatusOr<int> purged = service.clients().PurgeExpired(deadline);
        if (!purged.ok()) return purged.status();
        if (*purged > 0) LogInfo("purged expired clients", {{"count", *purged}});
        return absl::OkStatus();
      });
}

std::unique_ptr<PeriodicTask> StartResync(AuthService& service, const Clock& clock,
                                          absl::Duration interval) {
  return PeriodicTask::Start(
      {.name = "periodic resync", .interval = interval, .retry_backoff = absl::Seconds(1)}, clock,
      [&service](absl::Time deadline) { return service.Resync(deadline); });
}

std::unique_ptr<PeriodicTask> StartReplayPurge(AuthService& service, const Clock& clock,
                                               absl::Duration interval) {
  return PeriodicTask::Start({.name = "purging expired replay nonces", .interval = interval}, clock,
                             [&service](absl::Time deadline) -> absl::Status {
                               absl::StatusOr<int64_t> purged = service.PurgeReplayNonces(deadline);
                               return purged.status();
                             });
}

std::unique_ptr<PeriodicTask> StartAuditCheckpoints(AuditCheckpoints& checkpoints,
                                                    const Clock& clock, absl::Duration interval) {
  return PeriodicTask::Start(
      {.name = "audit checkpoint",
       .interval = interval,
       .retry_backoff = absl::Seconds(1),
       .run_at_start = true},
      clock, [&checkpoints](absl::Time deadline) { return checkpoints.Take(deadline).status(); });
}

absl::StatusOr<std::unique_ptr<AuthRuntime>> AuthRuntime::Create(const Options& options,
                                                                 const ServiceContext& context) {
  const AuthConfig& config = options.config;
  if (!context.tls.plaintext &&
      (context.tls.ca_pem.empty() || context.service_peers.names().empty())) {
    return absl::InvalidArgumentError(
        "auth serving TLS answers AuthenticateRequest only to the services' client certificates: "
        "give --tls-ca (the CA that signs them) and --tls-client-names (their names, e.g. "
        "queue,hooks,verifier)");
  }
  Clock& clock = context.clock;
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
  BULWARK_ASSIGN_OR_RETURN(AuditKeyring audit_keys, AuditKeyring::FromJson(config.audit_keys));
  rt->store_ = std::make_unique<PostgresAuthStore>(context.pool, audit_keys);
  rt->audit_checkpoints_ = std::make_unique<AuditCheckpoints>(*rt->store_, audit_keys, clock);
  AuthService::Options service_options;
  service_options.clock_skew = config.clock_skew;
  service_options.replay_cache_entries =
      hawk::InMemoryNonceCache::EntriesFor(config.clock_skew, config.replay_cache_rate);
  service_options.service_account_issuer = config.service_account_issuer;
  service_options.service_account_allowlist = config.service_account_allowlist;
  service_options.max_token_lifetime = config.max_token_lifetime;
  AuthService::Dependencies deps;
  deps.store = rt->store_.get();
  deps.sealer = rt->sealer_.get();
  deps.signing_keys = rt->signing_keys_.get();
  deps.clock = &clock;
  deps.random = &Random::Secure();
  deps.audit_checkpoints = rt->audit_checkpoints_.get();
  if (config.replay_protection != ReplayProtection::kLocal) {
    // The replay tables' own connections: their statements must not wait behind other
    // database work, and they carry the statement_timeout autocommit statements rely on.
    pg::ConnectionPool::Options pool_options;
    pool_options.dsn = PostgresNonceStore::PoolDsn(options.database_dsn);
    pool_options.size = 3;  // a batch being written, the purge, lease upkeep or a load
    BULWARK_ASSIGN_OR_RETURN(rt->nonce_pool_, pg::ConnectionPool::Create(pool_options));
  }
  if (config.replay_protection == ReplayProtection::kShared) {
    BULWARK_ASSIGN_OR_RETURN(rt->nonce_table_, PostgresNonceStore::Create(*rt->nonce_pool_, {}));
    deps.shared_nonces = rt->nonce_table_.get();
  }
  if (config.replay_protection == ReplayProtection::kPartitioned) {
    BULWARK_ASSIGN_OR_RETURN(rt->partition_store_,
                             PostgresReplayPartitionStore::Create(*rt->nonce_pool_));
    // Replicas dial each other by address (a pod's IP); the certificate they check is auth's.
    rt->forwarder_ = std::make_unique<GrpcReplayForwarder>(AuthReplicaDialer(context.tls));
    PartitionedNonceCache::Options partitioned;
    partitioned.replica = absl::BytesToHexString(Random::Secure().Bytes(8));
    partitioned.max_entries = service_options.replay_cache_entries;
    BULWARK_ASSIGN_OR_RETURN(
        rt->partitioned_,
        PartitionedNonceCache::Create(partitioned, *rt->partition_store_, *rt->forwarder_, clock));
    deps.replay_nonces = rt->partitioned_.get();
    deps.replay_routes = rt->partitioned_.get();
    rt->replica_grpc_ = std::make_unique<ReplicaGrpcService>(
        *rt->partitioned_, clock,
        context.tls.plaintext ? tls::PeerAllowlist::Anyone() : tls::PeerAllowlist::Of({"auth"}));
    rt->replica_address_ = options.replica_address;
  }
  static constexpr const char* kModes[] = {"partitioned", "shared (auth.replay_nonces)", "local"};
  LogInfo("replay protection", {{"mode", kModes[static_cast<int>(config.replay_protection)]}});
  // The database may still be starting (Kubernetes starts everything at once): retry a while.
  absl::Time give_up = absl::Now() + absl::Seconds(60);
  absl::StatusOr<std::unique_ptr<AuthService>> service;
  while (true) {
    service = AuthService::Create(service_options, deps, absl::Now() + kBackgroundCallTimeout);
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
  // Until the listener is listening and has resynchronized, changes made through other
  // replicas may be missing here: refuse to authenticate (and report NOT_SERVING) until then.
  svc->SetInSync(false);
  rt->listener_ = std::make_unique<ChangeListener>(
      pg::WithConnectionSafety(options.database_dsn),
      [svc](const Change& change) -> absl::Status {
        absl::Time deadline = absl::Now() + kBackgroundCallTimeout;
        switch (change.kind) {
          case Change::Kind::kClient:
            svc->OnClientChanged(change.id);
            return absl::OkStatus();
          case Change::Kind::kRole:
            return svc->OnRoleChanged(change.id, deadline);
          case Change::Kind::kAllClients:
            svc->credentials().InvalidateAll();
            return absl::OkStatus();
          case Change::Kind::kAllRoles:
            return svc->roles().ReloadAll(deadline);
        }
        return absl::OkStatus();
      },
      [svc] { return svc->Resync(absl::Now() + kBackgroundCallTimeout); },
      [svc](bool in_sync) { svc->SetInSync(in_sync); });
  rt->listener_->Start();
  if (!rt->listener_->WaitUntilListening(absl::Seconds(10))) {
    LogWarning("change notifications not yet established; not serving until they are");
  }
  rt->grpc_ = std::make_unique<AuthGrpcService>(*rt->service_, clock, context.started,
                                                context.hostnames, context.service_peers);
  rt->purge_ = StartPurge(*rt->service_, clock, config.purge_interval);
  rt->resync_ = StartResync(*rt->service_, clock, config.role_reload_interval);
  rt->audit_checkpoint_ =
      StartAuditCheckpoints(*rt->audit_checkpoints_, clock, config.audit_checkpoint_interval);
  rt->replay_purge_ = StartReplayPurge(*rt->service_, clock, config.replay_purge_interval);
  return rt;
}

std::vector<GrpcServiceEntry> AuthRuntime::GrpcServices() {
  std::vector<GrpcServiceEntry> services = {{grpc_.get(), v1::Auth::service_full_name()}};
  if (replica_grpc_ != nullptr) {
    services.push_back({replica_grpc_.get(), v1::AuthReplicas::service_full_name()});
  }
  return services;
}

void AuthRuntime::Listening(const std::string& address) {
  if (partitioned_ == nullptr) return;
  std::string reachable = replica_address_.empty() ? address : replica_address_;
  const std::string host = reachable.substr(0, reachable.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") {
    LogError(
        "partitioned replay protection needs the address other auth replicas reach this one "
        "at: give --replica-address (e.g. $(POD_IP):50051); not serving until then",
        {{"listening", address}});
    return;
  }
  partitioned_->SetAddress(reachable);
  LogInfo("replay partitions",
          {{"replica", partitioned_->options().replica}, {"address", reachable}});
  PartitionedNonceCache* partitioned = partitioned_.get();
  replay_partitions_ = PeriodicTask::Start(
      {.name = "replay partition leases",
       .interval = partitioned->options().maintain_interval,
       // A round that outlasted this could let leases lapse while it waits.
       .timeout = partitioned->options().lease - partitioned->options().margin -
                  partitioned->options().maintain_interval,
       .retry_backoff = partitioned->options().maintain_interval,
       .run_at_start = true},
      *clock_, [partitioned](absl::Time deadline) { return partitioned->Maintain(deadline); });
}

absl::Status AuthRuntime::Readiness() {
  if (service_ != nullptr && !service_->in_sync()) {
    return absl::UnavailableError(
        "roles and clients may be stale: change notifications are interrupted or the resync "
        "after them has not succeeded yet");
  }
  if (partitioned_ != nullptr && !partitioned_->Ready()) {
    return absl::UnavailableError(
        "replay protection: not every nonce partition has an owner known to this replica yet");
  }
  return absl::OkStatus();
}

void AuthRuntime::Stop() {
  if (purge_) purge_->Stop();
  if (resync_) resync_->Stop();
  if (audit_checkpoint_) audit_checkpoint_->Stop();
  if (replay_purge_) replay_purge_->Stop();
  if (listener_) listener_->Stop();
  if (partitioned_ != nullptr && !left_) {
    if (replay_partitions_) replay_partitions_->Stop();
    left_ = true;
    // Release what no other replica took at BeginShutdown, rather than let leases expire.
    absl::Status left = partitioned_->Leave(absl::Now() + absl::Seconds(5));
    if (!left.ok()) {
      LogWarning("replay partitions not all released; they pass on when their leases expire",
                 {{"error", std::string(left.message())}});
    }
  }
}

void AuthRuntime::BeginShutdown() {
  if (partitioned_ == nullptr || replay_partitions_ == nullptr) return;
  // While this server still serves (the lame duck), hand the partitions to the other replicas,
  // every nonce written first; its callers are forwarded to the new owners meanwhile. A lone
  // replica keeps them until Stop.
  replay_partitions_->Stop();
  absl::Status handed = partitioned_->HandOverAll(absl::Now() + absl::Seconds(5));
  if (!handed.ok()) {
    LogWarning("replay partitions not all handed over at shutdown",
               {{"error", std::string(handed.message())}});
  }
}

}  // namespace bulwark::auth
