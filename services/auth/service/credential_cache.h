// File: services/auth/service/credential_cache.h
//
// CredentialCache: the clients that authentication needs, held in memory with their unsealed
// access tokens so that authenticating a request touches no database. Entries load on first
// use and are dropped by Invalidate (called for every change, local or announced by another
// replica), so a disabled or deleted client stops authenticating at once. Each entry also
// remembers the client's expanded scopes for one role-set version. lastDateUsed is written
// at most once per `touch_interval` per client (Taskcluster: 6 hours), and attempted at most
// once per cached entry, so a database outage does not slow every authentication down.
//
// Thread-safety: all methods are thread-safe. Errors: Get returns NOT_FOUND for an unknown
// client, the sealer's error if the token cannot be unsealed, and the store's errors.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_CREDENTIAL_CACHE_H_
#define BULWARK_SERVICES_AUTH_SERVICE_CREDENTIAL_CACHE_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "libraries/clock/clock.h"
#include "libraries/scopes/expanded_scopes.h"
#include "libraries/scopes/role_snapshot.h"
#include "services/auth/service/token_sealer.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

class CachedClient {
 public:
  // Sorts and normalizes the client's own scopes once, here, so that expanding them
  // (Expanded) skips that work.
  CachedClient(ClientRow row, std::string access_token)
      : row_(std::move(row)),
        access_token_(std::move(access_token)),
        own_scopes_(scopes::ExpandedScopes::FromScopes(row_.scopes)) {}
  const ClientRow& row() const { return row_; }
  const std::string& access_token() const { return access_token_; }
  // The client's scopes expanded with `roles`, computed once per role-set version from the
  // scopes normalized at construction; the result shares storage with the cached one (no
  // scope is copied).
  scopes::ExpandedScopes Expanded(const scopes::RoleSnapshot& roles) const;
  // True the first time only: whether to try recording this client's use now.
  bool ClaimUseRecording() const { return !use_recorded_.exchange(true); }

 private:
  const ClientRow row_;
  const std::string access_token_;
  const scopes::ExpandedScopes own_scopes_;  // row_.scopes, sorted and normalized
  mutable std::atomic<bool> use_recorded_{false};
  mutable absl::Mutex mu_;
  mutable uint64_t expanded_version_ ABSL_GUARDED_BY(mu_) = 0;
  mutable bool has_expanded_ ABSL_GUARDED_BY(mu_) = false;
  mutable scopes::ExpandedScopes expanded_ ABSL_GUARDED_BY(mu_);
};

class CredentialCache {
 public:
  CredentialCache(AuthStore& store, TokenSealer& sealer, Clock& clock,
                  absl::Duration touch_interval = absl::Hours(6))
      : store_(store), sealer_(sealer), clock_(clock), touch_interval_(touch_interval) {}

  absl::StatusOr<std::shared_ptr<const CachedClient>> Get(const std::string& client_id,
                                                          absl::Time deadline);
  void Invalidate(const std::string& client_id);
  void InvalidateAll();
  // Notes a successful authentication; writes lastDateUsed when it is stale.
  void RecordUse(const CachedClient& client, absl::Time deadline);

 private:
  AuthStore& store_;
  TokenSealer& sealer_;
  Clock& clock_;
  const absl::Duration touch_interval_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const CachedClient>> entries_
      ABSL_GUARDED_BY(mu_);
  // Bumped by every invalidation, so a load that raced with one is not cached.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_CREDENTIAL_CACHE_H_
