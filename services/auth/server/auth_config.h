// File: services/auth/server/auth_config.h
//
// AuthConfig: the auth service's configuration file (--config=PATH, JSON; in Kubernetes the
// auth Secret). It holds what only auth may hold (invariant 3): the static clients and their
// tokens, the access-token keyring, the audit keyring, the service-account signing keys and
// allowlist.
//
//   {
//     "staticClients": [{"clientId": "static/bulwark/root", "accessToken": "…"}, …],
//     "tokenKeys": [{"id": "2026-11", "key": "<base64 of 32 bytes>"}],   // last = current
//     "auditKeys": [{"id": "audit-1", "key": "<base64 of >= 32 random bytes>"}],  // last =
//     current;
//                   // keys the audit chain and its checkpoints (audit_chain.h); never in the
//                   // database; keep old keys listed while their entries must verify
//     "signingKeys": [{"id": "sa-1", "privateKeyPem": "-----BEGIN PRIVATE KEY-----…"}],
//     "serviceAccounts": {"issuer": "https://auth.bulwark.example",
//                         "allowlist": ["release-uploader"], "maxLifetimeSeconds": 3600},
//     "clockSkewSeconds": 900,          // Hawk timestamp tolerance (default 15 minutes)
//     "purgeIntervalSeconds": 3600,     // how often expired clients are purged
//     "roleReloadSeconds": 600,         // full resync (roles, cached clients), besides
//     notifications
//     "auditCheckpointSeconds": 60,     // how often a signed audit checkpoint is logged
//     "replayCacheRequestsPerSecond": 1000, // sustained signed requests per replica the replay
//                                           // cache absorbs (entries = rate × 2 × skew, ~80 B
//                                           // each); beyond it RESOURCE_EXHAUSTED, not replays
//     "replayProtection": "partitioned",    // a header is accepted once by the whole deployment:
//                                           // "partitioned" (default): each replica owns some of
//                                           // 64 nonce partitions under a lease, checks them in
//                                           // memory and forwards the others to their owners
//                                           // (partitioned_nonce_cache.h); "shared": every
//                                           // replica writes each new nonce to auth.replay_nonces
//                                           // and waits for it (postgres_nonce_store.h); "local":
//                                           // this process only, for a single replica.
//                                           // Replicas in different modes do not share
//                                           // nonces: change the mode with every replica
//                                           // stopped (or wait 2 x skew after the change)
//     "replayPurgeSeconds": 60              // how often expired shared nonces are deleted
//   }
//
// Thread-safety: a value. Errors: Load/Parse return INVALID_ARGUMENT naming the field; the
// message never contains a secret.

#ifndef BULWARK_SERVICES_AUTH_SERVER_AUTH_CONFIG_H_
#define BULWARK_SERVICES_AUTH_SERVER_AUTH_CONFIG_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "services/auth/service/static_clients.h"

namespace bulwark::auth {

enum class ReplayProtection { kPartitioned, kShared, kLocal };

struct AuthConfig {
  std::vector<StaticClient> static_clients;
  nlohmann::json token_keys;    // for the keyring
  nlohmann::json audit_keys;    // for the AuditKeyring (validated by ParseAuthConfig)
  nlohmann::json signing_keys;  // for service-account tokens
  std::string service_account_issuer = "bulwark-auth";
  std::set<std::string> service_account_allowlist;
  absl::Duration max_token_lifetime = absl::Hours(1);
  absl::Duration clock_skew = absl::Minutes(15);
  int replay_cache_rate = 1000;  // requests per second
  ReplayProtection replay_protection = ReplayProtection::kPartitioned;
  absl::Duration replay_purge_interval = absl::Seconds(60);
  absl::Duration purge_interval = absl::Hours(1);
  absl::Duration role_reload_interval = absl::Minutes(10);
  absl::Duration audit_checkpoint_interval = absl::Seconds(60);
};

absl::StatusOr<AuthConfig> ParseAuthConfig(const nlohmann::json& json);
absl::StatusOr<AuthConfig> LoadAuthConfig(const std::string& path);

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_AUTH_CONFIG_H_
