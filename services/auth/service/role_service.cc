#include "services/auth/service/role_service.h"

#include "absl/strings/str_cat.h"
#include "libraries/proto/timestamp.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"
#include "libraries/status/status_macros.h"
#include "services/auth/service/validation.h"

namespace bulwark::auth {
namespace {

using scopes::Expression;

scopes::Role ToResolverRole(const RoleRow& row) { return {row.role_id, row.scopes}; }

std::vector<scopes::Role> ToResolverRoles(const std::vector<RoleRow>& rows) {
  std::vector<scopes::Role> roles;
  roles.reserve(rows.size());
  for (const RoleRow& r : rows) roles.push_back(ToResolverRole(r));
  return roles;
}

std::vector<Expression> Leaves(const std::vector<std::string>& scopes) {
  return std::vector<Expression>(scopes.begin(), scopes.end());
}

}  // namespace

absl::StatusOr<std::unique_ptr<RoleService>> RoleService::Create(AuthStore& store, Clock& clock,
                                                                 absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(auto loaded, store.LoadRoles(deadline));
  BULWARK_ASSIGN_OR_RETURN(auto resolver, scopes::Resolver::Create(ToResolverRoles(loaded.second)));
  std::unique_ptr<RoleService> service(new RoleService(store, clock, std::move(resolver)));
  absl::MutexLock lock(&service->mu_);
  service->version_ = loaded.first;
  for (RoleRow& r : loaded.second) service->rows_[r.role_id] = std::move(r);
  return service;
}

int64_t RoleService::version() const {
  absl::MutexLock lock(&mu_);
  return version_;
}

v1::Role RoleService::ToProto(const RoleRow& row) const {
  v1::Role role;
  role.set_role_id(row.role_id);
  role.set_description(row.description);
  for (const std::string& s : row.scopes) role.add_scopes(s);
  for (absl::string_view s : snapshot()->ExpandShared({"assume:" + row.role_id})) {
    role.add_expanded_scopes(s.data(), s.size());
  }
  *role.mutable_created() = ToProtoTimestamp(row.created);
  *role.mutable_last_modified() = ToProtoTimestamp(row.last_modified);
  return role;
}

absl::Status RoleService::ReplaceAllLocked(int64_t version, const std::vector<RoleRow>& roles) {
  BULWARK_RETURN_IF_ERROR(resolver_->ReplaceAll(ToResolverRoles(roles)));
  rows_.clear();
  for (const RoleRow& r : roles) rows_[r.role_id] = r;
  version_ = version;
  return absl::OkStatus();
}

absl::Status RoleService::CatchUpLocked(RoleTransaction& txn) {
  if (txn.version() == version_) return absl::OkStatus();
  BULWARK_ASSIGN_OR_RETURN(std::vector<RoleRow> all, txn.All());
  return ReplaceAllLocked(txn.version(), all);
}

absl::Status RoleService::ApplyCommitted(int64_t version, const std::string& role_id,
                                         const std::optional<RoleRow>& row, absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (version <= version_) return absl::OkStatus();  // already known
    if (version == version_ + 1) {
      absl::Status s =
          row ? resolver_->UpsertRole(ToResolverRole(*row)) : resolver_->DeleteRole(role_id);
      if (s.ok() || (!row && s.code() == absl::StatusCode::kNotFound)) {
        if (row) {
          rows_[role_id] = *row;
        } else {
          rows_.erase(role_id);
        }
        version_ = version;
        return absl::OkStatus();
      }
    }
  }
  return ReloadAll(deadline);  // missed changes in between: start over
}

absl::Status RoleService::ReloadAll(absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(auto loaded, store_.LoadRoles(deadline));
  absl::MutexLock lock(&mu_);
  if (loaded.first < version_) return absl::OkStatus();  // a newer state is already applied
  return ReplaceAllLocked(loaded.first, loaded.second);
}

