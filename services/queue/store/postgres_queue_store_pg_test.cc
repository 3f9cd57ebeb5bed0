#include "libraries/pg/pg_test_database.h"
#include "services/queue/schema/migrations.h"
#include "services/queue/store/postgres_queue_store.h"
#include "services/queue/store/queue_store_conformance.h"

namespace bulwark::queue {
namespace {

struct Fixture {
  std::unique_ptr<pg::PgTestDatabase> db;
  std::unique_ptr<pg::ConnectionPool> pool;
};

QueueStoreUnderTest MakePostgres() {
  auto fixture = std::make_shared<Fixture>();
  auto db = pg::PgTestDatabase::Create({&schema::QueueMigrations()});
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return {};
  }
  fixture->db = std::move(*db);
  pg::ConnectionPool::Options options;
  options.dsn = fixture->db->RuntimeDsn("queue");
  fixture->pool = std::move(pg::ConnectionPool::Create(options)).value();
  return {std::make_shared<PostgresQueueStore>(*fixture->pool), fixture};
}

INSTANTIATE_TEST_SUITE_P(Postgres, QueueStoreConformanceTest, ::testing::Values(&MakePostgres));

}  // namespace
}  // namespace bulwark::queue
