// File: services/auth/service/auth_service.h
//
// AuthService: the auth service's logic behind bulwark.auth.v1, transport-free. It owns the
// role service (resolver), the client service, the credential cache and the Hawk
// authenticator, and is itself the RequestAuthenticator for auth's own methods (auth checks
// its callers locally; everyone else asks it through AuthenticateRequest).
//
// Scopes of the methods implemented here (client and role methods: see their services):
//   ExpandScopes: auth:expand-scopes · CurrentScopes: auth:current-scopes ·
//   ExplainScope: auth:get-client:<clientId> (explaining a client) or auth:expand-scopes ·
//   ListAuditHistory: auth:audit-history:<entityType> (both types when unfiltered) ·
//   VerifyAuditHistory: auth:verify-audit-history ·
//   ServiceAccountToken: auth:service-account:<account>, and the account must be on the
//   configured allowlist (FAILED_PRECONDITION otherwise, whatever the caller's scopes) ·
//   AuthenticateRequest, TestAuthenticate, GetJwks: no scope.
//
// Thread-safety: all methods are thread-safe.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_AUTH_SERVICE_H_
#define BULWARK_SERVICES_AUTH_SERVICE_AUTH_SERVICE_H_

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulwark/auth/v1/auth.pb.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "libraries/hawk/authenticator.h"
#include "libraries/hawk/nonce_cache.h"
#include "libraries/hawk/tiered_nonce_cache.h"
#include "services/auth/service/audit_checkpoints.h"
#include "services/auth/service/client_service.h"
#include "services/auth/service/credential_cache.h"
#include "services/auth/service/replay_forwarder.h"
#include "services/auth/service/role_service.h"
#include "services/auth/service/token_sealer.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

class AuthService final : public RequestAuthenticator {
 public:
  struct Options {
    absl::Duration clock_skew = absl::Minutes(15);
    std::string service_account_issuer = "bulwark-auth";
    std::set<std::string> service_account_allowlist;
    absl::Duration max_token_lifetime = absl::Hours(1);
    // Replay-cache capacity; 0: InMemoryNonceCache::EntriesFor(clock_skew, 1000 requests/s).
    // Full of live nonces, authentication is RESOURCE_EXHAUSTED (nonce_cache.h).
    size_t replay_cache_entries = 0;
  };
  // Borrowed; each must outlive the service. `signing_keys` may be null (then
  // ServiceAccountToken is FAILED_PRECONDITION and GetJwks is empty).
  struct Dependencies {
    AuthStore* store = nullptr;
    TokenSealer* sealer = nullptr;
    const crypto::SigningKeyring* signing_keys = nullptr;
    Clock* clock = nullptr;
    Random* random = nullptr;
    AuditCheckpoints* audit_checkpoints = nullptr;  // may be null: no checkpoint checks
    // The replay store every replica shares (PostgresNonceStore), put behind this process's
    // cache (TieredNonceCache): a header is then accepted once by the whole deployment. Null:
    // this process's cache alone (a single replica).
    hawk::NonceCache* shared_nonces = nullptr;
    // A replay cache that keeps every nonce it accepts in memory itself (PartitionedNonceCache):
    // used alone, with no cache of this process's in front (that would check every triple a
    // second time). Takes precedence over shared_nonces.
    hawk::NonceCache* replay_nonces = nullptr;
    // Who owns each replay partition (the PartitionedNonceCache): AuthenticateRequest's answers
    // then carry replay_owner. Null: they carry none.
    const ReplayRoutes* replay_routes = nullptr;
  };

  // Loads the roles; fails if the database is unreachable or its role set does not validate.
  static absl::StatusOr<std::unique_ptr<AuthService>> Create(const Options& options,
                                                             const Dependencies& deps,
                                                             absl::Time deadline);

  RoleService& roles() { return *roles_; }
  ClientService& clients() { return *clients_; }
  CredentialCache& credentials() { return *cache_; }

  // RequestAuthenticator, for auth's own methods.
  absl::StatusOr<Caller> Authenticate(const CallInfo& call) const override;

