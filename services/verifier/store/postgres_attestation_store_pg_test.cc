// PostgresAttestationStore against real PostgreSQL: the conformance suite, plus what only the
// database can show: the runtime role cannot rewrite an issued attestation, and the schema
// refuses what the store refuses.
#include <pqxx/pqxx>

#include "libraries/pg/pg_test_database.h"
#include "services/verifier/schema/migrations.h"
#include "services/verifier/store/attestation_store_conformance.h"
#include "services/verifier/store/postgres_attestation_store.h"

namespace bulwark::verifier {
namespace {

using Fixture = pg::PgServiceDatabase;

AttestationStoreUnderTest MakePostgres() {
  std::shared_ptr<Fixture> fixture = Fixture::CreateOrFail(schema::VerifierMigrations());
  if (fixture == nullptr) return {};
  return {std::make_shared<PostgresAttestationStore>(*fixture->pool), fixture};
}

INSTANTIATE_TEST_SUITE_P(Postgres, AttestationStoreConformanceTest,
                         ::testing::Values(&MakePostgres));

TEST(PostgresAttestationStoreTest, IssuedAttestationsCannotBeRewritten) {
  std::shared_ptr<Fixture> fixture = Fixture::CreateOrFail(schema::VerifierMigrations());
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
  EXPECT_EQ(pg::SqlStateOf(runtime, "UPDATE verifier.attestations SET envelope = 'x'"), "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime, "UPDATE verifier.attestations SET key_id = 'k'"), "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime, "TRUNCATE verifier.attestations"), "42501");
  const std::string insert = "INSERT INTO verifier.attestations VALUES ('v2', 'task-a', ";
  EXPECT_EQ(pg::SqlStateOf(runtime, insert + "-1, 'k', 'e', now(), now() + interval '1 hour')"),
            "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime, insert + "0, 'k/1', 'e', now(), now() + interval '1 hour')"),
            "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime, insert + "0, 'k', '', now(), now() + interval '1 hour')"),
            "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime, insert + "0, 'k', 'e', now(), now())"), "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime, insert + "0, 'k', 'e', now(), now() + interval '1 hour')"), "");
  // Expiry stays allowed.
  EXPECT_EQ(
      pg::SqlStateOf(runtime, "DELETE FROM verifier.attestations WHERE verification_id = 'v1'"),
      "");
}

}  // namespace
}  // namespace bulwark::verifier
