// PostgresReplayPartitionStore against real PostgreSQL: the conformance suite, then what only
// the shared store shows: two replicas (each its own pool, one database) see each other's
// leases; a crash that emptied auth.replay_epoch makes LoadPartition record the `now` it is
// given and keep the nonces still there; a partition with more live rows than max_load_rows is
// refused; the runtime role cannot add or remove partitions.
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "libraries/pg/pg_test_database.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/store/postgres_replay_partition_store.h"
#include "services/auth/store/replay_partition_store_conformance.h"

namespace bulwark::auth {
namespace {

const absl::Time kForever = absl::InfiniteFuture();
const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kTs[] = "1700000000";
const absl::Time kForget = kNow + absl::Minutes(15);

// Runs `sql` as the administrator (what a crash or an operator does behind the store's back).
void AdminExec(pg::PgTestDatabase& db, const std::string& sql) {
  pqxx::connection admin(db.AdminDsn());
  pqxx::work txn(admin);
  txn.exec(sql);
  txn.commit();
}

ReplayPartitionStoreUnderTest MakePostgresStore() {
  std::shared_ptr<pg::PgServiceDatabase> db =
      pg::PgServiceDatabase::CreateOrFail(schema::AuthMigrations());
  if (db == nullptr) return {};
  auto store = PostgresReplayPartitionStore::Create(*db->pool);
  if (!store.ok()) {
    ADD_FAILURE() << store.status();
    return {};
  }
  pg::PgTestDatabase* admin = db->db.get();
  return {std::shared_ptr<PostgresReplayPartitionStore>(std::move(*store)), db, [admin] {
            // What crash recovery does to the unlogged nonce tables.
            AdminExec(*admin,
                      "TRUNCATE auth.replay_nonces, auth.replay_nonce_blocks, auth.replay_epoch");
          }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, ReplayPartitionStoreConformanceTest,
                         ::testing::Values(&MakePostgresStore));

class PostgresReplayPartitionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *db;
  }
  void TearDown() override { other_pools_.clear(); }
  std::unique_ptr<PostgresReplayPartitionStore> Store(
      PostgresReplayPartitionStore::Options options = {}) {
    auto store = PostgresReplayPartitionStore::Create(*db_->pool, options);
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(store).value();
  }
  // Another replica: its own pool to the same database.
  std::unique_ptr<PostgresReplayPartitionStore> OtherReplicaStore() {
    pg::ConnectionPool::Options options;
    options.dsn = db_->db->RuntimeDsn("auth");
    other_pools_.push_back(pg::ConnectionPool::Create(options).value());
    return PostgresReplayPartitionStore::Create(*other_pools_.back()).value();
  }
  // WriteBehind, waited for: `done` runs on the store's writer thread.
  static absl::Status Write(ReplayPartitionStore& store, const std::string& nonce) {
    struct Answer {
      absl::Notification given;
      absl::Status status;
    };
    auto answer = std::make_shared<Answer>();  // outlives a late answer
    store.WriteBehind(hawk::InMemoryNonceCache::Digest("c", kTs, nonce), kNow, kForget, kForever,
                      [answer](absl::Status s) {
                        answer->status = std::move(s);
                        answer->given.Notify();
                      });
    if (!answer->given.WaitForNotificationWithTimeout(absl::Seconds(10))) {
      return absl::InternalError("WriteBehind was not answered");
    }
    return answer->status;
  }

  std::shared_ptr<pg::PgServiceDatabase> db_;
  std::vector<std::unique_ptr<pg::ConnectionPool>> other_pools_;
};

TEST_F(PostgresReplayPartitionStoreTest, ReplicasSeeEachOthersLeasesAndMembers) {
  auto a = Store();
  auto b = OtherReplicaStore();
  ASSERT_EQ(a->Heartbeat("a", "a:1", absl::Minutes(1), kForever).value(), 1);
  EXPECT_EQ(b->Heartbeat("b", "b:1", absl::Minutes(1), kForever).value(), 2);
  ASSERT_EQ(a->Claim("a", "a:1", absl::Minutes(1), 40, kForever).value().size(), 40u);
  absl::StatusOr<std::vector<int>> rest = b->Claim("b", "b:1", absl::Minutes(1), 64, kForever);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->size(), 24u);
  EXPECT_EQ(rest->front(), 40);
  EXPECT_EQ(b->Owners(kForever).value().size(), 64u);
}

TEST_F(PostgresReplayPartitionStoreTest, AnEmptiedEpochMakesLoadPartitionRecordItsNow) {
  auto store = Store();
  const hawk::InMemoryNonceCache::Key key = hawk::InMemoryNonceCache::Digest("c", kTs, "kept");
  ASSERT_TRUE(Write(*store, "kept").ok());
  AdminExec(*db_->db, "DELETE FROM auth.replay_epoch");
  const absl::Time reset = kNow + absl::Seconds(42);
  absl::StatusOr<ReplayPartitionStore::PartitionNonces> loaded =
      store->LoadPartition(ReplayPartitionOf(key), reset, kForever);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->since, reset);
  // What is still in the table is still loaded.
  ASSERT_EQ(loaded->nonces.size(), 1u);
  EXPECT_EQ(loaded->nonces[0].first, key);
  {
    pqxx::connection admin(db_->db->AdminDsn());
    pqxx::work txn(admin);
    EXPECT_EQ(txn.exec1("SELECT since_micros FROM auth.replay_epoch")[0].as<int64_t>(),
              absl::ToUnixMicros(reset));
  }
  // Another replica's later load reads that time rather than writing its own.
  auto other = OtherReplicaStore();
  loaded = other->LoadPartition(0, reset + absl::Minutes(5), kForever);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->since, reset);
}

