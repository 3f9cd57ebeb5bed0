#include "libraries/pg/migrations.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/pg/errors.h"

namespace bulwark::pg {
namespace {

absl::Status ValidateSet(const MigrationSet& set) {
  if (set.service.empty()) return absl::InvalidArgumentError("migration set has no service");
  for (size_t i = 0; i < set.migrations.size(); ++i) {
    if (set.migrations[i].version != static_cast<int>(i + 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat(set.service, " migrations must be numbered 1..N without gaps; found ",
                       set.migrations[i].version, " at position ", i + 1));
    }
  }
  return absl::OkStatus();
}

int CurrentVersion(pqxx::transaction_base& txn, const MigrationSet& set) {
  std::string table = set.schema() + ".schema_migrations";
  pqxx::row exists = txn.exec_params1("SELECT to_regclass($1) IS NOT NULL", table);
  if (!exists[0].as<bool>()) return 0;
  pqxx::row row = txn.exec1("SELECT coalesce(max(version), 0) FROM " +
                            txn.quote_name(set.schema()) + ".schema_migrations");
  return row[0].as<int>();
}

}  // namespace

absl::StatusOr<int> SchemaVersion(const std::string& dsn, const MigrationSet& set) {
  try {
    pqxx::connection conn(dsn);
    pqxx::read_transaction txn(conn);
    return CurrentVersion(txn, set);
  } catch (const std::exception& e) {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
      return absl::UnavailableError(absl::StrCat("cannot connect to the database: ", e.what()));
    }
    return StatusFromException(e, absl::StrCat("read ", set.service, " schema version"));
  }
}

absl::StatusOr<int> ApplyMigrations(const std::string& owner_dsn, const MigrationSet& set) {
  if (absl::Status s = ValidateSet(set); !s.ok()) return s;
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(owner_dsn);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to the database as ", set.owner_role(), ": ", e.what()));
  }
  const std::string schema = conn->quote_name(set.schema());
  const std::string lock_key = "bulwark-migrate:" + set.schema();
  int version = 0;
  std::string step = "lock";
  try {
    pqxx::nontransaction lock(*conn);
    lock.exec_params("SELECT pg_advisory_lock(hashtext($1))", lock_key);
  } catch (const std::exception& e) {
    return StatusFromException(e, "take the migration lock");
  }
  absl::Status result = absl::OkStatus();
  try {
    {
      pqxx::read_transaction txn(*conn);
      version = CurrentVersion(txn, set);
    }
    if (version > set.latest_version()) {
      result = absl::FailedPreconditionError(absl::StrCat(
          "the ", set.service, " schema is at version ", version,
          " but this binary knows only up to ", set.latest_version(), "; upgrade the binary"));
    }
    for (const Migration& m : set.migrations) {
      if (!result.ok() || m.version <= version) continue;
      step = absl::StrCat("migration ", m.version, " (", m.name, ")");
      pqxx::work txn(*conn);
      txn.exec(m.sql);
      txn.exec("CREATE TABLE IF NOT EXISTS " + schema +
               ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
               "applied_at timestamptz NOT NULL DEFAULT now())");
      txn.exec("REVOKE ALL ON " + schema + ".schema_migrations FROM " +
               txn.quote_name(set.runtime_role()));
      txn.exec("GRANT SELECT ON " + schema + ".schema_migrations TO " +
               txn.quote_name(set.runtime_role()));
      txn.exec_params(
          "INSERT INTO " + schema + ".schema_migrations (version, name) VALUES ($1, $2)", m.version,
          m.name);
      txn.commit();
      version = m.version;
    }
  } catch (const std::exception& e) {
    result = StatusFromException(e, absl::StrCat(set.service, " ", step));
    if (result.code() == absl::StatusCode::kInternal) {
      // A broken migration is the operator's to fix: show the database's words.
      result = absl::FailedPreconditionError(
          absl::StrCat(set.service, " ", step, " failed: ", e.what()));
    }
  }
  try {
    pqxx::nontransaction unlock(*conn);
    unlock.exec_params("SELECT pg_advisory_unlock(hashtext($1))", lock_key);
  } catch (const std::exception&) {
    // Closing the connection releases the lock anyway.
  }
  if (!result.ok()) return result;
  return version;
}

}  // namespace bulwark::pg
