#include "services/auth/service/client_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libraries/proto/timestamp.h"
#include "libraries/scopes/scope_set.h"
#include "libraries/status/status_macros.h"
#include "services/auth/service/validation.h"

namespace bulwark::auth {
namespace {

using scopes::Expression;

// An identical re-create this soon after the first, by the same caller, returns the original
// token; anyone else gets ALREADY_EXISTS, as for a different request (no token to a bystander,
// and no sign whether the client was created by someone else).
constexpr absl::Duration kIdempotencyWindow = absl::Minutes(15);
// Static clients never expire in practice.
constexpr absl::Duration kStaticLifetime = absl::Hours(24 * 365 * 1000);

absl::Status RefuseStatic(const std::string& client_id, const char* what) {
  if (!IsStaticClientId(client_id)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("client '", client_id,
                   "' is a static client: it is managed by the deployment's "
                   "configuration and cannot be ",
                   what, " through the API"));
}

absl::Status NotFound(const std::string& client_id) {
  return absl::NotFoundError(absl::StrCat("client '", client_id, "' not found"));
}

ClientChange Upsert(ClientRow row, AuditAction audit) {
  return ClientChange{ClientChange::Kind::kUpsert, std::move(row), std::move(audit)};
}

}  // namespace

v1::CreateClientResponse ClientService::Announce(const ClientRow& row, const std::string& token) {
  if (on_change_) on_change_(row.client_id);
  v1::CreateClientResponse response;
  *response.mutable_client() = ToProto(row);
  response.set_access_token(token);
  return response;
}

v1::Client ClientService::ToProto(const ClientRow& row) const {
  v1::Client c;
  c.set_client_id(row.client_id);
  c.set_description(row.description);
  *c.mutable_expires() = ToProtoTimestamp(row.expires);
  c.set_disabled(row.disabled);
  c.set_delete_on_expiration(row.delete_on_expiration);
  for (const std::string& s : row.scopes) c.add_scopes(s);
  for (absl::string_view s : roles_.snapshot()->ExpandShared(row.scopes)) {
    c.add_expanded_scopes(s.data(), s.size());
  }
  *c.mutable_created() = ToProtoTimestamp(row.created);
  *c.mutable_last_modified() = ToProtoTimestamp(row.last_modified);
  *c.mutable_last_date_used() = ToProtoTimestamp(row.last_date_used);
  *c.mutable_last_rotated() = ToProtoTimestamp(row.last_rotated);
  return c;
}

absl::StatusOr<v1::CreateClientResponse> ClientService::CreateClient(
    const Caller& caller, const v1::CreateClientRequest& request, absl::Time deadline) {
  const std::string& id = request.client_id();
  BULWARK_RETURN_IF_ERROR(ValidateClientId(id));
  BULWARK_RETURN_IF_ERROR(RefuseStatic(id, "created"));
  BULWARK_RETURN_IF_ERROR(ValidateDescription(request.description()));
  if (!request.has_expires()) return absl::InvalidArgumentError("expires is required");
  BULWARK_RETURN_IF_ERROR(CheckTimestamp(request.expires(), "expires"));
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> client_scopes,
                           ValidateScopeList(request.scopes(), "scopes"));
  std::vector<Expression> required = {"auth:create-client:" + id};
  required.insert(required.end(), client_scopes.begin(), client_scopes.end());
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression::AllOf(required), "CreateClient"));

  absl::Time now = clock_.Now();
  std::string token = NewAccessToken(random_);
  BULWARK_ASSIGN_OR_RETURN(std::string sealed, sealer_.Seal(token, id));
  ClientRow row;
  row.client_id = id;
  row.description = request.description();
  row.sealed_access_token = sealed;
  row.expires = FromProtoTimestamp(request.expires());
  row.delete_on_expiration = request.delete_on_expiration();
  row.scopes = client_scopes;
  row.created = row.last_modified = row.last_date_used = row.last_rotated = now;
  row.created_by = caller.client_id;

  std::string returned_token = token;
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<ClientRow> result,
      store_.ChangeClient(
          id,
          [&](const std::optional<ClientRow>& existing) -> absl::StatusOr<ClientChange> {
            if (!existing) {
              returned_token = token;
              return Upsert(row, {"client", id, caller.client_id, "created"});
            }
            bool same = existing->scopes == row.scopes && existing->expires == row.expires &&
                        existing->description == row.description && !existing->disabled &&
                        existing->created > now - kIdempotencyWindow &&
                        !existing->created_by.empty() && existing->created_by == caller.client_id;
            if (!same) {
              return absl::AlreadyExistsError(
                  absl::StrCat("client '", id, "' already exists; use UpdateClient to change it"));
            }
            BULWARK_ASSIGN_OR_RETURN(returned_token,
                                     sealer_.Unseal(existing->sealed_access_token, id));
            return ClientChange{};  // an identical retry: answer as the first time
          },
          deadline));
  return Announce(*result, returned_token);
}