  // `deadline` (the call's) bounds the client lookup.
  // AuthenticateRequest on behalf of another service, with the answer handed to `done`, which
  // runs exactly once, on this thread or on the shared replay store's writer thread
  // (hawk::Authenticator::AuthenticateGrpcAsync): the calling thread never waits for the shared
  // store. `request` need only live until this returns.
  using AuthenticateRequestDone =
      absl::AnyInvocable<void(absl::StatusOr<v1::AuthenticateRequestResponse>) &&>;
  void AuthenticateRequestAsync(const v1::AuthenticateRequestRequest& request, absl::Time deadline,
                                AuthenticateRequestDone done) const;
  absl::StatusOr<v1::TestAuthenticateResponse> TestAuthenticate(
      const CallInfo& call, const v1::TestAuthenticateRequest& request) const;
  absl::StatusOr<v1::ExpandScopesResponse> ExpandScopes(const Caller& caller,
                                                        const v1::ExpandScopesRequest& request);
  absl::StatusOr<v1::CurrentScopesResponse> CurrentScopes(const Caller& caller);
  absl::StatusOr<v1::ExplainScopeResponse> ExplainScope(const Caller& caller,
                                                        const v1::ExplainScopeRequest& request,
                                                        absl::Time deadline);
  absl::StatusOr<v1::ListAuditHistoryResponse> ListAuditHistory(
      const Caller& caller, const v1::ListAuditHistoryRequest& request, absl::Time deadline);
  // The chain's verification, and the check of the request's audit checkpoint (or this
  // replica's newest; none when `audit_checkpoints` is null): audit_checkpoints.h.
  absl::StatusOr<v1::VerifyAuditHistoryResponse> VerifyAuditHistory(
      const Caller& caller, const v1::VerifyAuditHistoryRequest& request, absl::Time deadline);
  absl::StatusOr<v1::ServiceAccountTokenResponse> ServiceAccountToken(
      const Caller& caller, const v1::ServiceAccountTokenRequest& request);
  absl::StatusOr<v1::GetJwksResponse> GetJwks() const;

  // Drops the replay nonces (this process's and the shared store's) whose window has passed
  // on the injected clock; returns how many the shared store (or, alone, the local cache)
  // dropped.
  absl::StatusOr<int64_t> PurgeReplayNonces(absl::Time deadline);

  // Applies a change announced by any replica (ChangeListener).
  void OnClientChanged(const std::string& client_id) { cache_->Invalidate(client_id); }
  absl::Status OnRoleChanged(const std::string& role_id, absl::Time deadline);
  // After lost notifications: forget every cached client and reload every role.
  absl::Status Resync(absl::Time deadline);

  // Whether this replica may answer from its cached roles and clients. The runtime sets it
  // false while its change notifications are interrupted or a resync has not yet succeeded
  // (ChangeListener::in_sync): then every authentication (auth's own methods and
  // AuthenticateRequest) fails UNAVAILABLE rather than grant scopes that may have changed.
  // True by default (a service without a listener, as in unit tests).
  void SetInSync(bool in_sync) { in_sync_.store(in_sync); }
  bool in_sync() const { return in_sync_.load(); }

 private:
  AuthService(const Options& options, const Dependencies& deps) : options_(options), deps_(deps) {}
  absl::StatusOr<hawk::AuthResult> Run(const std::string& resource, const std::string& authority,
                                       const std::string& authorization, absl::Time deadline,
                                       std::optional<std::string> payload_hash,
                                       bool payload_hash_required) const;
  // UNAVAILABLE while this replica is out of sync (in_sync).
  absl::Status ReadyToAuthenticate() const;
  // Once a request's signature is verified (before its replay check, on the calling thread):
  // the issuer's lastDateUsed, when stale (CredentialCache::RecordUse).
  void NoteUse(const hawk::AuthResult& result, absl::Time deadline) const;

  const Options options_;
  const Dependencies deps_;
  std::unique_ptr<RoleService> roles_;
  std::unique_ptr<CredentialCache> cache_;
  std::unique_ptr<ClientService> clients_;
  std::unique_ptr<hawk::ClientLoader> loader_;
  std::unique_ptr<hawk::InMemoryNonceCache> nonces_;
  std::unique_ptr<hawk::TieredNonceCache> tiered_nonces_;  // when a shared store is given
  hawk::NonceCache* replay_ = nullptr;                     // what the authenticator records in
  std::unique_ptr<hawk::Authenticator> authenticator_;
  std::atomic<bool> in_sync_{true};
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_AUTH_SERVICE_H_
