// File: libraries/pg/pg_test_database.h
//
// PgTestDatabase (testonly): a fresh, migrated database on the test cluster for one test.
// The cluster's administrator connection string comes from BULWARK_TEST_PG_ADMIN (libpq
// keyword form; `./dev test` starts a throwaway cluster and sets it). Create() bootstraps the
// services' roles with fixed test passwords (resetting them: the cluster is the tests'), creates a
// uniquely named database, applies the given migration sets as each service's owner role, and the
// destructor drops the database.
//
//   auto db = PgTestDatabase::Create({&schema::AuthMigrations()});
//   ASSERT_TRUE(db.ok()) << db.status();
//   pqxx::connection runtime((*db)->RuntimeDsn("auth"));
//
// PgServiceDatabase (below) is the fixture a store's PostgreSQL tests use; SqlStateOf runs a
// statement around the store to show what the schema and the roles refuse.
//
// Thread-safety: one object per test; Create may run concurrently in several test processes.
// Errors: FAILED_PRECONDITION when BULWARK_TEST_PG_ADMIN is unset (the test then fails: it
// never passes without a database), otherwise what bootstrap or migrations return.

#ifndef BULWARK_LIBRARIES_PG_PG_TEST_DATABASE_H_
#define BULWARK_LIBRARIES_PG_PG_TEST_DATABASE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libraries/pg/migrations.h"
#include "libraries/pg/pool.h"

namespace bulwark::pg {

class PgTestDatabase {
 public:
  // Services named by `sets` get roles and migrations; `extra_services` get roles only.
  static absl::StatusOr<std::unique_ptr<PgTestDatabase>> Create(
      const std::vector<const MigrationSet*>& sets,
      const std::vector<std::string>& extra_services = {});
  ~PgTestDatabase();

  const std::string& name() const { return name_; }
  // The administrator, connected to this database.
  std::string AdminDsn() const;
  // bulwark_<service>, the runtime role.
  std::string RuntimeDsn(const std::string& service) const;
  // bulwark_<service>_owner, the migration role.
  std::string OwnerDsn(const std::string& service) const;

  static std::string TestPassword(const std::string& role) { return "test-pw-" + role; }

 private:
  PgTestDatabase() = default;
  std::string admin_dsn_;  // to the maintenance database
  std::string name_;
};

// The fixture every store's PostgreSQL tests share: a fresh database migrated with one service's
// set, and a pool connected as that service's runtime role.
//
//   auto db = PgServiceDatabase::Create(schema::QueueMigrations());
//   if (!db.ok()) { ADD_FAILURE() << db.status(); return {}; }
//   return {std::make_shared<PostgresQueueStore>(*(*db)->pool), *db};
struct PgServiceDatabase {
  std::unique_ptr<PgTestDatabase> db;
  std::unique_ptr<ConnectionPool> pool;

  static absl::StatusOr<std::shared_ptr<PgServiceDatabase>> Create(const MigrationSet& set,
                                                                   int pool_size = 8);

  // Create, or nullptr after reporting the error as a (non-fatal) test failure: for store
  // factories that hand an empty store to a suite that then fails its SetUp.
  static std::shared_ptr<PgServiceDatabase> CreateOrFail(const MigrationSet& set,
                                                         int pool_size = 8);
};

// Runs `sql` in one transaction as `dsn`'s role (e.g. RuntimeDsn), then commits it, or rolls it
// back when `commit` is false (to probe a privilege without leaving anything behind). Returns
// "" when it succeeds, the SQLSTATE when PostgreSQL refuses it ("42501": no privilege, "23514":
// a check constraint), or "not SQL: <what>" for any other failure (no connection, ...).
std::string SqlStateOf(const std::string& dsn, const std::string& sql, bool commit = true);

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_PG_TEST_DATABASE_H_
