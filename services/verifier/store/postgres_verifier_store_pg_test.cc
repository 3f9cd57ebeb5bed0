// PostgresVerifierStore against real PostgreSQL: the conformance suite, plus what only the
// database can show — the schema itself refuses what the store refuses, and the runtime role
// cannot rewrite recorded history even without going through the store.
#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "libraries/crypto/encoding.h"
#include "libraries/pg/pg_test_database.h"
#include "services/verifier/schema/migrations.h"
#include "services/verifier/store/postgres_verifier_store.h"
#include "services/verifier/store/verifier_store_conformance.h"

namespace bulwark::verifier {
namespace {

using Fixture = pg::PgServiceDatabase;

VerifierStoreUnderTest MakePostgres() {
  std::shared_ptr<Fixture> fixture = Fixture::CreateOrFail(schema::VerifierMigrations());
  if (fixture == nullptr) return {};
  return {std::make_shared<PostgresVerifierStore>(*fixture->pool), fixture};
}

INSTANTIATE_TEST_SUITE_P(Postgres, VerifierStoreConformanceTest, ::testing::Values(&MakePostgres));

class PostgresVerifierStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_ = Fixture::CreateOrFail(schema::VerifierMigrations());
    ASSERT_NE(fixture_, nullptr);
    store_ = std::make_unique<PostgresVerifierStore>(*fixture_->pool);
    document_ = "{\"version\": \"7\"}";
    auto recorded = store_->RecordPolicy("7", absl::BytesToHexString(crypto::Sha256(document_)),
                                         document_, now_, kNoDeadline);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
    VerificationRecord v;
    v.verification_id = "v1";
    v.task_id = "task-a";
    v.task_type = "signing";
    v.verdict = VerificationRecord::Verdict::kFail;
    v.policy_version = "7";
    v.report = "{}";
    v.checks_passed = 3;
    v.checks_failed = 1;
    v.created = now_;
    auto inserted = store_->InsertVerification(v, kNoDeadline);
    ASSERT_TRUE(inserted.ok()) << inserted.status();
    runtime_ = fixture_->db->RuntimeDsn("verifier");
  }

  const absl::Time kNoDeadline = absl::InfiniteFuture();
  absl::Time now_ = absl::FromUnixMicros(1795435200123456);
  std::shared_ptr<Fixture> fixture_;
  std::unique_ptr<PostgresVerifierStore> store_;
  std::string document_;
  std::string runtime_;
};

TEST_F(PostgresVerifierStoreTest, TheRuntimeRoleCannotRewriteRecordedHistory) {
  // A verdict cannot be flipped, a policy's content cannot be swapped, a policy cannot be
  // removed (which would orphan the verifications that name it).
  EXPECT_EQ(pg::SqlStateOf(runtime_, "UPDATE verifier.verifications SET verdict = 'PASS'"),
            "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime_, "UPDATE verifier.verifications SET report = 'x'"), "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime_, "UPDATE verifier.policy_versions SET document = 'x'"),
            "42501");
  EXPECT_EQ(
      pg::SqlStateOf(runtime_, "UPDATE verifier.policy_versions SET sha256 = repeat('0', 64)"),
      "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime_, "DELETE FROM verifier.policy_versions"), "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime_, "TRUNCATE verifier.verifications"), "42501");
  // What the store needs stays allowed: noting a load, expiring a verification.
  EXPECT_EQ(
      pg::SqlStateOf(runtime_, "UPDATE verifier.policy_versions SET last_loaded = last_loaded"),
      "");
  EXPECT_EQ(
      pg::SqlStateOf(runtime_, "DELETE FROM verifier.verifications WHERE verification_id = 'v1'"),
      "");
  EXPECT_EQ(store_->GetVerification("v1", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  auto policy = store_->GetPolicy("7", kNoDeadline);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->document, document_);
}

TEST_F(PostgresVerifierStoreTest, TheSchemaRefusesWhatTheStoreRefuses) {
  // Written around the store: the constraints hold anyway.
  const std::string insert =
      "INSERT INTO verifier.verifications VALUES ('v2', 'task-a', 'signing', ";
  const std::string rest = ", now())";
  EXPECT_EQ(pg::SqlStateOf(runtime_, insert + "'PASS', '7', '', 3, 1" + rest),
            "23514");  // failed > 0
  EXPECT_EQ(pg::SqlStateOf(runtime_, insert + "'PASS', '7', '', 0, 0" + rest),
            "23514");  // no checks
  EXPECT_EQ(pg::SqlStateOf(runtime_, insert + "'MAYBE', '7', '', 1, 0" + rest), "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime_, insert + "'FAIL', '7', '', -1, 0" + rest), "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime_, insert + "'FAIL', 'nope', '', 1, 1" + rest), "23503");
  EXPECT_EQ(pg::SqlStateOf(runtime_,
                           "INSERT INTO verifier.verifications VALUES ('a b', 'task-a', 'signing', "
                           "'FAIL', '7', '', 1, 1, now())"),
            "23514");
  EXPECT_EQ(
      pg::SqlStateOf(runtime_,
                     "INSERT INTO verifier.policy_versions VALUES ('8', 'ABC', '', now(), now())"),
      "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime_,
                           "INSERT INTO verifier.policy_versions VALUES ('8 b', repeat('0', "
                           "64), '', now(), now())"),
            "23514");
  EXPECT_EQ(pg::SqlStateOf(runtime_,
                           "INSERT INTO verifier.policy_versions VALUES ('8', repeat('0', "
                           "64), '', now(), now() - interval '1 day')"),
            "23514");
  // And a well-formed row goes in (the attempts above were refused for their fault alone).
  EXPECT_EQ(pg::SqlStateOf(runtime_, insert + "'PASS', '7', '', 1, 0" + rest), "");
}

}  // namespace
}  // namespace bulwark::verifier
