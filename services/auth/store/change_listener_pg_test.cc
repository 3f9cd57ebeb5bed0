#include <atomic>
#include <pqxx/pqxx>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "libraries/pg/pg_test_database.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/store/change_listener.h"
#include "services/auth/store/postgres_auth_store.h"

namespace bulwark::auth {
namespace {

TEST(ParseChangeTest, KnownPayloads) {
  Change c;
  ASSERT_TRUE(ParseChange("client:a/b:c", &c));
  EXPECT_EQ(c.kind, Change::Kind::kClient);
  EXPECT_EQ(c.id, "a/b:c");
  ASSERT_TRUE(ParseChange("role:hook-id:x", &c));
  EXPECT_EQ(c.kind, Change::Kind::kRole);
  EXPECT_EQ(c.id, "hook-id:x");
  ASSERT_TRUE(ParseChange("roles", &c));
  EXPECT_EQ(c.kind, Change::Kind::kAllRoles);
  EXPECT_FALSE(ParseChange("weird", &c));
}

TEST(ChangeListenerTest, HearsCommittedChangesOnly) {
  auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
  ASSERT_TRUE(db.ok()) << db.status();
  PostgresAuthStore store(*(*db)->pool, AuditKeyring::ForTesting());

  absl::Mutex mu;
  std::vector<std::string> heard;
  ChangeListener listener(
      (*db)->db->RuntimeDsn("auth"),
      [&](const Change& c) {
        absl::MutexLock lock(&mu);
        heard.push_back((c.kind == Change::Kind::kRole ? "role:" : "client:") + c.id);
        return absl::OkStatus();
      },
      [] { return absl::OkStatus(); });
  listener.Start();
  ASSERT_TRUE(listener.WaitUntilListening(absl::Seconds(10)));

  // A refused change notifies nobody; a committed one does.
  ASSERT_FALSE(store
                   .ChangeRoles(
                       [](RoleTransaction&) -> absl::StatusOr<RoleChange> {
                         return absl::InvalidArgumentError("no");
                       },
                       absl::InfiniteFuture())
                   .ok());
  ASSERT_TRUE(store
                  .ChangeRoles(
                      [](RoleTransaction&) -> absl::StatusOr<RoleChange> {
                        RoleChange change;
                        change.upsert = RoleRow{"r1", "", {"s"}, absl::Now(), absl::Now()};
                        change.audit = AuditAction{"role", "r1", "t", "created"};
                        return change;
                      },
                      absl::InfiniteFuture())
                  .ok());
  auto has = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return !heard.empty(); };
  absl::MutexLock lock(&mu);
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&has), absl::Seconds(5)));
  EXPECT_EQ(heard, std::vector<std::string>{"role:r1"});
}

// Issue 13 item 7: any database role can NOTIFY on auth's channel; a flood costs at most the
// budget, and what was refused becomes one resync.
TEST(ChangeListenerTest, AFloodOfNotificationsIsBoundedAndCoalesced) {
  auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
  ASSERT_TRUE(db.ok()) << db.status();
  SimulatedClock clock(absl::FromUnixSeconds(1700000000));
  absl::Mutex mu;
  int heard = 0;
  int resyncs = 0;
  ChangeListener::Budget budget;
  budget.per_second = 5;
  budget.burst = 5;
  budget.resync_interval = absl::Seconds(10);
  ChangeListener listener((*db)->db->RuntimeDsn("auth"),
                          [&](const Change&) {
                            absl::MutexLock lock(&mu);
                            ++heard;
                            return absl::OkStatus();
                          },
                          [&] {
                            absl::MutexLock lock(&mu);
                            ++resyncs;
                            return absl::OkStatus();
                          },
                          nullptr, budget, clock);
  listener.Start();
  ASSERT_TRUE(listener.WaitUntilListening(absl::Seconds(10)));

  // 200 notifications and 2 full reloads from another connection (any role can NOTIFY).
  {
    pqxx::connection conn((*db)->db->AdminDsn());
    pqxx::work txn(conn);
    txn.exec(absl::StrCat("SELECT pg_notify('", kAuthChangeChannel,
                          "', 'role:flood' || g) FROM generate_series(1, 200) g"));
    txn.exec(absl::StrCat("SELECT pg_notify('", kAuthChangeChannel, "', 'roles')"));
    txn.exec(absl::StrCat("SELECT pg_notify('", kAuthChangeChannel, "', 'clients')"));
    txn.commit();
  }
  EXPECT_TRUE(listener.WaitForRefused(197, absl::Seconds(10))) << listener.refused();
  EXPECT_EQ(listener.refused(), 197);
  // Refused hints leave the listener in sync: a flood cannot make auth refuse to answer.
  EXPECT_TRUE(listener.in_sync());
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(heard, 5);
    EXPECT_EQ(resyncs, 1);  // the one at start
  }
  // Once the interval has passed, the refused ones become one resync.
  clock.Advance(absl::Seconds(10));
  {
    absl::MutexLock lock(&mu);
    auto two = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return resyncs == 2; };
    EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&two), absl::Seconds(5)));
    EXPECT_EQ(heard, 5);
  }
}

// Issue 14 item 1: after its connection broke (as in a database restart), the listener is out
// of sync until a resync succeeds, and a failing resync is retried rather than given up.
TEST(ChangeListenerTest, OutOfSyncAfterABrokenConnectionUntilAResyncSucceeds) {
  auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
  ASSERT_TRUE(db.ok()) << db.status();
  std::atomic<int> resyncs{0};
  std::atomic<int> failures_left{0};
  absl::Mutex mu;
  std::vector<bool> transitions;
  ChangeListener listener(
      (*db)->db->RuntimeDsn("auth"), [](const Change&) { return absl::OkStatus(); },
      [&]() -> absl::Status {
        ++resyncs;
        if (failures_left.load() > 0) {
          --failures_left;
          return absl::UnavailableError("load roles: the database connection failed");
        }
        return absl::OkStatus();
      },
      [&](bool in_sync) {
        absl::MutexLock lock(&mu);
        transitions.push_back(in_sync);
      });
  // Blocks (bounded) until `n` transitions were reported.
  auto wait_for_transitions = [&](size_t n) {
    absl::MutexLock lock(&mu);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return transitions.size() >= n; };
    return mu.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30));
  };
  EXPECT_FALSE(listener.in_sync()) << "in sync before it ever listened";
  listener.Start();
  ASSERT_TRUE(wait_for_transitions(1));
  EXPECT_TRUE(listener.in_sync());
  int before = resyncs.load();

  failures_left = 3;
  pqxx::connection admin((*db)->db->AdminDsn());
  pqxx::nontransaction(admin).exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND usename = 'bulwark_auth'");
  // Out of sync at once; back in sync only after the three failures and one success.
  ASSERT_TRUE(wait_for_transitions(3));
  EXPECT_TRUE(listener.in_sync());
  EXPECT_EQ(failures_left.load(), 0);
  EXPECT_GE(resyncs.load(), before + 4);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(transitions, (std::vector<bool>{true, false, true}));
}

}  // namespace
}  // namespace bulwark::auth
