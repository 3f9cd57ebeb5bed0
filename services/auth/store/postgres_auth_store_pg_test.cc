#include <pqxx/pqxx>

#include "libraries/pg/pg_test_database.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/store/auth_store_conformance.h"
#include "services/auth/store/postgres_auth_store.h"

namespace bulwark::auth {
namespace {

StoreUnderTest MakePostgresStore(Clock&) {
  auto fixture = pg::PgServiceDatabase::Create(schema::AuthMigrations());
  if (!fixture.ok()) {
    ADD_FAILURE() << fixture.status();
    return {};
  }
  std::string admin = (*fixture)->db->AdminDsn();
  return {std::make_shared<PostgresAuthStore>(*(*fixture)->pool, AuditKeyring::ForTesting()),
          [admin](int64_t seq, const std::string& action) {
            // The runtime role cannot update the history; an intruder with the owner's or an
            // administrator's rights can, and VerifyAudit must notice.
            pqxx::connection c(admin);
            pqxx::work txn(c);
            txn.exec_params("UPDATE auth.audit_history SET action = $2 WHERE sequence = $1", seq,
                            action);
            txn.commit();
          },
          *fixture};
}

INSTANTIATE_TEST_SUITE_P(Postgres, AuthStoreConformanceTest, ::testing::Values(&MakePostgresStore));

}  // namespace
}  // namespace bulwark::auth
