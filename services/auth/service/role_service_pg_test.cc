// Role changes from two replicas on one real PostgreSQL database: the database lock makes each
// change see the other's, so together they can never form a dependency cycle.
#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "libraries/pg/pg_test_database.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/service/role_service.h"
#include "services/auth/store/postgres_auth_store.h"

namespace bulwark::auth {
namespace {

TEST(RoleServicePgTest, ConcurrentChangesFromTwoReplicasNeverFormACycle) {
  auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
  ASSERT_TRUE(db.ok()) << db.status();
  PostgresAuthStore store(*(*db)->pool, AuditKeyring::ForTesting());
  SimulatedClock clock;
  Caller root{"root", {"*"}};
  for (int round = 0; round < 10; ++round) {
    auto a = RoleService::Create(store, clock, absl::InfiniteFuture());
    auto b = RoleService::Create(store, clock, absl::InfiniteFuture());
    ASSERT_TRUE(a.ok() && b.ok());
    std::string x = "x" + std::to_string(round), y = "y" + std::to_string(round);
    std::atomic<int> created{0};
    auto create = [&](RoleService& service, const std::string& id, const std::string& target) {
      v1::CreateRoleRequest request;
      request.set_role_id(id);
      request.add_scopes("assume:" + target);
      if (service.CreateRole(root, request, absl::InfiniteFuture()).ok()) ++created;
    };
    std::thread t1([&] { create(**a, x, y); });
    std::thread t2([&] { create(**b, y, x); });
    t1.join();
    t2.join();
    EXPECT_EQ(created.load(), 1) << "round " << round;
    // The stored set still validates as a whole.
    EXPECT_TRUE(RoleService::Create(store, clock, absl::InfiniteFuture()).ok());
  }
}

}  // namespace
}  // namespace bulwark::auth
