// PostgresNonceStore against real PostgreSQL: the NonceCache conformance suite, then what only
// the shared store does: two replicas (each its in-process cache in front of its own store and
// pool, one database) refuse each other's replays; concurrent callers share one INSERT (group
// commit); RecordAsync returns at once and is answered from the writer thread, once, also when
// its deadline passes or the store is destroyed; the call's deadline bounds the wait; a database
// that cannot be reached refuses (UNAVAILABLE), never accepts; nonces lost in a crash make
// requests signed before the loss refused; the purge deletes expired rows in bounded batches and
// the row bound refuses rather than forgets.
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "libraries/hawk/nonce_cache_conformance.h"
#include "libraries/hawk/tiered_nonce_cache.h"
#include "libraries/pg/pg_test_database.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/store/postgres_nonce_store.h"

namespace bulwark::auth {
namespace {

using hawk::InMemoryNonceCache;
using hawk::NonceCacheConformanceTest;
using hawk::TieredNonceCache;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kTs[] = "1700000000";
const absl::Time kForget = kNow + absl::Minutes(15);
const absl::Time kForever = absl::InfiniteFuture();

struct Fixture {
  std::shared_ptr<pg::PgServiceDatabase> db;
  std::unique_ptr<PostgresNonceStore> store;
};

hawk::NonceCacheUnderTest MakePostgresStore() {
  auto db = pg::PgServiceDatabase::CreateOrFail(schema::AuthMigrations());
  if (db == nullptr) return {};
  auto store = PostgresNonceStore::Create(*db->pool, {});
  if (!store.ok()) {
    ADD_FAILURE() << store.status();
    return {};
  }
  return {std::shared_ptr<PostgresNonceStore>(std::move(*store)), db};
}

INSTANTIATE_TEST_SUITE_P(Postgres, NonceCacheConformanceTest,
                         ::testing::Values(&MakePostgresStore));

// Blocks until `condition` holds or 10 s pass; returns whether it held.
bool WaitFor(const std::function<bool()>& condition) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    absl::Notification never;
    never.WaitForNotificationWithTimeout(absl::Milliseconds(5));
  }
  return true;
}

// What RecordAsync's callback was given, once it ran.
class Answers {
 public:
  hawk::NonceCache::RecordDone For(int i) {
    return [this, i](absl::Status status) {
      absl::MutexLock lock(&mu_);
      statuses_[i] = std::move(status);
      ++calls_[i];
    };
  }
  bool WaitForAll(int n) {
    absl::MutexLock lock(&mu_);
    auto all = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return static_cast<int>(calls_.size()) >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&all), absl::Seconds(10));
  }
  int Answered() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(calls_.size());
  }
  absl::Status Status(int i) {
    absl::MutexLock lock(&mu_);
    return statuses_[i];
  }
  int Calls(int i) {
    absl::MutexLock lock(&mu_);
    return calls_[i];
  }

 private:
  absl::Mutex mu_;
  std::map<int, absl::Status> statuses_ ABSL_GUARDED_BY(mu_);
  std::map<int, int> calls_ ABSL_GUARDED_BY(mu_);
};

class PostgresNonceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *db;
  }
  std::unique_ptr<PostgresNonceStore> Store(PostgresNonceStore::Options options = {}) {
    auto store = PostgresNonceStore::Create(*db_->pool, options);
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(store).value();
  }
  // Another replica: its own pool to the same database.
  std::unique_ptr<PostgresNonceStore> OtherReplicaStore() {
    pg::ConnectionPool::Options options;
    options.dsn = db_->db->RuntimeDsn("auth");
    other_pools_.push_back(pg::ConnectionPool::Create(options).value());
    return PostgresNonceStore::Create(*other_pools_.back(), {}).value();
  }
  static std::unique_ptr<InMemoryNonceCache> Local() {
    return InMemoryNonceCache::Create({}).value();
  }
  // Admin connection holding a lock that makes every INSERT into the nonce table wait.
  std::unique_ptr<pqxx::work> LockNonceTable(pqxx::connection& admin) {
    auto txn = std::make_unique<pqxx::work>(admin);
    txn->exec("LOCK TABLE auth.replay_nonces IN EXCLUSIVE MODE");
    return txn;
  }
  // Locks the nonce table through `admin` and starts a batch (the triple of `nonce`, answered to
  // answers.For(0)) that waits on the lock; returns the lock.
  std::unique_ptr<pqxx::work> StuckBatch(pqxx::connection& admin, PostgresNonceStore& store,
                                         Answers& answers, const std::string& nonce) {
    auto lock = LockNonceTable(admin);
    store.RecordAsync("c", kTs, nonce, kNow, kForget, kForever, answers.For(0));
    EXPECT_TRUE(WaitFor([&] { return Waiting(db_->db->AdminDsn()) == 1; }));
    return lock;
  }
  int64_t Waiting(const std::string& admin_dsn) {
    pqxx::connection c(admin_dsn);
    pqxx::work txn(c);
    return txn
        .exec1(
            "SELECT count(*) FROM pg_locks WHERE NOT granted "
            "AND relation = 'auth.replay_nonces'::regclass")[0]
        .as<int64_t>();
  }

  std::shared_ptr<pg::PgServiceDatabase> db_;
  std::vector<std::unique_ptr<pg::ConnectionPool>> other_pools_;
};

TEST_F(PostgresNonceStoreTest, EachReplicaRefusesAHeaderTheOtherAccepted) {
  auto store_a = Store();
  auto store_b = OtherReplicaStore();
  auto local_a = Local(), local_b = Local();
  TieredNonceCache a(*local_a, *store_a), b(*local_b, *store_b);
  ASSERT_TRUE(a.Record("c", kTs, "one", kNow, kForget, kForever).ok());
  absl::Status replay = b.Record("c", kTs, "one", kNow, kForget, kForever);
  EXPECT_EQ(replay.code(), absl::StatusCode::kAlreadyExists) << replay;
  ASSERT_TRUE(b.Record("c", kTs, "two", kNow, kForget, kForever).ok());
  EXPECT_EQ(a.Record("c", kTs, "two", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
  // A local replay costs no statement.
  const int64_t batches = store_a->batches();
  EXPECT_EQ(a.Record("c", kTs, "one", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_a->batches(), batches);
}

TEST_F(PostgresNonceStoreTest, ConcurrentCallersShareOneStatement) {
  PostgresNonceStore::Options options;
  options.max_in_flight = 1;
  auto store = Store(options);
  pqxx::connection admin(db_->db->AdminDsn());
  auto lock = LockNonceTable(admin);
  // The first caller's batch waits on the lock; meanwhile the others queue up behind it.
  constexpr int kCallers = 24;
  std::vector<absl::Status> results(kCallers);
  std::vector<std::thread> threads;
  threads.emplace_back(
      [&] { results[0] = store->Record("c", kTs, "n0", kNow, kForget, kForever); });
  ASSERT_TRUE(WaitFor([&] { return Waiting(db_->db->AdminDsn()) == 1; }));
  for (int i = 1; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      results[i] = store->Record("c", kTs, absl::StrCat("n", i), kNow, kForget, kForever);
    });
  }
  ASSERT_TRUE(WaitFor([&] { return store->pending() == kCallers - 1; }));
  lock->commit();
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kCallers; ++i) EXPECT_TRUE(results[i].ok()) << i << ": " << results[i];
  EXPECT_EQ(store->batches(), 2) << "the 23 waiting callers should share one INSERT";
}