absl::StatusOr<v1::Client> ClientService::UpdateClient(const Caller& caller,
                                                       const v1::UpdateClientRequest& request,
                                                       absl::Time deadline) {
  const std::string& id = request.client_id();
  BULWARK_RETURN_IF_ERROR(ValidateClientId(id));
  BULWARK_RETURN_IF_ERROR(RefuseStatic(id, "changed"));
  std::set<std::string> fields(request.update_mask().paths().begin(),
                               request.update_mask().paths().end());
  for (const std::string& f : fields) {
    if (f != "description" && f != "expires" && f != "scopes" && f != "delete_on_expiration") {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask: '", f,
          "' cannot be updated (choose description, expires, scopes, delete_on_expiration)"));
    }
  }
  auto updates = [&](const char* f) { return fields.empty() || fields.count(f) > 0; };
  BULWARK_RETURN_IF_ERROR(ValidateDescription(request.description()));
  if (updates("expires") && !request.has_expires()) {
    return absl::InvalidArgumentError("expires is required");
  }
  if (updates("expires")) BULWARK_RETURN_IF_ERROR(CheckTimestamp(request.expires(), "expires"));
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> new_scopes,
                           ValidateScopeList(request.scopes(), "scopes"));
  // The scope that names the client first, before the client is looked up or locked: a caller
  // without it gets the same PERMISSION_DENIED whether the client exists or not.
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("auth:update-client:" + id), "UpdateClient"));
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<ClientRow> result,
      store_.ChangeClient(
          id,
          [&](const std::optional<ClientRow>& existing) -> absl::StatusOr<ClientChange> {
            if (!existing) return NotFound(id);
            std::vector<Expression> required = {"auth:update-client:" + id};
            if (updates("scopes")) {
              std::set<std::string> old(existing->scopes.begin(), existing->scopes.end());
              for (const std::string& s : new_scopes) {
                if (old.count(s) == 0) required.push_back(s);
              }
            }
            BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression::AllOf(required), "UpdateClient"));
            ClientRow row = *existing;
            if (updates("description")) row.description = request.description();
            if (updates("expires")) row.expires = FromProtoTimestamp(request.expires());
            if (updates("scopes")) row.scopes = new_scopes;
            if (updates("delete_on_expiration")) {
              row.delete_on_expiration = request.delete_on_expiration();
            }
            row.last_modified = clock_.Now();
            return Upsert(row, {"client", id, caller.client_id, "updated"});
          },
          deadline));
  if (on_change_) on_change_(id);
  return ToProto(*result);
}

absl::StatusOr<v1::Client> ClientService::SetDisabled(const Caller& caller,
                                                      const std::string& client_id, bool disabled,
                                                      absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateClientId(client_id));
  BULWARK_RETURN_IF_ERROR(RefuseStatic(client_id, disabled ? "disabled" : "enabled"));
  const char* verb = disabled ? "disable" : "enable";
  BULWARK_RETURN_IF_ERROR(Authorize(caller,
                                    Expression(absl::StrCat("auth:", verb, "-client:", client_id)),
                                    disabled ? "DisableClient" : "EnableClient"));
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<ClientRow> result,
      store_.ChangeClient(
          client_id,
          [&](const std::optional<ClientRow>& existing) -> absl::StatusOr<ClientChange> {
            if (!existing) return NotFound(client_id);
            if (existing->disabled == disabled) return ClientChange{};  // already so
            ClientRow row = *existing;
            row.disabled = disabled;
            row.last_modified = clock_.Now();
            return Upsert(
                row, {"client", client_id, caller.client_id, disabled ? "disabled" : "enabled"});
          },
          deadline));
  if (on_change_) on_change_(client_id);
  return ToProto(*result);
}

absl::Status ClientService::DeleteClient(const Caller& caller, const std::string& client_id,
                                         absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateClientId(client_id));
  BULWARK_RETURN_IF_ERROR(RefuseStatic(client_id, "deleted"));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("auth:delete-client:" + client_id), "DeleteClient"));
  BULWARK_RETURN_IF_ERROR(
      store_
          .ChangeClient(
              client_id,
              [&](const std::optional<ClientRow>& existing) -> absl::StatusOr<ClientChange> {
                if (!existing) return ClientChange{};
                return ClientChange{ClientChange::Kind::kDelete,
                                    {},
                                    AuditAction{"client", client_id, caller.client_id, "deleted"}};
              },
              deadline)
          .status());
  if (on_change_) on_change_(client_id);
  return absl::OkStatus();
}

