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
  PostgresAuthStore store(*(*db)->pool);

  absl::Mutex mu;
  std::vector<std::string> heard;
  ChangeListener listener(
      (*db)->db->RuntimeDsn("auth"),
      [&](const Change& c) {
        absl::MutexLock lock(&mu);
        heard.push_back((c.kind == Change::Kind::kRole ? "role:" : "client:") + c.id);
      },
      [] {});
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
                          },
                          [&] {
                            absl::MutexLock lock(&mu);
                            ++resyncs;
                          },
                          budget, clock);
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

}  // namespace
}  // namespace bulwark::auth
