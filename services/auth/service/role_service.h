// File: services/auth/service/role_service.h
//
// RoleService: roles, and the resolver that expands `assume:` scopes, kept in step with the
// database. Implements the role methods of bulwark.auth.v1 with Taskcluster's rules:
//   - CreateRole needs auth:create-role:<roleId> and every scope the role gets; re-creating
//     an identical role succeeds, a different one is ALREADY_EXISTS.
//   - UpdateRole needs auth:update-role:<roleId> and only the new scopes that the role's old
//     expansion does not already satisfy; a missing role is NOT_FOUND.
//   - DeleteRole needs auth:delete-role:<roleId>; deleting a missing role succeeds.
//   - Changes that would create a dependency cycle or an invalid parameterized scope are
//     INVALID_ARGUMENT, naming the cycle or scope.
// Role changes are serialized in the database and each is validated against the whole,
// current role set (the resolver is brought to the database's version first), so concurrent
// changes through several replicas cannot combine into a cycle. Other replicas learn of a
// change through Refresh (driven by database notifications) and apply it incrementally.
//
// Thread-safety: all methods are thread-safe; expansion (snapshot()) never blocks on writers.
// Errors: as above, plus the store's UNAVAILABLE / DEADLINE_EXCEEDED.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_ROLE_SERVICE_H_
#define BULWARK_SERVICES_AUTH_SERVICE_ROLE_SERVICE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "bulwark/auth/v1/auth.pb.h"
#include "libraries/authn/caller.h"
#include "libraries/clock/clock.h"
#include "libraries/scopes/resolver.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

class RoleService {
 public:
  // Loads every role. Fails if the stored set does not validate (a cycle written by hand).
  static absl::StatusOr<std::unique_ptr<RoleService>> Create(AuthStore& store, Clock& clock,
                                                             absl::Time deadline);

  // The current role set, for expansion. Cheap; never blocks.
  std::shared_ptr<const scopes::RoleSnapshot> snapshot() const { return resolver_->snapshot(); }
  int64_t version() const;

  absl::StatusOr<v1::Role> CreateRole(const Caller& caller, const v1::CreateRoleRequest& request,
                                      absl::Time deadline);
  absl::StatusOr<v1::Role> UpdateRole(const Caller& caller, const v1::UpdateRoleRequest& request,
                                      absl::Time deadline);
  absl::Status DeleteRole(const Caller& caller, const v1::DeleteRoleRequest& request,
                          absl::Time deadline);
  absl::StatusOr<v1::Role> GetRole(const Caller& caller, const v1::GetRoleRequest& request,
                                   absl::Time deadline);
  absl::StatusOr<v1::ListRolesResponse> ListRoles(const Caller& caller,
                                                  const v1::ListRolesRequest& request);
  absl::StatusOr<v1::ListRoleIdsResponse> ListRoleIds(const Caller& caller,
                                                      const v1::ListRoleIdsRequest& request);

  // Applies another replica's change to `role_id` (re-read from the database).
  absl::Status Refresh(const std::string& role_id, absl::Time deadline);
  // Re-reads every role (after a lost notification, and periodically).
  absl::Status ReloadAll(absl::Time deadline);

 private:
  RoleService(AuthStore& store, Clock& clock, std::unique_ptr<scopes::Resolver> resolver)
      : store_(store), clock_(clock), resolver_(std::move(resolver)) {}
  v1::Role ToProto(const RoleRow& row) const;
  // Replaces resolver and rows with `roles` at `version`.
  absl::Status ReplaceAllLocked(int64_t version, const std::vector<RoleRow>& roles)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Brings the resolver to the role set locked by `txn`, if it is behind.
  absl::Status CatchUpLocked(RoleTransaction& txn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a change committed at `version`: incrementally if it is the next one.
  absl::Status ApplyCommitted(int64_t version, const std::string& role_id,
                              const std::optional<RoleRow>& row, absl::Time deadline);

  AuthStore& store_;
  Clock& clock_;
  const std::unique_ptr<scopes::Resolver> resolver_;
  mutable absl::Mutex mu_;  // orders changes to resolver_, rows_ and version_
  std::map<std::string, RoleRow> rows_ ABSL_GUARDED_BY(mu_);
  int64_t version_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_ROLE_SERVICE_H_