TEST_F(PostgresNonceStoreTest, TheCallsDeadlineBoundsTheWait) {
  PostgresNonceStore::Options options;
  options.max_in_flight = 1;
  // The store's own pool, whose statement_timeout ends a stuck batch on the server too.
  pg::ConnectionPool::Options pool_options;
  pool_options.dsn = PostgresNonceStore::PoolDsn(db_->db->RuntimeDsn("auth"), absl::Seconds(1));
  auto pool = pg::ConnectionPool::Create(pool_options).value();
  auto store = PostgresNonceStore::Create(*pool, options).value();
  pqxx::connection admin(db_->db->AdminDsn());
  auto lock = LockNonceTable(admin);
  absl::Status first, queued;
  std::thread leader(
      [&] { first = store->Record("c", kTs, "a", kNow, kForget, absl::Now() + absl::Seconds(1)); });
  ASSERT_TRUE(WaitFor([&] { return Waiting(db_->db->AdminDsn()) == 1; }));
  // Queued behind the stuck batch, with a shorter deadline: it gives up and leaves the queue.
  queued = store->Record("c", kTs, "b", kNow, kForget, absl::Now() + absl::Milliseconds(200));
  EXPECT_EQ(queued.code(), absl::StatusCode::kDeadlineExceeded) << queued;
  EXPECT_TRUE(absl::StrContains(queued.message(), "replay protection unavailable")) << queued;
  EXPECT_EQ(store->pending(), 0u);
  leader.join();  // it gives up at its deadline
  EXPECT_EQ(first.code(), absl::StatusCode::kDeadlineExceeded) << first;
  // The writer's stuck statement is cancelled at that deadline too (statement_timeout).
  ASSERT_TRUE(WaitFor([&] { return Waiting(db_->db->AdminDsn()) == 0; }));
  lock->abort();
  // Neither was recorded: both are new now.
  EXPECT_TRUE(store->Record("c", kTs, "a", kNow, kForget, kForever).ok());
  EXPECT_TRUE(store->Record("c", kTs, "b", kNow, kForget, kForever).ok());
}

