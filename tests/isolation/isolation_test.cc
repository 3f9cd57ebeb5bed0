// Invariant 2 ("own data only"), against real PostgreSQL with every service's migrations:
// each runtime role bulwark_<svc> may read and write rows of its own schema's tables and
// nothing else; no runtime role can create anything; migration roles reach only their own
// schema. Checked two ways: the catalog (every privilege of every role on every object, compared
// with exactly what is allowed) and behaviour (connecting as each role and being refused).
// The last tests widen a grant on purpose and check that the checker reports it.
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "libraries/pg/pg_test_database.h"
#include "services/auth/schema/migrations.h"
#include "services/hooks/schema/migrations.h"
#include "services/queue/schema/migrations.h"
#include "services/verifier/schema/migrations.h"

namespace bulwark {
namespace {

const std::vector<std::string> kServices = {"auth", "queue", "hooks", "verifier"};
const std::vector<std::string> kTablePrivileges = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                                   "TRUNCATE", "REFERENCES", "TRIGGER"};

std::unique_ptr<pg::PgTestDatabase> MigratedDatabase() {
  auto db = pg::PgTestDatabase::Create({&schema::AuthMigrations(), &schema::QueueMigrations(),
                                        &schema::HooksMigrations(), &schema::VerifierMigrations()});
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

std::vector<std::string> Roles() {
  std::vector<std::string> roles;
  for (const std::string& s : kServices) {
    roles.push_back("bulwark_" + s);
    roles.push_back("bulwark_" + s + "_owner");
  }
  return roles;
}

// What `role` may do to table `schema.table`; everything else must be refused.
std::set<std::string> AllowedOnTable(const std::string& role, const std::string& schema,
                                     const std::string& table) {
  if (role == "bulwark_" + schema + "_owner") {
    return {kTablePrivileges.begin(), kTablePrivileges.end()};  // it owns them
  }
  if (role != "bulwark_" + schema) return {};
  if (table == "schema_migrations") return {"SELECT"};
  if (schema == "auth" && table == "audit_history") return {"SELECT", "INSERT"};  // append-only
  // The time since which the shared replay nonces are complete: written once after a crash
  // emptied it, never moved back (which would reopen replays of pre-crash headers).
  if (schema == "auth" && table == "replay_epoch") return {"SELECT", "INSERT"};
  // The 64 replay partitions are fixed rows whose leases change hands: updated, never added or
  // removed.
  if (schema == "auth" && table == "replay_partitions") return {"SELECT", "UPDATE"};
  // Blocks of nonces written behind are added and purged, never changed.
  if (schema == "auth" && table == "replay_nonce_blocks") return {"SELECT", "INSERT", "DELETE"};
  // Recorded verdicts and issued attestations are never edited, only expired; policy versions
  // are never edited or removed (their load times are, through the column grant below).
  if (schema == "verifier" && table == "verifications") return {"SELECT", "INSERT", "DELETE"};
  if (schema == "verifier" && table == "attestations") return {"SELECT", "INSERT", "DELETE"};
  if (schema == "verifier" && table == "policy_versions") return {"SELECT", "INSERT"};
  // Hook versions and fire records are the evidence a verifier re-renders from: added and
  // purged, never edited (a version's retirement time through the column grant below).
  if (schema == "hooks" && (table == "hook_versions" || table == "last_fires")) {
    return {"SELECT", "INSERT", "DELETE"};
  }
  return {"SELECT", "INSERT", "UPDATE", "DELETE"};
}

// Columns `role` may use with privilege `p` on a table where AllowedOnTable refuses `p`
// table-wide; any other column grant is a violation (it would bypass the table check).
std::set<std::string> AllowedColumns(const std::string& role, const std::string& schema,
                                     const std::string& table, const std::string& p) {
  if (role == "bulwark_verifier" && schema == "verifier" && table == "policy_versions" &&
      p == "UPDATE") {
    return {"first_loaded", "last_loaded"};
  }
  if (role == "bulwark_hooks" && schema == "hooks" && table == "hook_versions" && p == "UPDATE") {
    return {"retired"};
  }
  // A fire is recorded before the task is created, then its outcome is set once (a trigger
  // refuses any change to a finished record: hooks migration 0004).
  if (role == "bulwark_hooks" && schema == "hooks" && table == "last_fires" && p == "UPDATE") {
    return {"error", "expires", "result"};
  }
  return {};
}

// Every deviation from the allowed privilege matrix, as readable sentences.
std::vector<std::string> IsolationViolations(pg::PgTestDatabase& db) {
  std::vector<std::string> violations;
  pqxx::connection admin(db.AdminDsn());
  pqxx::read_transaction txn(admin);

  // Role attributes and memberships: nothing beyond LOGIN.
  for (const std::string& role : Roles()) {
    pqxx::row r = txn.exec_params1(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls, "
        "(SELECT count(*) FROM pg_auth_members m WHERE m.member = a.oid) "
        "FROM pg_roles a WHERE rolname = $1",
        role);
    if (r[0].as<bool>()) violations.push_back(role + " has a privileged role attribute");
    if (r[1].as<int>() != 0) violations.push_back(role + " is a member of another role");
    // No runtime role may create anything in the database (schemas, temporary tables).
    bool runtime = role.find("_owner") == std::string::npos;
    for (const char* p : {"CREATE", "TEMPORARY"}) {
      bool has =
          txn.exec_params1("SELECT has_database_privilege($1, current_database(), $2)", role, p)[0]
              .as<bool>();
      bool allowed = !runtime && std::string(p) == "CREATE";
      if (has != allowed) {
        violations.push_back(
            absl::StrCat(role, (has ? " has " : " lacks "), p, " on the database"));
      }
    }
  }

  // Schemas: each role reaches only its own service's schema; runtime roles cannot create.
  pqxx::result schemas = txn.exec(
      "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
      "AND nspname <> 'information_schema'");
  for (const pqxx::row& s : schemas) {
    std::string schema = s[0].as<std::string>();
    for (const std::string& role : Roles()) {
      for (const char* p : {"USAGE", "CREATE"}) {
        bool has = txn.exec_params1("SELECT has_schema_privilege($1, $2, $3)", role, schema, p)[0]
                       .as<bool>();
        bool own = role == "bulwark_" + schema || role == "bulwark_" + schema + "_owner";
        bool allowed = schema == "public" ? std::string(p) == "USAGE"
                                          : own && (std::string(p) == "USAGE" ||
                                                    role == "bulwark_" + schema + "_owner");
        if (has != allowed) {
          violations.push_back(
              absl::StrCat(role, (has ? " has " : " lacks "), p, " on schema ", schema));
        }
      }
    }
  }

  // Tables (and views), sequences and functions in every non-system schema.
  pqxx::result tables = txn.exec(
      "SELECT n.nspname, c.relname, c.relkind FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'v', 'm', 'p', 'S') AND n.nspname NOT LIKE 'pg\\_%' "
      "AND n.nspname <> 'information_schema'");
  for (const pqxx::row& t : tables) {
    std::string schema = t[0].as<std::string>(), table = t[1].as<std::string>();
    std::string qualified = txn.quote_name(schema) + "." + txn.quote_name(table);
    bool sequence = t[2].as<std::string>() == "S";
    for (const std::string& role : Roles()) {
      if (sequence) {
        bool own = role == "bulwark_" + schema || role == "bulwark_" + schema + "_owner";
        for (const char* p : {"USAGE", "SELECT", "UPDATE"}) {
          bool has =
              txn.exec_params1("SELECT has_sequence_privilege($1, $2, $3)", role, qualified, p)[0]
                  .as<bool>();
          bool allowed =
              own && (std::string(p) != "UPDATE" || role.find("_owner") != std::string::npos);
          if (has != allowed) {
            violations.push_back(absl::StrCat(role, (has ? " has " : " lacks "), p, " on sequence ",
                                              schema, ".", table));
          }
        }
        continue;
      }
      std::set<std::string> allowed = AllowedOnTable(role, schema, table);
      for (const std::string& p : kTablePrivileges) {
        bool has = txn.exec_params1("SELECT has_table_privilege($1, $2, $3)", role, qualified, p)[0]
                       .as<bool>();
        if (has != (allowed.count(p) > 0)) {
          violations.push_back(
              absl::StrCat(role, (has ? " has " : " lacks "), p, " on ", schema, ".", table));
        }
      }
      // Column-level grants would bypass the table check: where a privilege is refused
      // table-wide, only the listed columns may carry it.
      for (const char* p : {"SELECT", "INSERT", "UPDATE", "REFERENCES"}) {
        if (allowed.count(p) > 0) continue;
        if (txn.exec_params1("SELECT has_table_privilege($1, $2, $3)", role, qualified, p)[0]
                .as<bool>()) {
          continue;  // a table-wide grant: reported above
        }
        std::set<std::string> columns;
        for (const pqxx::row& c : txn.exec_params(
                 "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 "
                 "AND NOT attisdropped AND has_column_privilege($2, attrelid, attnum, $3)",
                 qualified, role, p)) {
          columns.insert(c[0].as<std::string>());
        }
        std::set<std::string> expected = AllowedColumns(role, schema, table, p);
        for (const std::string& column : columns) {
          if (expected.count(column) == 0) {
            violations.push_back(absl::StrCat(role, " has column ", p, " on ", schema, ".", table,
                                              " (", column, ")"));
          }
        }
        for (const std::string& column : expected) {
          if (columns.count(column) == 0) {
            violations.push_back(absl::StrCat(role, " lacks column ", p, " on ", schema, ".", table,
                                              " (", column, ")"));
          }
        }
      }
    }
  }
  pqxx::result functions = txn.exec(
      "SELECT n.nspname, p.oid::regprocedure::text FROM pg_proc p "
      "JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE n.nspname = ANY(ARRAY['auth','queue','hooks','verifier'])");
  for (const pqxx::row& f : functions) {
    std::string schema = f[0].as<std::string>(), signature = f[1].as<std::string>();
    for (const std::string& role : Roles()) {
      bool has =
          txn.exec_params1("SELECT has_function_privilege($1, $2, 'EXECUTE')", role, signature)[0]
              .as<bool>();
      bool allowed = role == "bulwark_" + schema || role == "bulwark_" + schema + "_owner";
      if (has != allowed) {
        violations.push_back(
            absl::StrCat(role, (has ? " may " : " may not "), "execute ", signature));
      }
    }
  }
  return violations;
}

// Runs `sql` as `dsn`'s role, rolled back, and returns the SQLSTATE it fails with ("" if it
// succeeds).
std::string Attempt(const std::string& dsn, const std::string& sql) {
  return pg::SqlStateOf(dsn, sql, /*commit=*/false);
}

TEST(IsolationTest, PrivilegeMatrixIsExactlyAsDesigned) {
  auto db = MigratedDatabase();
  ASSERT_NE(db, nullptr);
  std::vector<std::string> violations = IsolationViolations(*db);
  EXPECT_TRUE(violations.empty()) << absl::StrJoin(violations, "\n");
}

TEST(IsolationTest, EveryServiceIsRefusedEveryOtherServicesTables) {
  auto db = MigratedDatabase();
  ASSERT_NE(db, nullptr);
  pqxx::connection admin(db->AdminDsn());
  int checked = 0;
  for (const std::string& owner : kServices) {
    pqxx::result tables;
    {
      pqxx::read_transaction txn(admin);
      tables = txn.exec_params(
          "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
          "WHERE schemaname = $1",
          owner);
    }
    ASSERT_FALSE(tables.empty()) << "schema " << owner << " has no tables to check";
    for (const std::string& intruder : kServices) {
      if (intruder == owner) continue;
      for (const pqxx::row& t : tables) {
        std::string table = t[0].as<std::string>();
        std::string dsn = db->RuntimeDsn(intruder);
        EXPECT_EQ(Attempt(dsn, "SELECT * FROM " + table + " LIMIT 1"), "42501")
            << "bulwark_" << intruder << " read " << table;
        EXPECT_EQ(Attempt(dsn, "INSERT INTO " + table + " DEFAULT VALUES"), "42501")
            << "bulwark_" << intruder << " wrote " << table;
        EXPECT_EQ(Attempt(dsn, "DELETE FROM " + table), "42501")
            << "bulwark_" << intruder << " deleted from " << table;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 12);  // every ordered pair, at least one table each
}

TEST(IsolationTest, NoRuntimeRoleCanCreateAnything) {
  auto db = MigratedDatabase();
  ASSERT_NE(db, nullptr);
  for (const std::string& s : kServices) {
    std::string dsn = db->RuntimeDsn(s);
    EXPECT_EQ(Attempt(dsn, "CREATE TABLE " + s + ".intruder (x int)"), "42501") << s;
    EXPECT_EQ(Attempt(dsn, "CREATE TABLE public.intruder (x int)"), "42501") << s;
    EXPECT_EQ(Attempt(dsn, "CREATE TEMPORARY TABLE intruder (x int)"), "42501") << s;
    EXPECT_EQ(Attempt(dsn, "CREATE SCHEMA intruder"), "42501") << s;
    EXPECT_EQ(Attempt(dsn, "DROP TABLE " + s + ".schema_migrations"), "42501") << s;
    EXPECT_EQ(Attempt(dsn, "CREATE FUNCTION " + s + ".f() RETURNS int AS 'SELECT 1' LANGUAGE sql"),
              "42501")
        << s;
  }
}

TEST(IsolationTest, OwnSchemaTablesGetRowRightsAutomatically) {
  // A table a later migration creates gets the runtime role's DML rights by default privilege.
  auto db = MigratedDatabase();
  ASSERT_NE(db, nullptr);
  {
    pqxx::connection owner(db->OwnerDsn("hooks"));
    pqxx::work txn(owner);
    txn.exec("CREATE TABLE hooks.probe (id serial PRIMARY KEY, v text)");
    txn.commit();
  }
  std::string dsn = db->RuntimeDsn("hooks");
  EXPECT_EQ(Attempt(dsn, "INSERT INTO hooks.probe (v) VALUES ('x')"), "");
  EXPECT_EQ(Attempt(dsn, "SELECT * FROM hooks.probe"), "");
  EXPECT_EQ(Attempt(dsn, "TRUNCATE hooks.probe"), "42501");
  EXPECT_EQ(Attempt(db->RuntimeDsn("auth"), "SELECT * FROM hooks.probe"), "42501");
  EXPECT_TRUE(IsolationViolations(*db).empty()) << absl::StrJoin(IsolationViolations(*db), "\n");
}

// The checker must notice a widened grant: these are the mistakes the test exists to catch.
TEST(IsolationCheckerTest, ReportsATableGrantedToAnotherService) {
  auto db = MigratedDatabase();
  ASSERT_NE(db, nullptr);
  {
    pqxx::connection admin(db->AdminDsn());
    pqxx::work txn(admin);
    txn.exec("GRANT SELECT ON auth.schema_migrations TO bulwark_hooks");
    txn.commit();
  }
  std::string all = absl::StrJoin(IsolationViolations(*db), "\n");
  EXPECT_NE(all.find("bulwark_hooks has SELECT on auth.schema_migrations"), std::string::npos)
      << all;
}

TEST(IsolationCheckerTest, ReportsColumnGrantsThatBypassARefusedTablePrivilege) {
  auto db = MigratedDatabase();
  ASSERT_NE(db, nullptr);
  {
    pqxx::connection admin(db->AdminDsn());
    pqxx::work txn(admin);
    txn.exec("GRANT UPDATE (action) ON auth.audit_history TO bulwark_auth");
    txn.exec("GRANT UPDATE (document) ON verifier.policy_versions TO bulwark_verifier");
    txn.exec("REVOKE UPDATE (last_loaded) ON verifier.policy_versions FROM bulwark_verifier");
    txn.exec("GRANT SELECT (verdict) ON verifier.verifications TO bulwark_queue");
    txn.commit();
  }
  std::string all = absl::StrJoin(IsolationViolations(*db), "\n");
  EXPECT_NE(all.find("bulwark_auth has column UPDATE on auth.audit_history (action)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("bulwark_verifier has column UPDATE on verifier.policy_versions (document)"),
            std::string::npos)
      << all;
  EXPECT_NE(
      all.find("bulwark_verifier lacks column UPDATE on verifier.policy_versions (last_loaded)"),
      std::string::npos)
      << all;
  EXPECT_NE(all.find("bulwark_queue has column SELECT on verifier.verifications (verdict)"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("first_loaded"), std::string::npos) << all;  // still exactly as designed
}

TEST(IsolationCheckerTest, ReportsSchemaUsageCreateRightsAndMembership) {
  auto db = MigratedDatabase();
  ASSERT_NE(db, nullptr);
  {
    pqxx::connection admin(db->AdminDsn());
    pqxx::work txn(admin);
    txn.exec("GRANT USAGE ON SCHEMA queue TO bulwark_verifier");
    txn.exec("GRANT CREATE ON SCHEMA hooks TO bulwark_hooks");
    txn.exec("GRANT TEMPORARY ON DATABASE " + txn.quote_name(db->name()) + " TO bulwark_auth");
    txn.commit();
  }
  std::string all = absl::StrJoin(IsolationViolations(*db), "\n");
  EXPECT_NE(all.find("bulwark_verifier has USAGE on schema queue"), std::string::npos) << all;
  EXPECT_NE(all.find("bulwark_hooks has CREATE on schema hooks"), std::string::npos) << all;
  EXPECT_NE(all.find("bulwark_auth has TEMPORARY on the database"), std::string::npos) << all;
}

}  // namespace
}  // namespace bulwark
