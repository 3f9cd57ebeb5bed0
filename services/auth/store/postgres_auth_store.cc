#include "services/auth/store/postgres_auth_store.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"
#include "nlohmann/json.hpp"
#include "services/auth/store/audit_chain.h"

namespace bulwark::auth {
namespace {

// Times travel as integer microseconds since the epoch, so nothing is rounded.
constexpr char kClientColumns[] =
    "client_id, description, sealed_access_token, "
    "(extract(epoch from expires) * 1000000)::bigint, disabled, delete_on_expiration, "
    "scopes::text, (extract(epoch from created) * 1000000)::bigint, "
    "(extract(epoch from last_modified) * 1000000)::bigint, "
    "(extract(epoch from last_date_used) * 1000000)::bigint, "
    "(extract(epoch from last_rotated) * 1000000)::bigint, created_by";
constexpr char kRoleColumns[] =
    "role_id, description, scopes::text, (extract(epoch from created) * 1000000)::bigint, "
    "(extract(epoch from last_modified) * 1000000)::bigint";
constexpr char kAuditColumns[] =
    "sequence, entity_type, entity_id, client_id, action, "
    "(extract(epoch from created) * 1000000)::bigint, hash, key_id";
using pg::Micros;
std::string Ts(int n) { return pg::TimestampParam(n); }
// Notification payloads are limited to 8000 bytes; a longer id asks for a full reload.
constexpr size_t kMaxNotifyId = 7000;

absl::Time FromMicros(const pqxx::field& f) { return pg::TimeFromMicros(f); }

std::vector<std::string> ScopesFromJson(const std::string& text) {
  return nlohmann::json::parse(text).get<std::vector<std::string>>();
}
std::string ScopesToJson(const std::vector<std::string>& scopes) {
  return nlohmann::json(scopes).dump();
}

ClientRow ClientFromRow(const pqxx::row& r) {
  ClientRow c;
  c.client_id = r[0].as<std::string>();
  c.description = r[1].as<std::string>();
  c.sealed_access_token = r[2].as<std::string>();
  c.expires = FromMicros(r[3]);
  c.disabled = r[4].as<bool>();
  c.delete_on_expiration = r[5].as<bool>();
  c.scopes = ScopesFromJson(r[6].as<std::string>());
  c.created = FromMicros(r[7]);
  c.last_modified = FromMicros(r[8]);
  c.last_date_used = FromMicros(r[9]);
  c.last_rotated = FromMicros(r[10]);
  c.created_by = r[11].as<std::string>();
  return c;
}

RoleRow RoleFromRow(const pqxx::row& r) {
  RoleRow role;
  role.role_id = r[0].as<std::string>();
  role.description = r[1].as<std::string>();
  role.scopes = ScopesFromJson(r[2].as<std::string>());
  role.created = FromMicros(r[3]);
  role.last_modified = FromMicros(r[4]);
  return role;
}

AuditEntry AuditFromRow(const pqxx::row& r) {
  AuditEntry e;
  e.sequence = r[0].as<int64_t>();
  e.entity_type = r[1].as<std::string>();
  e.entity_id = r[2].as<std::string>();
  e.client_id = r[3].as<std::string>();
  e.action = r[4].as<std::string>();
  e.created = FromMicros(r[5]);
  e.hash = r[6].as<std::string>();
  e.key_id = r[7].as<std::string>();
  return e;
}

void Notify(pqxx::work& txn, const std::string& kind, const std::string& id) {
  std::string payload = id.size() > kMaxNotifyId ? kind + "s" : kind + ":" + id;
  txn.exec_params("SELECT pg_notify($1, $2)", kAuthChangeChannel, payload);
}

// Appends one entry to the chain. The advisory lock serializes appenders until commit.
void AppendAudit(pqxx::work& txn, const AuditKeyring& keyring, const AuditAction& action) {
  txn.exec("SELECT pg_advisory_xact_lock(hashtext('bulwark-auth-audit'))");
  pqxx::result last =
      txn.exec("SELECT sequence, hash FROM auth.audit_history ORDER BY sequence DESC LIMIT 1");
  AuditEntry e;
  e.sequence = last.empty() ? 1 : last[0][0].as<int64_t>() + 1;
  std::string previous = last.empty() ? kAuditGenesisHash : last[0][1].as<std::string>();
  e.entity_type = action.entity_type;
  e.entity_id = action.entity_id;
  e.client_id = action.client_id;
  e.action = action.action;
  // The database's clock, truncated to microseconds as stored.
  e.created = FromMicros(txn.exec1("SELECT (extract(epoch from now()) * 1000000)::bigint")[0]);
  SealAuditEntry(keyring, previous, &e);
  txn.exec_params(
      "INSERT INTO auth.audit_history (sequence, entity_type, entity_id, "
      "client_id, action, created, hash, key_id) VALUES ($1, $2, $3, $4, $5, " +
          Ts(6) + ", $7, $8)",
      e.sequence, e.entity_type, e.entity_id, e.client_id, e.action, Micros(e.created), e.hash,
      e.key_id);
}

pg::TransactionOptions Options(absl::Time deadline, const char* name, bool read_only = false) {
  return pg::TransactionOptions::Named(deadline, name, read_only);
}

class PgRoleTransaction final : public RoleTransaction {
 public:
  PgRoleTransaction(pqxx::work& txn, int64_t version) : txn_(txn), version_(version) {}
  int64_t version() const override { return version_; }
  absl::StatusOr<std::optional<RoleRow>> Get(const std::string& role_id) override {
    pqxx::result r = txn_.exec_params(
        absl::StrCat("SELECT ", kRoleColumns, " FROM auth.roles WHERE role_id = $1"), role_id);
    if (r.empty()) return std::optional<RoleRow>();
    return std::optional<RoleRow>(RoleFromRow(r[0]));
  }
  absl::StatusOr<std::vector<RoleRow>> All() override {
    std::vector<RoleRow> roles;
    for (const pqxx::row& r :
         txn_.exec(absl::StrCat("SELECT ", kRoleColumns, " FROM auth.roles ORDER BY role_id"))) {
      roles.push_back(RoleFromRow(r));
    }
    return roles;
  }

