// The conformance suite on PostgreSQL, and what only PostgreSQL can show: how artifact content
// lies in the tables (no value over a chunk, identical content once, nothing left staged) and
// that migration 3 moves content stored whole by version 2 into chunks.
#include <pqxx/pqxx>

#include "libraries/pg/pg_test_database.h"
#include "libraries/proto/timestamp.h"
#include "libraries/testing/pseudo_random_bytes.h"
#include "services/queue/schema/migrations.h"
#include "services/queue/store/postgres_queue_store.h"
#include "services/queue/store/queue_store_conformance.h"

namespace bulwark::queue {
namespace {

const absl::Time kNoDeadline = absl::InfiniteFuture();

QueueStoreUnderTest MakePostgres() {
  auto db = pg::PgServiceDatabase::Create(schema::QueueMigrations());
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return {};
  }
  return {std::make_shared<PostgresQueueStore>(*(*db)->pool), *db};
}

INSTANTIATE_TEST_SUITE_P(Postgres, QueueStoreConformanceTest, ::testing::Values(&MakePostgres));

// A task with run 0 running, created and claimed through `store`.
Task RunningTask(QueueStore& store, const std::string& task_id, absl::Time now) {
  Task t;
  t.task_id = task_id;
  v1::TaskDefinition& d = t.definition;
  d.set_provisioner_id("prov");
  d.set_worker_type("wt");
  d.set_task_queue_id("prov/" + task_id);
  d.set_scheduler_id("-");
  d.set_project_id("none");
  d.set_task_group_id(task_id);
  d.set_requires("all-completed");
  d.set_priority("lowest");
  *d.mutable_created() = ToProtoTimestamp(now);
  *d.mutable_deadline() = ToProtoTimestamp(now + absl::Hours(24));
  *d.mutable_expires() = ToProtoTimestamp(now + absl::Hours(48));
  t.creator_client_id = "creator";
  EXPECT_TRUE(store.CreateTask(t, now, kNoDeadline).ok());
  auto claimed =
      store.Claim(d.task_queue_id(), "wg", "w", 1, now, now + absl::Hours(1), kNoDeadline, nullptr);
  EXPECT_TRUE(claimed.ok() && claimed->size() == 1u);
  return t;
}

int64_t Count(pqxx::connection& c, const std::string& sql) {
  pqxx::work txn(c);
  return txn.exec1(sql)[0].as<int64_t>();
}

class PostgresArtifactStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::PgServiceDatabase::Create(schema::QueueMigrations());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *db;
    store_ = std::make_unique<PostgresQueueStore>(*db_->pool);
    admin_ = std::make_unique<pqxx::connection>(db_->db->AdminDsn());
  }

  std::shared_ptr<pg::PgServiceDatabase> db_;
  std::unique_ptr<PostgresQueueStore> store_;
  std::unique_ptr<pqxx::connection> admin_;
  absl::Time now_ = absl::FromUnixMicros(1795435200123456);
};

TEST_F(PostgresArtifactStorageTest, NoStoredValueIsLargerThanAChunkAndContentIsStoredOnce) {
  Task t = RunningTask(*store_, "AAAAAAAAQAAAAAAAAAAAAA", now_);
  std::string content = testing::PseudoRandomBytes(3 * kMaxChunkBytes + 7, 9);
  Artifact whole = ArtifactOf(t, 0, "public/whole.bin", content, now_);
  ASSERT_TRUE(store_->PutArtifact(whole, content, now_, kNoDeadline).ok());
  Artifact streamed = ArtifactOf(t, 0, "public/streamed.bin", content, now_);
  ASSERT_TRUE(Upload(*store_, streamed, content, now_).ok());
  std::string other = testing::PseudoRandomBytes(kMaxChunkBytes + 1, 10);
  ASSERT_TRUE(Upload(*store_, ArtifactOf(t, 0, "public/other.bin", other, now_), other, now_).ok());

  EXPECT_EQ(Count(*admin_, "SELECT max(octet_length(data)) FROM queue.artifact_chunks"),
            kMaxChunkBytes);
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.artifact_blobs"), 2);
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.artifact_chunks WHERE sha256 = '" +
                               whole.sha256 + "'"),
            4);
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.artifact_chunks"), 6);
  // Nothing is left staged once uploads finish.
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.uploads"), 0);
  EXPECT_EQ(
      Count(*admin_, "SELECT count(*) FROM queue.artifact_chunks WHERE upload_id IS NOT NULL"), 0);
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, streamed.name), content);

  // The schema itself refuses a value over a chunk, even from the service's own role.
  pqxx::connection runtime(db_->db->RuntimeDsn("queue"));
  pqxx::work txn(runtime);
  try {
    txn.exec_params("INSERT INTO queue.artifact_chunks (sha256, seq, data) VALUES ($1, 9, $2)",
                    whole.sha256, pqxx::binarystring(std::string(kMaxChunkBytes + 1, 'x')));
    ADD_FAILURE() << "a chunk of 1 MiB + 1 byte was stored";
  } catch (const pqxx::check_violation&) {
  }
}

