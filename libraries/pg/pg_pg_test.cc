// The PostgreSQL layer against a real server: pool, transactions (retry, rollback, deadline),
// error mapping, and the migration runner.
#include <signal.h>

#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "libraries/pg/migrations.h"
#include "libraries/pg/pg_test_database.h"
#include "libraries/pg/pool.h"
#include "libraries/pg/readiness.h"
#include "libraries/pg/transaction.h"

namespace bulwark::pg {
namespace {

MigrationSet DemoSet() {
  return MigrationSet{
      "demo",
      {
          {1, "create_schema",
           "CREATE SCHEMA demo; GRANT USAGE ON SCHEMA demo TO bulwark_demo;"
           "ALTER DEFAULT PRIVILEGES IN SCHEMA demo GRANT SELECT, INSERT, UPDATE, DELETE ON "
           "TABLES TO bulwark_demo;"},
          {2, "counters",
           "CREATE TABLE demo.counters (name text PRIMARY KEY, value bigint NOT NULL "
           "CHECK (value >= 0));"},
      }};
}

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = PgTestDatabase::Create({&set_});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ConnectionPool::Options options;
    options.dsn = db_->RuntimeDsn("demo");
    options.size = 4;
    auto pool = ConnectionPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
  }

  MigrationSet set_ = DemoSet();
  std::unique_ptr<PgTestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(PgTest, MigrationsApplyOnceAndRecordTheVersion) {
  EXPECT_EQ(*SchemaVersion(db_->RuntimeDsn("demo"), set_), 2);
  // Running again changes nothing.
  EXPECT_EQ(*ApplyMigrations(db_->OwnerDsn("demo"), set_), 2);
  pqxx::connection admin(db_->AdminDsn());
  pqxx::read_transaction txn(admin);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM demo.schema_migrations")[0].as<int>(), 2);
}

TEST_F(PgTest, NewMigrationsApplyInOrder) {
  MigrationSet more = set_;
  more.migrations.push_back({3, "add_note", "ALTER TABLE demo.counters ADD COLUMN note text;"});
  EXPECT_EQ(*ApplyMigrations(db_->OwnerDsn("demo"), more), 3);
  EXPECT_EQ(*SchemaVersion(db_->RuntimeDsn("demo"), more), 3);
  // An older binary refuses a newer database rather than guessing.
  EXPECT_EQ(ApplyMigrations(db_->OwnerDsn("demo"), set_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(PgTest, ReadinessNeedsTheSchemaAtTheBinarysVersion) {
  EXPECT_TRUE(SchemaReadiness(*pool_, set_).ok());
  MigrationSet newer = set_;
  newer.migrations.push_back({3, "add_note", "ALTER TABLE demo.counters ADD COLUMN note text;"});
  absl::Status behind = SchemaReadiness(*pool_, newer);
  EXPECT_EQ(behind.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(behind.message().find("at version 2; this binary needs 3"), std::string::npos)
      << behind;
  MigrationSet other{"nosuchschema", set_.migrations};
  EXPECT_EQ(SchemaReadiness(*pool_, other).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PgTest, FailingMigrationRollsBackAndIsNamed) {
  MigrationSet broken = set_;
  broken.migrations.push_back(
      {3, "half_done", "CREATE TABLE demo.a (x int); CREATE TABLE demo.a (x int);"});
  auto result = ApplyMigrations(db_->OwnerDsn("demo"), broken);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("half_done"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(db_->RuntimeDsn("demo"), set_), 2);
  pqxx::connection admin(db_->AdminDsn());
  pqxx::read_transaction txn(admin);
  EXPECT_TRUE(txn.exec1("SELECT to_regclass('demo.a') IS NULL")[0].as<bool>());
}

TEST_F(PgTest, RejectsGapsInTheSet) {
  MigrationSet gap = set_;
  gap.migrations.push_back({5, "gap", "SELECT 1"});
  EXPECT_EQ(ApplyMigrations(db_->OwnerDsn("demo"), gap).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PgTest, RuntimeRoleCannotWriteTheVersionTable) {
  pqxx::connection runtime(db_->RuntimeDsn("demo"));
  pqxx::work txn(runtime);
  EXPECT_THROW(txn.exec("DELETE FROM demo.schema_migrations"), pqxx::insufficient_privilege);
}

TEST_F(PgTest, TransactionCommitsAndMapsErrors) {
  absl::Status s = RunTransaction(*pool_, {}, [](pqxx::work& txn) {
    txn.exec("INSERT INTO demo.counters VALUES ('a', 1)");
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  s = RunTransaction(*pool_, {}, [](pqxx::work& txn) {
    txn.exec("INSERT INTO demo.counters VALUES ('a', 1)");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  s = RunTransaction(*pool_, {}, [](pqxx::work& txn) {
    txn.exec("UPDATE demo.counters SET value = -1");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PgTest, BodyErrorRollsBack) {
  absl::Status s = RunTransaction(*pool_, {}, [](pqxx::work& txn) {
    txn.exec("INSERT INTO demo.counters VALUES ('b', 1)");
    return absl::NotFoundError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  pqxx::connection c(db_->RuntimeDsn("demo"));
  pqxx::read_transaction txn(c);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM demo.counters")[0].as<int>(), 0);
}

TEST_F(PgTest, SerializationFailuresAreRetried) {
  ASSERT_TRUE(RunTransaction(*pool_, {}, [](pqxx::work& txn) {
                txn.exec("INSERT INTO demo.counters VALUES ('c', 0)");
                return absl::OkStatus();
              }).ok());
  // Many concurrent serializable increments: each conflict is retried, none is lost.
  TransactionOptions options;
  options.isolation = Isolation::kSerializable;
  options.max_attempts = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        absl::Status s = RunTransaction(*pool_, options, [](pqxx::work& txn) {
          int v = txn.exec1("SELECT value FROM demo.counters WHERE name = 'c'")[0].as<int>();
          txn.exec_params("UPDATE demo.counters SET value = $1 WHERE name = 'c'", v + 1);
          return absl::OkStatus();
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  pqxx::connection c(db_->RuntimeDsn("demo"));
  pqxx::read_transaction txn(c);
  EXPECT_EQ(txn.exec1("SELECT value FROM demo.counters WHERE name = 'c'")[0].as<int>(), 40);
}

TEST_F(PgTest, DeadlineBecomesStatementTimeout) {
  TransactionOptions options;
  options.deadline = absl::Now() + absl::Milliseconds(300);
  absl::Status s = RunTransaction(*pool_, options, [](pqxx::work& txn) {
    txn.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  options.deadline = absl::Now() - absl::Seconds(1);
  s = RunTransaction(*pool_, options, [](pqxx::work&) { return absl::OkStatus(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(PgTest, NothingCommitsOnceTheDeadlinePassedOrTheCallerCancelled) {
  TransactionOptions options;
  options.deadline = absl::Now() + absl::Seconds(2);
  absl::Status s = RunTransaction(*pool_, options, [&](pqxx::work& txn) {
    txn.exec("INSERT INTO demo.counters VALUES ('late', 1)");
    absl::SleepFor(options.deadline - absl::Now() + absl::Milliseconds(50));  // outlive it
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  EXPECT_NE(s.message().find("nothing was written"), absl::string_view::npos) << s;
  TransactionOptions cancelled;
  cancelled.cancelled = [] { return true; };
  s = RunTransaction(*pool_, cancelled, [](pqxx::work& txn) {
    txn.exec("INSERT INTO demo.counters VALUES ('cancelled', 1)");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  pqxx::connection admin(db_->AdminDsn());
  pqxx::read_transaction txn(admin);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM demo.counters WHERE name IN ('late', 'cancelled')")[0]
                .as<int>(),
            0);
}

TEST_F(PgTest, PoolIsBounded) {
  std::vector<ConnectionPool::Lease> leases;
  for (int i = 0; i < 4; ++i) {
    auto lease = pool_->Acquire(absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(lease.ok()) << lease.status();
    leases.push_back(std::move(*lease));
  }
  EXPECT_EQ(pool_->Acquire(absl::Now() + absl::Milliseconds(50)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  leases.pop_back();
  EXPECT_TRUE(pool_->Acquire(absl::Now() + absl::Seconds(1)).ok());
}

TEST(PgPoolTest, UnreachableDatabaseIsUnavailable) {
  ConnectionPool::Options options;
  options.dsn = "host=127.0.0.1 port=1 dbname=x user=x password=x";
  options.connect_timeout = absl::Seconds(1);
  auto pool = ConnectionPool::Create(options);
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(RunTransaction(**pool, {}, [](pqxx::work&) { return absl::OkStatus(); }).code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace bulwark::pg

namespace bulwark::pg {
namespace {

TEST_F(PgTest, ABrokenPooledConnectionIsReplacedOnce) {
  // One idle connection in the pool now.
  ASSERT_TRUE(RunTransaction(*pool_, {}, [](pqxx::work&) { return absl::OkStatus(); }).ok());
  {
    pqxx::connection admin(db_->AdminDsn());
    pqxx::nontransaction txn(admin);
    txn.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE usename = 'bulwark_demo' AND pid <> pg_backend_pid()");
  }
  absl::Status s = RunTransaction(*pool_, {}, [](pqxx::work& txn) {
    txn.exec("INSERT INTO demo.counters VALUES ('after-restart', 1)");
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
}

// Issue 14 item 2: after a restart every idle connection is dead; one call must still succeed
// (the pool drops the idle connections older than the first broken one).
TEST_F(PgTest, EveryIdleConnectionBrokenByARestartIsReplacedInOneCall) {
  {
    // Four idle connections, opened one after another.
    std::vector<ConnectionPool::Lease> leases;
    for (int i = 0; i < 4; ++i) {
      auto lease = pool_->Acquire(absl::Now() + absl::Seconds(10));
      ASSERT_TRUE(lease.ok()) << lease.status();
      leases.push_back(std::move(*lease));
    }
  }
  ASSERT_EQ(pool_->idle_connections(), 4);
  {
    pqxx::connection admin(db_->AdminDsn());
    pqxx::nontransaction txn(admin);
    txn.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'bulwark_demo' "
        "AND datname = current_database() AND pid <> pg_backend_pid()");
  }
  absl::Status s = RunTransaction(*pool_, {}, [](pqxx::work& txn) {
    txn.exec("INSERT INTO demo.counters VALUES ('after-restart', 1)");
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(pool_->open_connections(), 1) << "dead idle connections were kept";
}

// Issue 14 item 3: a server that answers nothing (its backend frozen with SIGSTOP, so no
// statement_timeout fires) cannot hold a transaction past the call's deadline, and nothing it
// was sent commits when it resumes.
TEST_F(PgTest, AFrozenServerCannotHoldATransactionPastItsDeadline) {
  ASSERT_TRUE(RunTransaction(*pool_, {}, [](pqxx::work& txn) {
                txn.exec("INSERT INTO demo.counters VALUES ('frozen', 0)");
                return absl::OkStatus();
              }).ok());
  ASSERT_EQ(pool_->idle_connections(), 1);
  int backend = 0;
  {
    auto lease = pool_->Acquire(absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(lease.ok()) << lease.status();
    pqxx::nontransaction txn(lease->connection());
    backend = txn.exec1("SELECT pg_backend_pid()")[0].as<int>();
  }
  ASSERT_EQ(::kill(backend, SIGSTOP), 0) << "cannot freeze backend " << backend;
  absl::Notification done;
  absl::Status status;
  std::thread call([&] {
    TransactionOptions options = TransactionOptions::Named(absl::Now() + absl::Seconds(1), "bump");
    status = RunTransaction(*pool_, options, [](pqxx::work& txn) {
      txn.exec("UPDATE demo.counters SET value = value + 1 WHERE name = 'frozen'");
      return absl::OkStatus();
    });
    done.Notify();
  });
  bool returned = done.WaitForNotificationWithTimeout(absl::Seconds(15));
  ::kill(backend, SIGCONT);
  call.join();
  ASSERT_TRUE(returned) << "the call was held by the frozen server past its deadline";
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;

  // The resumed backend finds its client gone and rolls back.
  pqxx::connection admin(db_->AdminDsn());
  absl::Time until = absl::Now() + absl::Seconds(15);
  int alive = 1;
  while (alive > 0 && absl::Now() < until) {
    pqxx::nontransaction txn(admin);
    alive =
        txn.exec1("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(backend))[0]
            .as<int>();
  }
  ASSERT_EQ(alive, 0) << "the frozen backend did not end after its client closed";
  pqxx::nontransaction txn(admin);
  EXPECT_EQ(txn.exec1("SELECT value FROM demo.counters WHERE name = 'frozen'")[0].as<int>(), 0);
}

}  // namespace
}  // namespace bulwark::pg