 private:
  pqxx::work& txn_;
  int64_t version_;
};

}  // namespace

absl::StatusOr<ClientRow> PostgresAuthStore::GetClient(const std::string& client_id,
                                                       absl::Time deadline) {
  std::optional<ClientRow> found;
  absl::Status s =
      pg::RunTransaction(pool_, Options(deadline, "get client", true), [&](pqxx::work& txn) {
        pqxx::result r = txn.exec_params(
            absl::StrCat("SELECT ", kClientColumns, " FROM auth.clients WHERE client_id = $1"),
            client_id);
        if (!r.empty()) found = ClientFromRow(r[0]);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (!found) return absl::NotFoundError(absl::StrCat("client '", client_id, "' not found"));
  return *found;
}

absl::StatusOr<std::vector<ClientRow>> PostgresAuthStore::ListClients(const std::string& prefix,
                                                                      const std::string& after,
                                                                      int limit,
                                                                      absl::Time deadline) {
  std::vector<ClientRow> clients;
  absl::Status s =
      pg::RunTransaction(pool_, Options(deadline, "list clients", true), [&](pqxx::work& txn) {
        clients.clear();
        for (const pqxx::row& r : txn.exec_params(
                 absl::StrCat(
                     "SELECT ", kClientColumns,
                     " FROM auth.clients WHERE starts_with(client_id, $1) "
                     "AND client_id COLLATE \"C\" > $2 ORDER BY client_id COLLATE \"C\" LIMIT $3"),
                 prefix, after, limit)) {
          clients.push_back(ClientFromRow(r));
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return clients;
}

absl::StatusOr<std::optional<ClientRow>> PostgresAuthStore::ChangeClient(
    const std::string& client_id,
    const std::function<absl::StatusOr<ClientChange>(const std::optional<ClientRow>&)>& decide,
    absl::Time deadline) {
  std::optional<ClientRow> after;
  // Two creators of the same new client both see it absent; the loser's insert does nothing
  // and it decides again, now seeing the winner's row.
  for (int attempt = 0; attempt < 3; ++attempt) {
    bool lost_race = false;
    absl::Status s = pg::RunTransaction(
        pool_, Options(deadline, "change client"), [&](pqxx::work& txn) -> absl::Status {
          lost_race = false;
          pqxx::result r =
              txn.exec_params(absl::StrCat("SELECT ", kClientColumns,
                                           " FROM auth.clients WHERE client_id = $1 FOR UPDATE"),
                              client_id);
          std::optional<ClientRow> current;
          if (!r.empty()) current = ClientFromRow(r[0]);
          absl::StatusOr<ClientChange> change = decide(current);
          if (!change.ok()) return change.status();
          after = current;
          if (change->kind == ClientChange::Kind::kDelete && current) {
            txn.exec_params("DELETE FROM auth.clients WHERE client_id = $1", client_id);
            after.reset();
          } else if (change->kind == ClientChange::Kind::kUpsert) {
            const ClientRow& c = change->row;
            std::string values = absl::StrCat("$1, $2, $3, ", Ts(4), ", $5, $6, $7::jsonb, ", Ts(8),
                                              ", ", Ts(9), ", ", Ts(10), ", ", Ts(11), ", $12");
            std::string sql =
                current ? absl::StrCat(
                              "UPDATE auth.clients SET (client_id, description, "
                              "sealed_access_token, expires, disabled, delete_on_expiration, "
                              "scopes, created, last_modified, last_date_used, last_rotated, "
                              "created_by) = (",
                              values, ") WHERE client_id = $1")
                        : absl::StrCat("INSERT INTO auth.clients VALUES (", values,
                                       ") ON CONFLICT (client_id) DO NOTHING");
            pqxx::result w =
                txn.exec_params(sql, c.client_id, c.description, c.sealed_access_token,
                                Micros(c.expires), c.disabled, c.delete_on_expiration,
                                ScopesToJson(c.scopes), Micros(c.created), Micros(c.last_modified),
                                Micros(c.last_date_used), Micros(c.last_rotated), c.created_by);
            if (w.affected_rows() == 0) {
              lost_race = true;
              return absl::AbortedError("lost a race to create the client");
            }
            after = c;
          }
          if (change->audit) {
            AppendAudit(txn, audit_keys_, *change->audit);
            Notify(txn, "client", client_id);
          }
          return absl::OkStatus();
        });
    if (lost_race) continue;
    if (!s.ok()) return s;
    return after;
  }
  return absl::AbortedError("the client kept changing concurrently; retry");
}

absl::Status PostgresAuthStore::TouchClient(const std::string& client_id, absl::Time used,
                                            absl::Time deadline) {
  return pg::RunTransaction(pool_, Options(deadline, "record client use"), [&](pqxx::work& txn) {
    txn.exec_params("UPDATE auth.clients SET last_date_used = " + Ts(2) + " WHERE client_id = $1",
                    client_id, Micros(used));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> PostgresAuthStore::PurgeExpiredClients(
    absl::Time now, const std::string& by_client_id, absl::Time deadline) {
  std::vector<std::string> purged;
  absl::Status s =
      pg::RunTransaction(pool_, Options(deadline, "purge expired clients"), [&](pqxx::work& txn) {
        purged.clear();
        for (const pqxx::row& r :
             txn.exec_params("DELETE FROM auth.clients WHERE delete_on_expiration AND expires < " +
                                 Ts(1) + " RETURNING client_id",
                             Micros(now))) {
          purged.push_back(r[0].as<std::string>());
        }
        std::sort(purged.begin(), purged.end());
        for (const std::string& id : purged) {
          AppendAudit(txn, audit_keys_, {"client", id, by_client_id, "expired"});
          Notify(txn, "client", id);
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return purged;
}

absl::StatusOr<std::pair<int64_t, std::vector<RoleRow>>> PostgresAuthStore::LoadRoles(
    absl::Time deadline) {
  std::pair<int64_t, std::vector<RoleRow>> out;
  pg::TransactionOptions options = Options(deadline, "load roles", true);
  options.isolation = pg::Isolation::kRepeatableRead;  // version and rows from one snapshot
  absl::Status s = pg::RunTransaction(pool_, options, [&](pqxx::work& txn) {
    out.first = txn.exec1("SELECT version FROM auth.role_set_version")[0].as<int64_t>();
    PgRoleTransaction view(txn, out.first);
    absl::StatusOr<std::vector<RoleRow>> all = view.All();
    if (!all.ok()) return all.status();
    out.second = std::move(*all);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<RoleRow> PostgresAuthStore::GetRole(const std::string& role_id,
                                                   absl::Time deadline) {
  std::optional<RoleRow> found;
  absl::Status s =
      pg::RunTransaction(pool_, Options(deadline, "get role", true), [&](pqxx::work& txn) {
        PgRoleTransaction view(txn, 0);
        absl::StatusOr<std::optional<RoleRow>> r = view.Get(role_id);
        if (!r.ok()) return r.status();
        found = *r;
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  if (!found) return absl::NotFoundError(absl::StrCat("role '", role_id, "' not found"));
  return *found;
}

absl::StatusOr<std::pair<int64_t, std::optional<RoleRow>>> PostgresAuthStore::GetRoleWithVersion(
    const std::string& role_id, absl::Time deadline) {
  std::pair<int64_t, std::optional<RoleRow>> out;
  pg::TransactionOptions options = Options(deadline, "get role", true);
  options.isolation = pg::Isolation::kRepeatableRead;
  absl::Status s = pg::RunTransaction(pool_, options, [&](pqxx::work& txn) {
    out.first = txn.exec1("SELECT version FROM auth.role_set_version")[0].as<int64_t>();
    PgRoleTransaction view(txn, out.first);
    absl::StatusOr<std::optional<RoleRow>> r = view.Get(role_id);
    if (!r.ok()) return r.status();
    out.second = *r;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<int64_t> PostgresAuthStore::ChangeRoles(
    const std::function<absl::StatusOr<RoleChange>(RoleTransaction&)>& decide,
    absl::Time deadline) {
  int64_t version = 0;
  absl::Status s = pg::RunTransaction(
      pool_, Options(deadline, "change role"), [&](pqxx::work& txn) -> absl::Status {
        version =
            txn.exec1("SELECT version FROM auth.role_set_version FOR UPDATE")[0].as<int64_t>();
        PgRoleTransaction view(txn, version);
        absl::StatusOr<RoleChange> change = decide(view);
        if (!change.ok()) return change.status();
        std::string changed_id;
        if (change->upsert) {
          const RoleRow& r = *change->upsert;
          txn.exec_params(
              absl::StrCat("INSERT INTO auth.roles VALUES ($1, $2, $3::jsonb, ", Ts(4), ", ", Ts(5),
                           ") ON CONFLICT (role_id) DO UPDATE SET description = $2, "
                           "scopes = $3::jsonb, last_modified = ",
                           Ts(5)),
              r.role_id, r.description, ScopesToJson(r.scopes), Micros(r.created),
              Micros(r.last_modified));
          changed_id = r.role_id;
        } else if (change->delete_role_id) {
          pqxx::result d =
              txn.exec_params("DELETE FROM auth.roles WHERE role_id = $1", *change->delete_role_id);
          if (d.affected_rows() > 0) changed_id = *change->delete_role_id;
        }
        if (changed_id.empty()) return absl::OkStatus();
        ++version;
        txn.exec_params("UPDATE auth.role_set_version SET version = $1", version);
        if (change->audit) AppendAudit(txn, audit_keys_, *change->audit);
        Notify(txn, "role", changed_id);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return version;
}

absl::StatusOr<std::vector<AuditEntry>> PostgresAuthStore::ListAudit(const std::string& entity_type,
                                                                     const std::string& entity_id,
                                                                     int64_t after_sequence,
                                                                     int limit,
                                                                     absl::Time deadline) {
  std::vector<AuditEntry> entries;
  absl::Status s = pg::RunTransaction(
      pool_, Options(deadline, "list audit history", true), [&](pqxx::work& txn) {
        entries.clear();
        for (const pqxx::row& r : txn.exec_params(
                 absl::StrCat("SELECT ", kAuditColumns,
                              " FROM auth.audit_history WHERE sequence > $1 "
                              "AND ($2 = '' OR entity_type = $2) AND ($3 = '' OR entity_id = $3) "
                              "ORDER BY sequence LIMIT $4"),
                 after_sequence, entity_type, entity_id, limit)) {
          entries.push_back(AuditFromRow(r));
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return entries;
}

absl::StatusOr<AuditVerification> PostgresAuthStore::VerifyAudit(absl::Time deadline) {
  std::vector<AuditEntry> entries;
  absl::Status s = pg::RunTransaction(
      pool_, Options(deadline, "verify audit history", true), [&](pqxx::work& txn) {
        entries.clear();
        for (const pqxx::row& r : txn.exec(absl::StrCat(
                 "SELECT ", kAuditColumns, " FROM auth.audit_history ORDER BY sequence"))) {
          entries.push_back(AuditFromRow(r));
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return VerifyAuditChain(entries, audit_keys_);
}

absl::StatusOr<std::optional<AuditEntry>> PostgresAuthStore::AuditHead(absl::Time deadline) {
  std::optional<AuditEntry> head;
  absl::Status s =
      pg::RunTransaction(pool_, Options(deadline, "read audit head", true), [&](pqxx::work& txn) {
        head.reset();
        pqxx::result r = txn.exec(absl::StrCat(
            "SELECT ", kAuditColumns, " FROM auth.audit_history ORDER BY sequence DESC LIMIT 1"));
        if (!r.empty()) head = AuditFromRow(r[0]);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return head;
}

}  // namespace bulwark::auth