TEST_F(PostgresArtifactStorageTest, AnAbortedOrPurgedUploadLeavesNoRows) {
  Task t = RunningTask(*store_, "AAAAAAAAQAAAAAAAAAAAAA", now_);
  auto id = store_->BeginUpload(t.task_id, 0, "public/a", now_, kNoDeadline);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->AppendUpload(*id, 0, {std::string(100, 'a')}, now_, kNoDeadline).ok());
  auto idle = store_->BeginUpload(t.task_id, 0, "public/b", now_, kNoDeadline);
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE(store_->AppendUpload(*idle, 0, {std::string(100, 'b')}, now_, kNoDeadline).ok());
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.artifact_chunks"), 2);
  ASSERT_TRUE(store_->AbortUpload(*id, kNoDeadline).ok());
  ASSERT_EQ(*store_->PurgeUploads(now_ + absl::Seconds(1), kNoDeadline), 1);
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.uploads"), 0);
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.artifact_chunks"), 0);
  EXPECT_EQ(Count(*admin_, "SELECT count(*) FROM queue.artifact_blobs"), 0);
}

// Migration 3 on a database holding artifacts made at version 2 (content in one value).
TEST(QueueMigrationTest, Version3MovesWholeContentIntoChunks) {
  const pg::MigrationSet& all = schema::QueueMigrations();
  ASSERT_GE(all.latest_version(), 3);
  pg::MigrationSet v2{all.service, {all.migrations[0], all.migrations[1]}};
  auto db = pg::PgTestDatabase::Create({&v2});
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_EQ(*pg::SchemaVersion((*db)->AdminDsn(), v2), 2);
  pg::ConnectionPool::Options options;
  options.dsn = (*db)->RuntimeDsn("queue");
  auto pool = pg::ConnectionPool::Create(options);
  ASSERT_TRUE(pool.ok());
  PostgresQueueStore store(**pool);  // tasks and runs have the same shape at versions 2 and 3
  absl::Time now = absl::FromUnixMicros(1795435200123456);
  Task t = RunningTask(store, "AAAAAAAAQAAAAAAAAAAAAA", now);

  // What version 2's store wrote: one blob row with the whole content per sha256.
  struct Old {
    std::string name;
    std::string content;
  };
  std::vector<Old> old = {
      {"public/empty", ""},
      {"public/small.json", "{\"chainOfTrustVersion\":1}"},
      {"public/exact.bin", testing::PseudoRandomBytes(kMaxChunkBytes, 1)},
      {"public/big.bin", testing::PseudoRandomBytes(2 * kMaxChunkBytes + kMaxChunkBytes / 3, 2)},
      {"public/copy-of-small.json", "{\"chainOfTrustVersion\":1}"}};
  {
    pqxx::connection runtime((*db)->RuntimeDsn("queue"));
    pqxx::work txn(runtime);
    for (const Old& o : old) {
      std::string sha = HexSha256(o.content);
      txn.exec_params(
          "INSERT INTO queue.artifact_blobs VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING", sha,
          pqxx::binarystring(o.content));
      txn.exec_params(
          "INSERT INTO queue.artifacts VALUES ($1, 0, $2, 'application/octet-stream', $3, $4, "
          "now() + interval '1 day', now())",
          t.task_id, o.name, static_cast<int64_t>(o.content.size()), sha);
    }
    txn.commit();
  }

  auto version = pg::ApplyMigrations((*db)->OwnerDsn("queue"), all);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, all.latest_version());

  pqxx::connection admin((*db)->AdminDsn());
  EXPECT_EQ(Count(admin,
                  "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'queue' "
                  "AND table_name = 'artifact_blobs' AND column_name = 'content'"),
            0);
  EXPECT_EQ(Count(admin, "SELECT count(*) FROM queue.artifact_blobs"), 4);
  // 0 + 1 + 1 + 3 chunks.
  EXPECT_EQ(Count(admin, "SELECT count(*) FROM queue.artifact_chunks"), 5);
  EXPECT_EQ(Count(admin, "SELECT max(octet_length(data)) FROM queue.artifact_chunks"),
            kMaxChunkBytes);
  for (const Old& o : old) {
    auto a = store.GetArtifact(t.task_id, 0, o.name, kNoDeadline);
    ASSERT_TRUE(a.ok()) << o.name << ": " << a.status();
    EXPECT_EQ(a->size, static_cast<int64_t>(o.content.size())) << o.name;
    EXPECT_EQ(ReadAll(store, t.task_id, 0, o.name), o.content) << o.name;
    EXPECT_EQ(Count(admin, "SELECT size FROM queue.artifact_blobs WHERE sha256 = '" +
                               HexSha256(o.content) + "'"),
              static_cast<int64_t>(o.content.size()));
  }
  // The migrated store takes new content the new way, next to the old.
  std::string fresh = testing::PseudoRandomBytes(kMaxChunkBytes + 3, 3);
  ASSERT_TRUE(Upload(store, ArtifactOf(t, 0, "public/new.bin", fresh, now), fresh, now).ok());
  EXPECT_EQ(ReadAll(store, t.task_id, 0, "public/new.bin"), fresh);
  // The same content as a migrated artifact is stored once.
  ASSERT_TRUE(Upload(store, ArtifactOf(t, 0, "public/big-again.bin", old[3].content, now),
                     old[3].content, now)
                  .ok());
  EXPECT_EQ(Count(admin, "SELECT count(*) FROM queue.artifact_chunks WHERE sha256 = '" +
                             HexSha256(old[3].content) + "'"),
            3);
}

}  // namespace
}  // namespace bulwark::queue