absl::StatusOr<v1::CreateClientResponse> ClientService::ResetAccessToken(
    const Caller& caller, const std::string& client_id, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateClientId(client_id));
  BULWARK_RETURN_IF_ERROR(RefuseStatic(client_id, "given a new access token"));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("auth:reset-access-token:" + client_id), "ResetAccessToken"));
  std::string token = NewAccessToken(random_);
  BULWARK_ASSIGN_OR_RETURN(std::string sealed, sealer_.Seal(token, client_id));
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<ClientRow> result,
      store_.ChangeClient(
          client_id,
          [&](const std::optional<ClientRow>& existing) -> absl::StatusOr<ClientChange> {
            if (!existing) return NotFound(client_id);
            ClientRow row = *existing;
            row.sealed_access_token = sealed;
            row.last_rotated = row.last_modified = clock_.Now();
            return Upsert(row, {"client", client_id, caller.client_id, "access-token-reset"});
          },
          deadline));
  return Announce(*result, token);
}

absl::StatusOr<v1::Client> ClientService::GetClient(const Caller& caller,
                                                    const std::string& client_id,
                                                    absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(ValidateClientId(client_id));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("auth:get-client:" + client_id), "GetClient"));
  BULWARK_ASSIGN_OR_RETURN(ClientRow row, store_.GetClient(client_id, deadline));
  return ToProto(row);
}

absl::StatusOr<v1::ListClientsResponse> ClientService::ListClients(
    const Caller& caller, const v1::ListClientsRequest& request, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:list-clients"), "ListClients"));
  BULWARK_ASSIGN_OR_RETURN(int limit, PageLimit(request.limit()));
  BULWARK_ASSIGN_OR_RETURN(std::string after, DecodePageToken(request.continuation_token()));
  // One more than asked tells whether another page exists.
  BULWARK_ASSIGN_OR_RETURN(std::vector<ClientRow> rows,
                           store_.ListClients(request.prefix(), after, limit + 1, deadline));
  v1::ListClientsResponse response;
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
    *response.add_clients() = ToProto(rows[i]);
  }
  if (static_cast<int>(rows.size()) > limit) {
    response.set_continuation_token(EncodePageToken(rows[limit - 1].client_id));
  }
  return response;
}

absl::Status ClientService::SyncStaticClients(const std::vector<StaticClient>& clients,
                                              absl::Time deadline) {
  std::set<std::string> configured;
  absl::Time now = clock_.Now();
  for (const StaticClient& c : clients) {
    configured.insert(c.client_id);
    std::vector<std::string> sorted_scopes = c.scopes;
    scopes::SortScopes(sorted_scopes);
    BULWARK_RETURN_IF_ERROR(
        store_
            .ChangeClient(
                c.client_id,
                [&](const std::optional<ClientRow>& existing) -> absl::StatusOr<ClientChange> {
                  if (existing && existing->scopes == sorted_scopes &&
                      existing->description == c.description && !existing->disabled) {
                    absl::StatusOr<std::string> token =
                        sealer_.Unseal(existing->sealed_access_token, c.client_id);
                    if (token.ok() && *token == c.access_token) return ClientChange{};
                  }
                  BULWARK_ASSIGN_OR_RETURN(std::string sealed,
                                           sealer_.Seal(c.access_token, c.client_id));
                  ClientRow row;
                  row.client_id = c.client_id;
                  row.description = c.description;
                  row.sealed_access_token = sealed;
                  row.expires = now + kStaticLifetime;
                  row.scopes = sorted_scopes;
                  row.created = existing ? existing->created : now;
                  row.last_date_used = existing ? existing->last_date_used : now;
                  row.last_modified = row.last_rotated = now;
                  row.created_by = kAuthServiceClientId;
                  return Upsert(row, {"client", c.client_id, kAuthServiceClientId,
                                      existing ? "updated" : "created"});
                },
                deadline)
            .status());
    if (on_change_) on_change_(c.client_id);
  }
  BULWARK_ASSIGN_OR_RETURN(std::vector<ClientRow> stored,
                           store_.ListClients(kStaticPrefix, "", 100000, deadline));
  for (const ClientRow& row : stored) {
    if (configured.count(row.client_id) > 0) continue;
    BULWARK_RETURN_IF_ERROR(
        store_
            .ChangeClient(
                row.client_id,
                [&](const std::optional<ClientRow>& existing) -> absl::StatusOr<ClientChange> {
                  if (!existing) return ClientChange{};
                  return ClientChange{
                      ClientChange::Kind::kDelete,
                      {},
                      AuditAction{"client", row.client_id, kAuthServiceClientId, "deleted"}};
                },
                deadline)
            .status());
    if (on_change_) on_change_(row.client_id);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ClientService::PurgeExpired(absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(
      std::vector<std::string> purged,
      store_.PurgeExpiredClients(clock_.Now(), kAuthServiceClientId, deadline));
  for (const std::string& id : purged) {
    if (on_change_) on_change_(id);
  }
  return static_cast<int>(purged.size());
}

}  // namespace bulwark::auth
