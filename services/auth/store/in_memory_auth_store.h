// File: services/auth/store/in_memory_auth_store.h
//
// InMemoryAuthStore (testonly): AuthStore in memory, for unit tests of the auth service. It
// behaves like PostgresAuthStore (the conformance suite checks that), except that it never
// fails for unavailability and keeps times exactly. Audit times come from the injected clock.
//
// Thread-safety: safe for concurrent use (one mutex; `decide` callbacks run under it, so they
// must not call back into the store).

#ifndef BULWARK_SERVICES_AUTH_STORE_IN_MEMORY_AUTH_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_IN_MEMORY_AUTH_STORE_H_

#include <map>

#include "absl/synchronization/mutex.h"
#include "libraries/clock/clock.h"
#include "services/auth/store/audit_chain.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

class InMemoryAuthStore final : public AuthStore {
 public:
  // `audit_keys` key the audit chain (audit_chain.h); by default one random test key.
  explicit InMemoryAuthStore(Clock& clock, AuditKeyring audit_keys = AuditKeyring::ForTesting())
      : clock_(clock), audit_keys_(std::move(audit_keys)) {}

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

  // For tests of tamper detection: edit an entry as a database intruder would.
  void TamperWithAuditEntry(int64_t sequence, const std::string& new_action);
  // For tests of truncation detection: keep only the first `keep` entries.
  void TruncateAuditHistory(int64_t keep);

 private:
  void AppendAudit(const AuditAction& action) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  const AuditKeyring audit_keys_;
  absl::Mutex mu_;
  std::map<std::string, ClientRow> clients_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, RoleRow> roles_ ABSL_GUARDED_BY(mu_);
  int64_t role_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<AuditEntry> audit_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_IN_MEMORY_AUTH_STORE_H_
