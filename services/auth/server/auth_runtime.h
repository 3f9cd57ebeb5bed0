// File: services/auth/server/auth_runtime.h
//
// AuthRuntime: the auth process behind its gRPC server, wired from Options: the store, the
// keyrings, AuthService and its gRPC adapter, the static-client sync at start, the change
// listener that keeps this replica in step with the others, replay protection across replicas
// (config "replayProtection": "partitioned", the default: partitioned_nonce_cache.h, its leases
// kept by a periodic task and its forwarded checks served as bulwark.auth.v1.AuthReplicas, which
// only auth's own certificate may call; or "shared": postgres_nonce_store.h), and
// periodic tasks on the injected clock: one purges expired clients, one resynchronizes
// (forgets cached clients and reloads every role) as a safety net besides notifications, one
// signs and logs a checkpoint of the audit history's head (audit_checkpoints.h), one deletes
// expired replay nonces.
//
// Thread-safety: Create and Stop from one thread; the parts are thread-safe.
// Errors: Create fails (and the process exits) on a bad configuration or when the database
// cannot be read at start. While the change listener is out of sync (its connection broke, or
// the resync after it has not succeeded yet; it retries with a backoff of at most 2 s), every
// authentication is UNAVAILABLE and Readiness() makes health report NOT_SERVING: a replica
// never grants scopes from roles that may have changed behind its back.

#ifndef BULWARK_SERVICES_AUTH_SERVER_AUTH_RUNTIME_H_
#define BULWARK_SERVICES_AUTH_SERVER_AUTH_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "libraries/clock/periodic_task.h"
#include "libraries/crypto/signing_keyring.h"
#include "libraries/pg/pool.h"
#include "libraries/service/service_main.h"
#include "services/auth/server/auth_config.h"
#include "services/auth/server/auth_grpc_service.h"
#include "services/auth/server/replica_grpc_service.h"
#include "services/auth/service/audit_checkpoints.h"
#include "services/auth/service/auth_service.h"
#include "services/auth/service/keyring_token_sealer.h"
#include "services/auth/service/partitioned_nonce_cache.h"
#include "services/auth/service/replay_forwarder.h"
#include "services/auth/store/auth_store.h"
#include "services/auth/store/change_listener.h"
#include "services/auth/store/postgres_nonce_store.h"
#include "services/auth/store/replay_partition_store.h"

namespace bulwark::auth {

class AuthRuntime final : public ServiceRuntime {
 public:
  struct Options {
    AuthConfig config;
    // The runtime role's connection string, for the change listener's own connection.
    std::string database_dsn;
    // Where the other auth replicas reach this one (partitioned replay protection), e.g.
    // $(POD_IP):50051; empty: the address the server listens on, unless that is a wildcard.
    std::string replica_address;
  };

  static absl::StatusOr<std::unique_ptr<AuthRuntime>> Create(const Options& options,
                                                             const ServiceContext& context);
  ~AuthRuntime() override { Stop(); }

  std::vector<GrpcServiceEntry> GrpcServices() override;
  void Stop() override;
  // UNAVAILABLE while the change listener is out of sync (AuthService::in_sync), and with
  // partitioned replay protection until every partition has an owner known here.
  absl::Status Readiness() override;
  // Starts the replay partitions' upkeep, with the address other replicas reach this one at
  // (--replica-address, else the bound address).
  void Listening(const std::string& address) override;
  // Hands the replay partitions to the other replicas while the server still serves.
  void BeginShutdown() override;

 private:
  AuthRuntime() = default;

  Clock* clock_ = nullptr;
  std::unique_ptr<AuthStore> store_;
  std::unique_ptr<pg::ConnectionPool> nonce_pool_;
  std::unique_ptr<PostgresNonceStore> nonce_table_;
  // Partitioned replay protection (the default): leases, forwarding, and the owner's side.
  std::unique_ptr<ReplayPartitionStore> partition_store_;
  std::unique_ptr<ReplayForwarder> forwarder_;
  std::unique_ptr<PartitionedNonceCache> partitioned_;
  std::unique_ptr<ReplicaGrpcService> replica_grpc_;
  std::string replica_address_;  // --replica-address, when given
  std::unique_ptr<PeriodicTask> replay_partitions_;
  bool left_ = false;  // Stop has left the replay partitions
  std::unique_ptr<AuditCheckpoints> audit_checkpoints_;
  std::unique_ptr<KeyringTokenSealer> sealer_;
  std::unique_ptr<crypto::SigningKeyring> signing_keys_;
  std::unique_ptr<AuthService> service_;
  std::unique_ptr<AuthGrpcService> grpc_;
  std::unique_ptr<ChangeListener> listener_;
  std::unique_ptr<PeriodicTask> purge_;
  std::unique_ptr<PeriodicTask> resync_;
  std::unique_ptr<PeriodicTask> audit_checkpoint_;
  std::unique_ptr<PeriodicTask> replay_purge_;
};

// The periodic tasks, exposed for their unit tests. The purge runs at start and then every
// `interval`; the resync every `interval`, retried with a backoff while it fails.
std::unique_ptr<PeriodicTask> StartPurge(AuthService& service, const Clock& clock,
                                         absl::Duration interval);
std::unique_ptr<PeriodicTask> StartResync(AuthService& service, const Clock& clock,
                                          absl::Duration interval);
// Deletes expired replay nonces (AuthService::PurgeReplayNonces) every `interval`.
std::unique_ptr<PeriodicTask> StartReplayPurge(AuthService& service, const Clock& clock,
                                               absl::Duration interval);
// Takes (signs, logs, keeps) an audit checkpoint at start and then every `interval`, retried
// with a backoff while the store fails.
std::unique_ptr<PeriodicTask> StartAuditCheckpoints(AuditCheckpoints& checkpoints,
                                                    const Clock& clock, absl::Duration interval);

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_AUTH_RUNTIME_H_
