#include "libraries/pg/bootstrap.h"

#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libraries/pg/dsn.h"
#include "libraries/pg/errors.h"

namespace bulwark::pg {
namespace {

bool IsPlainName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

void EnsureRole(pqxx::connection& conn, const std::string& role, const std::string* password,
                bool reset_password) {
  pqxx::nontransaction txn(conn);
  std::string pw = password != nullptr ? " PASSWORD " + txn.quote(*password) : "";
  std::string attributes =
      " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT";
  // Another cluster user may have created it meanwhile: then the role exists, which is fine.
  txn.exec("DO $$ BEGIN CREATE ROLE " + txn.quote_name(role) + attributes + pw +
           "; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
  if (reset_password && password != nullptr) {
    txn.exec("ALTER ROLE " + txn.quote_name(role) + attributes + pw);
  }
}

}  // namespace

absl::Status Bootstrap(const BootstrapOptions& options) {
  if (!IsPlainName(options.database)) {
    return absl::InvalidArgumentError(
        absl::StrCat("database name '", options.database, "' must be [a-z0-9_]{1,63}"));
  }
  std::vector<std::string> roles;
  for (const std::string& service : options.services) {
    if (!IsPlainName(service)) {
      return absl::InvalidArgumentError(absl::StrCat("bad service name '", service, "'"));
    }
    roles.push_back("bulwark_" + service);
    roles.push_back("bulwark_" + service + "_owner");
  }
  std::string step = "connect";
  try {
    pqxx::connection admin(options.admin_dsn);
    // One bootstrap at a time per cluster (tests run many at once): role and password changes
    // would otherwise collide ("tuple concurrently updated"). Released with the connection.
    {
      pqxx::nontransaction txn(admin);
      txn.exec("SELECT pg_advisory_lock(hashtext('bulwark-bootstrap'))");
    }
    for (const std::string& role : roles) {
      step = "create role " + role;
      auto it = options.passwords.find(role);
      EnsureRole(admin, role, it == options.passwords.end() ? nullptr : &it->second,
                 options.reset_passwords);
    }
    step = "create database " + options.database;
    {
      pqxx::nontransaction txn(admin);
      pqxx::result exists =
          txn.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", options.database);
      if (exists.empty()) {
        try {
          txn.exec("CREATE DATABASE " + txn.quote_name(options.database));
        } catch (const pqxx::sql_error& e) {
          if (e.sqlstate() != "42P04" && e.sqlstate() != "23505") throw;  // raced: exists
        }
      }
      std::string db = txn.quote_name(options.database);
      txn.exec("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
      for (const std::string& role : roles) {
        txn.exec("GRANT CONNECT ON DATABASE " + db + " TO " + txn.quote_name(role));
      }
      for (const std::string& service : options.services) {
        txn.exec("GRANT CREATE ON DATABASE " + db + " TO " +
                 txn.quote_name("bulwark_" + service + "_owner"));
      }
    }
    step = "lock down schema public in " + options.database;
    pqxx::connection target(DsnWith(options.admin_dsn, {{"dbname", options.database}}));
    pqxx::nontransaction txn(target);
    txn.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
  } catch (const std::exception& e) {
    return StatusFromException(e, absl::StrCat("database bootstrap: ", step));
  }
  return absl::OkStatus();
}

absl::Status DropDatabase(const std::string& admin_dsn, const std::string& database) {
  try {
    pqxx::connection admin(admin_dsn);
    pqxx::nontransaction txn(admin);
    txn.exec("DROP DATABASE IF EXISTS " + txn.quote_name(database) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    return StatusFromException(e, "drop database " + database);
  }
  return absl::OkStatus();
}

}  // namespace bulwark::pg