absl::Status RoleService::Refresh(const std::string& role_id, absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(auto found, store_.GetRoleWithVersion(role_id, deadline));
  return ApplyCommitted(found.first, role_id, found.second, deadline);
}

absl::StatusOr<v1::Role> RoleService::CreateRole(const Caller& caller,
                                                 const v1::CreateRoleRequest& request,
                                                 absl::Time deadline) {
  const std::string& id = request.role_id();
  BULWARK_RETURN_IF_ERROR(ValidateRoleId(id));
  BULWARK_RETURN_IF_ERROR(ValidateDescription(request.description()));
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> role_scopes,
                           ValidateScopeList(request.scopes(), "scopes"));
  std::vector<Expression> required = {"auth:create-role:" + id};
  for (Expression& e : Leaves(role_scopes)) required.push_back(std::move(e));
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression::AllOf(required), "CreateRole"));

  absl::Time now = clock_.Now();
  RoleRow row{id, request.description(), role_scopes, now, now};
  RoleRow result = row;
  bool changed = false;
  BULWARK_ASSIGN_OR_RETURN(
      int64_t version,
      store_.ChangeRoles(
          [&](RoleTransaction& txn) -> absl::StatusOr<RoleChange> {
            BULWARK_ASSIGN_OR_RETURN(std::optional<RoleRow> existing, txn.Get(id));
            if (existing) {
              if (existing->description == row.description && existing->scopes == row.scopes) {
                result = *existing;
                return RoleChange{};  // identical: nothing to do
              }
              return absl::AlreadyExistsError(
                  absl::StrCat("role '", id,
                               "' already exists with other scopes or description; use "
                               "UpdateRole to change it"));
            }
            absl::MutexLock lock(&mu_);
            BULWARK_RETURN_IF_ERROR(CatchUpLocked(txn));
            BULWARK_RETURN_IF_ERROR(resolver_->CheckUpsert(ToResolverRole(row)));
            result = row;
            changed = true;
            RoleChange change;
            change.upsert = row;
            change.audit = AuditAction{"role", id, caller.client_id, "created"};
            return change;
          },
          deadline));
  if (changed) BULWARK_RETURN_IF_ERROR(ApplyCommitted(version, id, result, deadline));
  return ToProto(result);
}

absl::StatusOr<v1::Role> RoleService::UpdateRole(const Caller& caller,
                                                 const v1::UpdateRoleRequest& request,
                                                 absl::Time deadline) {
  const std::string& id = request.role_id();
  BULWARK_RETURN_IF_ERROR(ValidateRoleId(id));
  BULWARK_RETURN_IF_ERROR(ValidateDescription(request.description()));
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> role_scopes,
                           ValidateScopeList(request.scopes(), "scopes"));
  // The scope that names the role first, before the role is looked up or locked: a caller
  // without it gets the same PERMISSION_DENIED whether the role exists or not.
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:update-role:" + id), "UpdateRole"));
  RoleRow result;
  bool changed = false;
  BULWARK_ASSIGN_OR_RETURN(
      int64_t version,
      store_.ChangeRoles(
          [&](RoleTransaction& txn) -> absl::StatusOr<RoleChange> {
            BULWARK_ASSIGN_OR_RETURN(std::optional<RoleRow> existing, txn.Get(id));
            if (!existing) {
              return absl::NotFoundError(
                  absl::StrCat("role '", id, "' not found; use CreateRole to create it"));
            }
            absl::MutexLock lock(&mu_);
            BULWARK_RETURN_IF_ERROR(CatchUpLocked(txn));
            // Only what the role could not already reach needs the caller's scopes.
            std::vector<std::string> old_expansion = resolver_->Expand(existing->scopes);
            std::vector<Expression> required = {"auth:update-role:" + id};
            for (const std::string& s : role_scopes) {
              if (!scopes::SetSatisfies(old_expansion, s)) required.push_back(s);
            }
            BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression::AllOf(required), "UpdateRole"));
            result = *existing;
            if (existing->description == request.description() && existing->scopes == role_scopes) {
              return RoleChange{};
            }
            result.description = request.description();
            result.scopes = role_scopes;
            result.last_modified = clock_.Now();
            BULWARK_RETURN_IF_ERROR(resolver_->CheckUpsert(ToResolverRole(result)));
            changed = true;
            RoleChange change;
            change.upsert = result;
            change.audit = AuditAction{"role", id, caller.client_id, "updated"};
            return change;
          },
          deadline));
  if (changed) BULWARK_RETURN_IF_ERROR(ApplyCommitted(version, id, result, deadline));
  return ToProto(result);
}

