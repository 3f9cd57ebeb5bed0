// PostgresAttestationStore against real PostgreSQL: the conformance suite, plus what only the
// database can show: the runtime role cannot rewrite an issued attestation, and the schema
// refuses what the store refuses.
#include <pqxx/pqxx>

#include "libraries/pg/errors.h"
#include "libraries/pg/pg_test_database.h"
#include "services/verifier/schema/migrations.h"
#include "services/verifier/store/attestation_store_conformance.h"
#include "services/verifier/store/postgres_attestation_store.h"

namespace bulwark::verifier {
namespace {

using Fixture = pg::PgServiceDatabase;

std::shared_ptr<Fixture> MakeFixture() {
  auto fixture = Fixture::Create(schema::VerifierMigrations());
  if (!fixture.ok()) {
    ADD_FAILURE() << fixture.status();
    return nullptr;
  }
  return *fixture;
}

AttestationStoreUnderTest MakePostgres() {
  std::shared_ptr<Fixture> fixture = MakeFixture();
  if (fixture == nullptr) return {};
  return {std::make_shared<PostgresAttestationStore>(*fixture->pool), fixture};
}

INSTANTIATE_TEST_SUITE_P(Postgres, AttestationStoreConformanceTest,
                         ::testing::Values(&MakePostgres));

std::string Attempt(const std::string& dsn, const std::string& sql) {
  try {
    pqxx::connection c(dsn);
    pqxx::work txn(c);
    txn.exec(sql);
    txn.commit();
    return "";
  } catch (const pqxx::sql_error& e) {
    return pg::SqlState(e);
  }
}

TEST(PostgresAttestationStoreTest, IssuedAttestationsCannotBeRewritten) {
  std::shared_ptr<Fixture> fixture = MakeFixture();
  ASSERT_NE(fixture, nullptr);
  PostgresAttestationStore store(*fixture->pool);
  AttestationRecord a;
  a.verification_id = "v1";
  a.task_id = "task-a";
  a.key_id = "verifier-1";
  a.envelope = "{}";
  a.created = absl::FromUnixSeconds(1800000000);
  a.expires = a.created + absl::Hours(1);
  ASSERT_TRUE(store.InsertAttestation(a, absl::InfiniteFuture()).ok());
  const std::string runtime = fixture->db->RuntimeDsn("verifier");
  EXPECT_EQ(Attempt(runtime, "UPDATE verifier.attestations SET envelope = 'x'"), "42501");
  EXPECT_EQ(Attempt(runtime, "UPDATE verifier.attestations SET key_id = 'k'"), "42501");
  EXPECT_EQ(Attempt(runtime, "TRUNCATE verifier.attestations"), "42501");
  const std::string insert = "INSERT INTO verifier.attestations VALUES ('v2', 'task-a', ";
  EXPECT_EQ(Attempt(runtime, insert + "-1, 'k', 'e', now(), now() + interval '1 hour')"), "23514");
  EXPECT_EQ(Attempt(runtime, insert + "0, 'k/1', 'e', now(), now() + interval '1 hour')"), "23514");
  EXPECT_EQ(Attempt(runtime, insert + "0, 'k', '', now(), now() + interval '1 hour')"), "23514");
  EXPECT_EQ(Attempt(runtime, insert + "0, 'k', 'e', now(), now())"), "23514");
  EXPECT_EQ(Attempt(runtime, insert + "0, 'k', 'e', now(), now() + interval '1 hour')"), "");
  // Expiry stays allowed.
  EXPECT_EQ(Attempt(runtime, "DELETE FROM verifier.attestations WHERE verification_id = 'v1'"), "");
}

}  // namespace
}  // namespace bulwark::verifier
