#include "libraries/pg/pg_test_database.h"
#include "services/queue/schema/migrations.h"
#include "services/queue/store/postgres_queue_store.h"
#include "services/queue/store/queue_store_conformance.h"

namespace bulwark::queue {
namespace {

QueueStoreUnderTest MakePostgres() {
  auto db = pg::PgServiceDatabase::Create(schema::QueueMigrations());
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return {};
  }
  return {std::make_shared<PostgresQueueStore>(*(*db)->pool), *db};
}

INSTANTIATE_TEST_SUITE_P(Postgres, QueueStoreConformanceTest, ::testing::Values(&MakePostgres));

}  // namespace
}  // namespace bulwark::queue
