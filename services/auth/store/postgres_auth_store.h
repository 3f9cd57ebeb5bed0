// File: services/auth/store/postgres_auth_store.h
//
// PostgresAuthStore: AuthStore over the auth schema (migrations in services/auth/schema),
// connected as the runtime role bulwark_auth. Every change also sends a notification on the
// channel kAuthChangeChannel ("client:<id>", "role:<id>", or "clients"/"roles" meaning
// "reload everything"), delivered to listeners when the transaction commits; see
// change_listener.h.
//
// Thread-safety: safe for concurrent use (each call takes its own pooled connection).
// Errors: as AuthStore; SQL and parameters never appear in messages.

#ifndef BULWARK_SERVICES_AUTH_STORE_POSTGRES_AUTH_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_POSTGRES_AUTH_STORE_H_

#include "libraries/pg/pool.h"
#include "services/auth/store/audit_chain.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

inline constexpr char kAuthChangeChannel[] = "bulwark_auth_changes";

class PostgresAuthStore final : public AuthStore {
 public:
  // `pool` must outlive the store. `audit_keys` key the audit chain (audit_chain.h).
  PostgresAuthStore(pg::ConnectionPool& pool, AuditKeyring audit_keys)
      : pool_(pool), audit_keys_(std::move(audit_keys)) {}

  absl::StatusOr<ClientRow> GetClient(const std::string& client_id, absl::Time deadline) override;
  absl::StatusOr<std::vector<ClientRow>> ListClients(const std::string& prefix,
                                                     const std::string& after, int limit,
                                                     absl::Time deadline) override;
  absl::StatusOr<std::optional<ClientRow>> ChangeClient(
      const std::string& client_id,
      const std::function<absl::StatusOr<ClientChange>(const std::optional<ClientRow>&)>& decide,
      absl::Time deadline) override;
  absl::Status TouchClient(const std::string& client_id, absl::Time used,
                           absl::Time deadline) override;
  absl::StatusOr<std::vector<std::string>> PurgeExpiredClients(absl::Time now,
                                                               const std::string& by_client_id,
                                                               absl::Time deadline) override;

  absl::StatusOr<std::pair<int64_t, std::vector<RoleRow>>> LoadRoles(absl::Time deadline) override;
  absl::StatusOr<RoleRow> GetRole(const std::string& role_id, absl::Time deadline) override;
  absl::StatusOr<std::pair<int64_t, std::optional<RoleRow>>> GetRoleWithVersion(
      const std::string& role_id, absl::Time deadline) override;
  absl::StatusOr<int64_t> ChangeRoles(
      const std::function<absl::StatusOr<RoleChange>(RoleTransaction&)>& decide,
      absl::Time deadline) override;

  absl::StatusOr<std::vector<AuditEntry>> ListAudit(const std::string& entity_type,
                                                    const std::string& entity_id,
                                                    int64_t after_sequence, int limit,
                                                    absl::Time deadline) override;
  absl::StatusOr<AuditVerification> VerifyAudit(absl::Time deadline) override;
  absl::StatusOr<std::optional<AuditEntry>> AuditHead(absl::Time deadline) override;

 private:
  pg::ConnectionPool& pool_;
  const AuditKeyring audit_keys_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_POSTGRES_AUTH_STORE_H_