absl::Status RoleService::DeleteRole(const Caller& caller, const v1::DeleteRoleRequest& request,
                                     absl::Time deadline) {
  const std::string& id = request.role_id();
  BULWARK_RETURN_IF_ERROR(ValidateRoleId(id));
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:delete-role:" + id), "DeleteRole"));
  bool changed = false;
  BULWARK_ASSIGN_OR_RETURN(
      int64_t version, store_.ChangeRoles(
                           [&](RoleTransaction& txn) -> absl::StatusOr<RoleChange> {
                             BULWARK_ASSIGN_OR_RETURN(std::optional<RoleRow> existing, txn.Get(id));
                             changed = existing.has_value();
                             if (!changed) return RoleChange{};  // deleting a missing role succeeds
                             RoleChange change;
                             change.delete_role_id = id;
                             change.audit = AuditAction{"role", id, caller.client_id, "deleted"};
                             return change;
                           },
                           deadline));
  if (!changed) return absl::OkStatus();
  return ApplyCommitted(version, id, std::nullopt, deadline);
}

absl::StatusOr<v1::Role> RoleService::GetRole(const Caller& caller,
                                              const v1::GetRoleRequest& request,
                                              absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateRoleId(request.role_id()));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("auth:get-role:" + request.role_id()), "GetRole"));
  BULWARK_ASSIGN_OR_RETURN(RoleRow row, store_.GetRole(request.role_id(), deadline));
  return ToProto(row);
}

absl::StatusOr<v1::ListRolesResponse> RoleService::ListRoles(const Caller& caller,
                                                             const v1::ListRolesRequest& request) {
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:list-roles"), "ListRoles"));
  BULWARK_ASSIGN_OR_RETURN(int limit, PageLimit(request.limit()));
  BULWARK_ASSIGN_OR_RETURN(std::string after, DecodePageToken(request.continuation_token()));
  std::vector<RoleRow> page;
  bool more = false;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = after.empty() ? rows_.begin() : rows_.upper_bound(after); it != rows_.end();
         ++it) {
      if (static_cast<int>(page.size()) == limit) {
        more = true;
        break;
      }
      page.push_back(it->second);
    }
  }
  v1::ListRolesResponse response;
  for (const RoleRow& row : page) *response.add_roles() = ToProto(row);
  if (more) response.set_continuation_token(EncodePageToken(page.back().role_id));
  return response;
}

absl::StatusOr<v1::ListRoleIdsResponse> RoleService::ListRoleIds(
    const Caller& caller, const v1::ListRoleIdsRequest& request) {
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:list-roles"), "ListRoleIds"));
  BULWARK_ASSIGN_OR_RETURN(int limit, PageLimit(request.limit()));
  BULWARK_ASSIGN_OR_RETURN(std::string after, DecodePageToken(request.continuation_token()));
  v1::ListRoleIdsResponse response;
  absl::MutexLock lock(&mu_);
  for (auto it = after.empty() ? rows_.begin() : rows_.upper_bound(after); it != rows_.end();
       ++it) {
    if (response.role_ids_size() == limit) {
      response.set_continuation_token(EncodePageToken(response.role_ids(limit - 1)));
      break;
    }
    response.add_role_ids(it->first);
  }
  return response;
}

}  // namespace bulwark::auth
