// File: services/auth/store/auth_store.h
//
// AuthStore: the auth service's persistence, as an interface. PostgresAuthStore
// (postgres_auth_store.h) is the real one; InMemoryAuthStore (in_memory_auth_store.h) is a
// fake for service unit tests. auth_store_conformance.h runs the same tests against both.
//
// Every mutation appends its audit entry in the same transaction, so a change and its record
// are never separated; the audit history is a chain keyed with the audit keyring each store is
// constructed with (audit_chain.h).
//
// Thread-safety: implementations are safe for concurrent use.
// Errors (every method): UNAVAILABLE when the database is unreachable, DEADLINE_EXCEEDED when
// `deadline` passes. Per method as documented.
// CANCELLED, nothing written, from every method that changes something when the thread's
// CallScope says the caller has gone (libraries/call/call_scope.h).

#ifndef BULWARK_SERVICES_AUTH_STORE_AUTH_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_AUTH_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulwark::auth {

struct ClientRow {
  std::string client_id;
  std::string description;
  std::string sealed_access_token;  // keyring-sealed; never the plaintext
  absl::Time expires;
  bool disabled = false;
  bool delete_on_expiration = false;
  std::vector<std::string> scopes;
  absl::Time created;
  absl::Time last_modified;
  absl::Time last_date_used;
  absl::Time last_rotated;
  // The client that created it ("" for clients created before this was recorded).
  std::string created_by;

  friend bool operator==(const ClientRow& a, const ClientRow& b);
};

struct RoleRow {
  std::string role_id;
  std::string description;
  std::vector<std::string> scopes;
  absl::Time created;
  absl::Time last_modified;

  friend bool operator==(const RoleRow& a, const RoleRow& b);
};

// Who changed what; the store adds the sequence number, time and hash.
struct AuditAction {
  std::string entity_type;  // "client" or "role"
  std::string entity_id;
  std::string client_id;  // the caller
  std::string action;     // created, updated, deleted, enabled, disabled, ...
};

struct AuditEntry {
  int64_t sequence = 0;
  std::string entity_type;
  std::string entity_id;
  std::string client_id;
  std::string action;
  absl::Time created;
  std::string hash;    // hex; keyed (HMAC) when key_id is set, see audit_chain.h
  std::string key_id;  // the audit key that made `hash`; "" for entries from before keying
};

// Result of checking the audit hash chain.
struct AuditVerification {
  bool intact = true;
  int64_t entries_checked = 0;
  int64_t first_bad_sequence = 0;
  std::string message;
};

// The role set inside a role-changing transaction: `version` grows with every change, and
// the set is locked against other writers until the transaction ends.
class RoleTransaction {
 public:
  virtual ~RoleTransaction() = default;
  virtual int64_t version() const = 0;
  virtual absl::StatusOr<std::optional<RoleRow>> Get(const std::string& role_id) = 0;
  virtual absl::StatusOr<std::vector<RoleRow>> All() = 0;
};

// What a role change does: write `role` (insert or replace), or delete `delete_role_id`.
struct RoleChange {
  std::optional<RoleRow> upsert;
  std::optional<std::string> delete_role_id;
  std::optional<AuditAction> audit;  // nullopt: nothing to record (no change)
};

// What a client change does, decided from the current row (nullopt if absent).
struct ClientChange {
  enum class Kind { kNone, kUpsert, kDelete };
  Kind kind = Kind::kNone;
  ClientRow row;  // for kUpsert
  std::optional<AuditAction> audit;
};

class AuthStore {
 public:
  virtual ~AuthStore() = default;

  // NOT_FOUND if absent.
  virtual absl::StatusOr<ClientRow> GetClient(const std::string& client_id,
                                              absl::Time deadline) = 0;
  // Clients whose id starts with `prefix` and sorts after `after`, by id, at most `limit`.
  virtual absl::StatusOr<std::vector<ClientRow>> ListClients(const std::string& prefix,
                                                             const std::string& after, int limit,
                                                             absl::Time deadline) = 0;
  // Reads the client (locked against concurrent changes) and applies what `decide` returns,
  // with its audit entry, atomically. `decide` may run more than once (retries). Its error is
  // returned unchanged. Returns the client afterwards (nullopt if deleted or absent).
  virtual absl::StatusOr<std::optional<ClientRow>> ChangeClient(
      const std::string& client_id,
      const std::function<absl::StatusOr<ClientChange>(const std::optional<ClientRow>&)>& decide,
      absl::Time deadline) = 0;
  // Sets last_date_used (no audit entry: it is not a change by anyone).
  virtual absl::Status TouchClient(const std::string& client_id, absl::Time used,
                                   absl::Time deadline) = 0;
  // Deletes clients with delete_on_expiration whose expiry is before `now`, recording each
  // as "expired" by `by_client_id`; returns their ids.
  virtual absl::StatusOr<std::vector<std::string>> PurgeExpiredClients(
      absl::Time now, const std::string& by_client_id, absl::Time deadline) = 0;

  // The whole role set and its version.
  virtual absl::StatusOr<std::pair<int64_t, std::vector<RoleRow>>> LoadRoles(
      absl::Time deadline) = 0;
  // NOT_FOUND if absent.
  virtual absl::StatusOr<RoleRow> GetRole(const std::string& role_id, absl::Time deadline) = 0;
  // One role (nullopt if absent) and the role-set version, read together.
  virtual absl::StatusOr<std::pair<int64_t, std::optional<RoleRow>>> GetRoleWithVersion(
      const std::string& role_id, absl::Time deadline) = 0;
  // Runs `decide` with the role set locked; applies its change (bumping the version if it
  // changes anything) and audit entry atomically. Returns the version afterwards.
  virtual absl::StatusOr<int64_t> ChangeRoles(
      const std::function<absl::StatusOr<RoleChange>(RoleTransaction&)>& decide,
      absl::Time deadline) = 0;

  // Audit entries (optionally of one entity type / id), by sequence, after `after_sequence`.
  virtual absl::StatusOr<std::vector<AuditEntry>> ListAudit(const std::string& entity_type,
                                                            const std::string& entity_id,
                                                            int64_t after_sequence, int limit,
                                                            absl::Time deadline) = 0;
  // Checks the whole chain against the store's audit keyring (audit_chain.h).
  virtual absl::StatusOr<AuditVerification> VerifyAudit(absl::Time deadline) = 0;
  // The newest entry (nullopt when the history is empty), for checkpoints.
  virtual absl::StatusOr<std::optional<AuditEntry>> AuditHead(absl::Time deadline) = 0;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_AUTH_STORE_H_