TEST_F(PostgresNonceStoreTest, RecordAsyncWaitsForNothingAndAnswersFromTheWriter) {
  auto store = Store();
  pqxx::connection admin(db_->db->AdminDsn());
  Answers answers;
  // The statement is stuck on the lock, yet each call returns at once, unanswered.
  auto lock = StuckBatch(admin, *store, answers, "a");
  store->RecordAsync("c", kTs, "b", kNow, kForget, kForever, answers.For(1));
  store->RecordAsync("c", kTs, "a", kNow, kForget, kForever, answers.For(2));  // a replay
  EXPECT_EQ(answers.Answered(), 0);
  EXPECT_EQ(store->pending(), 2u);
  lock->commit();
  ASSERT_TRUE(answers.WaitForAll(3));
  EXPECT_TRUE(answers.Status(0).ok()) << answers.Status(0);
  EXPECT_TRUE(answers.Status(1).ok()) << answers.Status(1);
  EXPECT_EQ(answers.Status(2).code(), absl::StatusCode::kAlreadyExists) << answers.Status(2);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(answers.Calls(i), 1) << i;
  EXPECT_EQ(store->batches(), 2) << "b and the replay of a should share one INSERT";
  // Written: a sync caller (or another replica) now finds them.
  EXPECT_EQ(store->Record("c", kTs, "b", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(PostgresNonceStoreTest, RecordAsyncPastItsDeadlineIsRefusedUnwritten) {
  auto store = Store();
  pqxx::connection admin(db_->db->AdminDsn());
  Answers answers;
  auto lock = StuckBatch(admin, *store, answers, "a");
  store->RecordAsync("c", kTs, "late", kNow, kForget, absl::Now() + absl::Milliseconds(100),
                     answers.For(1));
  absl::SleepFor(absl::Milliseconds(200));
  lock->commit();
  ASSERT_TRUE(answers.WaitForAll(2));
  EXPECT_TRUE(answers.Status(0).ok()) << answers.Status(0);
  EXPECT_EQ(answers.Status(1).code(), absl::StatusCode::kDeadlineExceeded) << answers.Status(1);
  EXPECT_TRUE(absl::StrContains(answers.Status(1).message(), "replay protection unavailable"));
  EXPECT_TRUE(store->Record("c", kTs, "late", kNow, kForget, kForever).ok()) << "not written";
}

TEST_F(PostgresNonceStoreTest, DestroyingTheStoreAnswersWhatIsQueued) {
  auto store = Store();
  pqxx::connection admin(db_->db->AdminDsn());
  Answers answers;
  auto lock = StuckBatch(admin, *store, answers, "running");
  store->RecordAsync("c", kTs, "queued", kNow, kForget, kForever, answers.For(1));
  std::thread destroy([&] { store.reset(); });
  absl::SleepFor(absl::Milliseconds(100));
  lock->commit();
  destroy.join();
  // Every callback ran exactly once: the running batch finished, the queued triple was refused.
  ASSERT_EQ(answers.Answered(), 2);
  EXPECT_TRUE(answers.Status(0).ok()) << answers.Status(0);
  EXPECT_EQ(answers.Status(1).code(), absl::StatusCode::kUnavailable) << answers.Status(1);
  EXPECT_TRUE(absl::StrContains(answers.Status(1).message(), "shutting down"));
  for (int i = 0; i < 2; ++i) EXPECT_EQ(answers.Calls(i), 1) << i;
}

TEST(PostgresNonceStoreDownTest, ADatabaseThatCannotBeReachedRefusesUnavailable) {
  pg::ConnectionPool::Options pool_options;
  // Nothing listens on port 1 of the loopback address.
  pool_options.dsn = "host=127.0.0.1 port=1 dbname=bulwark user=bulwark_auth connect_timeout=2";
  auto pool = pg::ConnectionPool::Create(pool_options).value();
  auto store = PostgresNonceStore::Create(*pool, {}).value();
  auto local = InMemoryNonceCache::Create({}).value();
  TieredNonceCache tiered(*local, *store);
  absl::Status s = tiered.Record("c", kTs, "n", kNow, kForget, absl::Now() + absl::Seconds(5));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), "replay protection unavailable")) << s;
  // The local cache alone never accepts it either.
  EXPECT_FALSE(tiered.Record("c", kTs, "n", kNow, kForget, absl::Now() + absl::Seconds(5)).ok());
}

