#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace bulwark::auth
