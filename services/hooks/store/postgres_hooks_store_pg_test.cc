#include "libraries/pg/pg_test_database.h"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/store/hooks_store_conformance.h"
#include "services/hooks/store/postgres_hooks_store.h"

namespace bulwark::hooks {
namespace {

HooksStoreUnderTest MakePostgres() {
  auto db = pg::PgServiceDatabase::Create(schema::HooksMigrations());
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return {};
  }
  return {std::make_shared<PostgresHooksStore>(*(*db)->pool), *db};
}

INSTANTIATE_TEST_SUITE_P(Postgres, HooksStoreConformanceTest, ::testing::Values(&MakePostgres));

}  // namespace
}  // namespace bulwark::hooks