TEST_F(PostgresNonceStoreTest, NoncesLostInACrashRefuseRequestsSignedBeforeTheLoss) {
  auto store = Store();
  auto other = OtherReplicaStore();
  ASSERT_TRUE(store->Record("c", kTs, "before", kNow, kForget, kForever).ok());
  {
    // What crash recovery does to unlogged tables.
    pqxx::connection admin(db_->db->AdminDsn());
    pqxx::work txn(admin);
    txn.exec("TRUNCATE auth.replay_nonces, auth.replay_epoch");
    txn.commit();
  }
  const absl::Time reset = kNow + absl::Seconds(10);
  // The replay of a header accepted before the crash is refused although its row is gone,
  // by whichever replica sees it.
  absl::Status replay = other->Record("c", kTs, "before", reset, kForget, kForever);
  EXPECT_EQ(replay.code(), absl::StatusCode::kAlreadyExists) << replay;
  EXPECT_TRUE(absl::StrContains(replay.message(), "replay protection restarted")) << replay;
  EXPECT_EQ(
      store->Record("c", "1700000005", "other", reset + absl::Seconds(1), kForget, kForever).code(),
      absl::StatusCode::kAlreadyExists);
  // Requests signed from the reset on are accepted (once).
  EXPECT_TRUE(store->Record("c", "1700000010", "after", reset, kForget, kForever).ok());
  EXPECT_EQ(other->Record("c", "1700000010", "after", reset, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
  pqxx::connection admin(db_->db->AdminDsn());
  pqxx::work txn(admin);
  EXPECT_EQ(txn.exec1("SELECT since_micros FROM auth.replay_epoch")[0].as<int64_t>(),
            absl::ToUnixMicros(reset));
  // The runtime role can never move the reset time back.
  EXPECT_EQ(pg::SqlStateOf(db_->db->RuntimeDsn("auth"),
                           "UPDATE auth.replay_epoch SET since_micros = 0", false),
            "42501");
  EXPECT_EQ(pg::SqlStateOf(db_->db->RuntimeDsn("auth"), "DELETE FROM auth.replay_epoch", false),
            "42501");
}

// Records `count` nonces "<prefix>0".. that expire a minute after kNow.
void RecordExpiringSoon(PostgresNonceStore& store, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) {
    ASSERT_TRUE(
        store.Record("c", kTs, absl::StrCat(prefix, i), kNow, kNow + absl::Minutes(1), kForever)
            .ok());
  }
}

TEST_F(PostgresNonceStoreTest, PurgeDeletesExpiredRowsInBoundedBatches) {
  PostgresNonceStore::Options options;
  options.purge_batch = 2;
  auto store = Store(options);
  ASSERT_NO_FATAL_FAILURE(RecordExpiringSoon(*store, "old", 5));
  ASSERT_TRUE(store->Record("c", kTs, "live", kNow, kForget, kForever).ok());
  absl::StatusOr<int64_t> purged = store->PurgeExpired(kNow + absl::Minutes(2), kForever);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 5);
  pqxx::connection admin(db_->db->AdminDsn());
  pqxx::work txn(admin);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM auth.replay_nonces")[0].as<int64_t>(), 1);
  EXPECT_EQ(store->Record("c", kTs, "live", kNow + absl::Minutes(2), kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(PostgresNonceStoreTest, FullOfLiveNoncesRefusesRatherThanForgets) {
  PostgresNonceStore::Options options;
  options.max_rows = 3;
  auto store = Store(options);
  ASSERT_NO_FATAL_FAILURE(RecordExpiringSoon(*store, "n", 3));
  ASSERT_TRUE(store->PurgeExpired(kNow, kForever).ok());
  EXPECT_TRUE(store->full());
  EXPECT_EQ(store->Record("c", kTs, "new", kNow, kForget, kForever).code(),
            absl::StatusCode::kResourceExhausted);
  // Once they have expired and are purged there is room again.
  const absl::Time later = kNow + absl::Minutes(2);
  absl::StatusOr<int64_t> purged = store->PurgeExpired(later, kForever);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 3);
  EXPECT_FALSE(store->full());
  EXPECT_TRUE(store->Record("c", kTs, "new", later, kForget, kForever).ok());
}

TEST_F(PostgresNonceStoreTest, ItsPoolCarriesAStatementTimeout) {
  pqxx::connection c(
      PostgresNonceStore::PoolDsn(db_->db->RuntimeDsn("auth"), absl::Milliseconds(2500)));
  pqxx::nontransaction txn(c);
  EXPECT_EQ(txn.exec1("SHOW statement_timeout")[0].as<std::string>(), "2500ms");
  // In a URI, '=' inside a query value is escaped.
  EXPECT_TRUE(absl::StrContains(PostgresNonceStore::PoolDsn("postgresql://u@127.0.0.1/db"),
                                "options=-cstatement_timeout%3D5000"));
}

TEST(PostgresNonceStoreCreateTest, RefusesZeroBounds) {
  pg::ConnectionPool::Options pool_options;
  pool_options.dsn = "host=127.0.0.1 port=1 dbname=x user=y";
  auto pool = pg::ConnectionPool::Create(pool_options).value();
  PostgresNonceStore::Options options;
  options.max_batch = 0;
  EXPECT_EQ(PostgresNonceStore::Create(*pool, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::auth