TEST_F(PostgresReplayPartitionStoreTest, APartitionWithTooManyLiveRowsIsRefused) {
  PostgresReplayPartitionStore::Options options;
  options.max_load_rows = 2;
  auto store = Store(options);
  // Three nonces of one partition.
  std::vector<std::string> same;
  int partition = -1;
  for (int i = 0; same.size() < 3; ++i) {
    const std::string nonce = absl::StrCat("n", i);
    const int p = ReplayPartitionOf(hawk::InMemoryNonceCache::Digest("c", kTs, nonce));
    if (partition == -1) partition = p;
    if (p == partition) same.push_back(nonce);
  }
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Write(*store, same[i]).ok());
  EXPECT_EQ(store->LoadPartition(partition, kNow, kForever).value().nonces.size(), 2u);
  ASSERT_TRUE(Write(*store, same[2]).ok());
  absl::Status refused = store->LoadPartition(partition, kNow, kForever).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  // Expired rows do not count.
  EXPECT_TRUE(store->LoadPartition(partition, kForget + absl::Seconds(1), kForever).ok());
}

TEST_F(PostgresReplayPartitionStoreTest, TheRuntimeRoleCannotAddOrRemovePartitions) {
  const std::string runtime = db_->db->RuntimeDsn("auth");
  EXPECT_EQ(
      pg::SqlStateOf(runtime, "INSERT INTO auth.replay_partitions (partition) VALUES (64)", false),
      "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime, "DELETE FROM auth.replay_partitions", false), "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime, "TRUNCATE auth.replay_partitions", false), "42501");
  EXPECT_EQ(pg::SqlStateOf(runtime, "UPDATE auth.replay_partitions SET replica = 'x'", false), "");
  EXPECT_EQ(pg::SqlStateOf(runtime,
                           "INSERT INTO auth.replay_replicas VALUES ('r', 'a', now()); "
                           "DELETE FROM auth.replay_replicas",
                           false),
            "");
  pqxx::connection admin(db_->db->AdminDsn());
  pqxx::work txn(admin);
  // The migration made all 64, free (the rolled-back UPDATE above changed nothing).
  pqxx::row all = txn.exec1(
      "SELECT count(*), min(partition), max(partition) FROM auth.replay_partitions "
      "WHERE replica IS NULL AND address IS NULL AND lease_until = '-infinity'");
  EXPECT_EQ(all[0].as<int>(), 64);
  EXPECT_EQ(all[1].as<int>(), 0);
  EXPECT_EQ(all[2].as<int>(), 63);
  EXPECT_EQ(
      pg::SqlStateOf(db_->db->AdminDsn(),
                     "UPDATE auth.replay_partitions SET partition = 64 WHERE partition = 0", false),
      "23514");
}

TEST(PostgresReplayPartitionStoreDownTest, ADatabaseThatCannotBeReachedRefusesUnavailable) {
  pg::ConnectionPool::Options pool_options;
  // Nothing listens on port 1 of the loopback address.
  pool_options.dsn = "host=127.0.0.1 port=1 dbname=bulwark user=bulwark_auth connect_timeout=2";
  auto pool = pg::ConnectionPool::Create(pool_options).value();
  auto store = PostgresReplayPartitionStore::Create(*pool).value();
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  absl::Status claimed = store->Claim("a", "a:1", absl::Minutes(1), 1, deadline).status();
  EXPECT_EQ(claimed.code(), absl::StatusCode::kUnavailable) << claimed;
  absl::Status loaded = store->LoadPartition(0, kNow, deadline).status();
  EXPECT_EQ(loaded.code(), absl::StatusCode::kUnavailable) << loaded;
  // A write behind is answered, UNAVAILABLE, never OK.
  absl::Notification given;
  absl::Status written;
  store->WriteBehind(hawk::InMemoryNonceCache::Digest("c", kTs, "n"), kNow, kForget, deadline,
                     [&](absl::Status s) {
                       written = std::move(s);
                       given.Notify();
                     });
  ASSERT_TRUE(given.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
}

TEST(PostgresReplayPartitionStoreDownTest, AWriteQueuedPastItsDeadlineIsNotWritten) {
  pg::ConnectionPool::Options pool_options;
  pool_options.dsn = "host=127.0.0.1 port=1 dbname=bulwark user=bulwark_auth connect_timeout=2";
  auto pool = pg::ConnectionPool::Create(pool_options).value();
  PostgresReplayPartitionStore::Options options;
  options.linger = absl::Milliseconds(200);
  auto store = PostgresReplayPartitionStore::Create(*pool, options).value();
  absl::Notification given;
  absl::Status written;
  store->WriteBehind(hawk::InMemoryNonceCache::Digest("c", kTs, "n"), kNow, kForget,
                     absl::Now() + absl::Milliseconds(10), [&](absl::Status s) {
                       written = std::move(s);
                       given.Notify();
                     });
  ASSERT_TRUE(given.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
  EXPECT_TRUE(absl::StrContains(written.message(), "before its deadline")) << written;
}

TEST(PostgresReplayPartitionStoreCreateTest, RefusesAZeroRowBound) {
  pg::ConnectionPool::Options pool_options;
  pool_options.dsn = "host=127.0.0.1 port=1 dbname=x user=y";
  auto pool = pg::ConnectionPool::Create(pool_options).value();
  PostgresReplayPartitionStore::Options options;
  options.max_load_rows = 0;
  EXPECT_EQ(PostgresReplayPartitionStore::Create(*pool, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::auth
