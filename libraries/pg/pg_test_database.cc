#include "libraries/pg/pg_test_database.h"

#include <unistd.h>

#include <cstdlib>
#include <pqxx/pqxx>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/pg/bootstrap.h"
#include "libraries/pg/dsn.h"
#include "libraries/pg/errors.h"

namespace bulwark::pg {

absl::StatusOr<std::unique_ptr<PgTestDatabase>> PgTestDatabase::Create(
    const std::vector<const MigrationSet*>& sets, const std::vector<std::string>& extra_services) {
  const char* admin = std::getenv("BULWARK_TEST_PG_ADMIN");
  if (admin == nullptr || *admin == '\0') {
    return absl::FailedPreconditionError(
        "BULWARK_TEST_PG_ADMIN is not set: this test needs PostgreSQL; run it through "
        "./dev test, which starts a throwaway cluster");
  }
  std::unique_ptr<PgTestDatabase> db(new PgTestDatabase());
  db->admin_dsn_ = admin;
  std::random_device rd;
  db->name_ = absl::StrCat("bulwark_t_", getpid(), "_", rd() % 1000000);

  BootstrapOptions options;
  options.admin_dsn = db->admin_dsn_;
  options.database = db->name_;
  options.reset_passwords = true;
  for (const MigrationSet* set : sets) options.services.push_back(set->service);
  for (const std::string& s : extra_services) options.services.push_back(s);
  for (const std::string& service : options.services) {
    for (const std::string& role : {"bulwark_" + service, "bulwark_" + service + "_owner"}) {
      options.passwords[role] = TestPassword(role);
    }
  }
  if (absl::Status s = Bootstrap(options); !s.ok()) return s;
  for (const MigrationSet* set : sets) {
    auto version = ApplyMigrations(db->OwnerDsn(set->service), *set);
    if (!version.ok()) return version.status();
  }
  return db;
}

PgTestDatabase::~PgTestDatabase() {
  if (!name_.empty()) (void)DropDatabase(admin_dsn_, name_);
}

std::string PgTestDatabase::AdminDsn() const { return DsnWith(admin_dsn_, {{"dbname", name_}}); }

std::string PgTestDatabase::RuntimeDsn(const std::string& service) const {
  std::string role = "bulwark_" + service;
  return DsnForRole(admin_dsn_, name_, role, TestPassword(role));
}

std::string PgTestDatabase::OwnerDsn(const std::string& service) const {
  std::string role = "bulwark_" + service + "_owner";
  return DsnForRole(admin_dsn_, name_, role, TestPassword(role));
}

absl::StatusOr<std::shared_ptr<PgServiceDatabase>> PgServiceDatabase::Create(
    const MigrationSet& set, int pool_size) {
  auto fixture = std::make_shared<PgServiceDatabase>();
  absl::StatusOr<std::unique_ptr<PgTestDatabase>> db = PgTestDatabase::Create({&set});
  if (!db.ok()) return db.status();
  fixture->db = std::move(*db);
  ConnectionPool::Options options;
  options.dsn = fixture->db->RuntimeDsn(set.service);
  options.size = pool_size;
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(options);
  if (!pool.ok()) return pool.status();
  fixture->pool = std::move(*pool);
  return fixture;
}

std::shared_ptr<PgServiceDatabase> PgServiceDatabase::CreateOrFail(const MigrationSet& set,
                                                                   int pool_size) {
  absl::StatusOr<std::shared_ptr<PgServiceDatabase>> fixture = Create(set, pool_size);
  if (!fixture.ok()) {
    ADD_FAILURE() << fixture.status();
    return nullptr;
  }
  return *fixture;
}

std::string SqlStateOf(const std::string& dsn, const std::string& sql, bool commit) {
  try {
    pqxx::connection c(dsn);
    pqxx::work txn(c);
    txn.exec(sql);
    if (commit) {
      txn.commit();
    } else {
      txn.abort();
    }
    return "";
  } catch (const pqxx::sql_error& e) {
    return SqlState(e);
  } catch (const std::exception& e) {
    return absl::StrCat("not SQL: ", e.what());
  }
}

}  // namespace bulwark::pg
