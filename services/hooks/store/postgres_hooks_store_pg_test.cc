#include "libraries/pg/pg_test_database.h"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/store/hooks_store_conformance.h"
#include "services/hooks/store/postgres_hooks_store.h"

namespace bulwark::hooks {
namespace {

struct Fixture {
  std::unique_ptr<pg::PgTestDatabase> db;
  std::unique_ptr<pg::ConnectionPool> pool;
};

HooksStoreUnderTest MakePostgres() {
  auto fixture = std::make_shared<Fixture>();
  auto db = pg::PgTestDatabase::Create({&schema::HooksMigrations()});
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return {};
  }
  fixture->db = std::move(*db);
  pg::ConnectionPool::Options options;
  options.dsn = fixture->db->RuntimeDsn("hooks");
  fixture->pool = std::move(pg::ConnectionPool::Create(options)).value();
  return {std::make_shared<PostgresHooksStore>(*fixture->pool), fixture};
}

INSTANTIATE_TEST_SUITE_P(Postgres, HooksStoreConformanceTest, ::testing::Values(&MakePostgres));

}  // namespace
}  // namespace bulwark::hooks
