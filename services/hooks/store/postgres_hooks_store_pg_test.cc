#include <pqxx/pqxx>

#include "libraries/pg/pg_test_database.h"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/store/hook_definition.h"
#include "services/hooks/store/hooks_store_conformance.h"
#include "services/hooks/store/postgres_hooks_store.h"

namespace bulwark::hooks {
namespace {

HooksStoreUnderTest MakePostgres() {
  auto db = pg::PgServiceDatabase::Create(schema::HooksMigrations());
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return {};
  }
  return {std::make_shared<PostgresHooksStore>(*(*db)->pool), *db};
}

INSTANTIATE_TEST_SUITE_P(Postgres, HooksStoreConformanceTest, ::testing::Values(&MakePostgres));

// Data written before migration 0003 (hooks without versions, fires without version or expiry)
// survives it: fires get 30 days from their fire, and the purge gives each hook its first
// version, so its next fires name one.
TEST(PostgresHooksStoreMigrationTest, HooksAndFiresFromBeforeVersionsAreAdopted) {
  pg::MigrationSet before = schema::HooksMigrations();
  ASSERT_GE(before.migrations.size(), 3u);
  before.migrations.resize(2);
  auto db = pg::PgTestDatabase::Create({&before});
  ASSERT_TRUE(db.ok()) << db.status();
  {
    pqxx::connection c((*db)->RuntimeDsn("hooks"));
    pqxx::work txn(c);
    txn.exec(
        "INSERT INTO hooks.hooks VALUES ('g', 'old', '{\"name\": \"n\", \"owner\": \"o@x\"}', "
        "'[]', '{\"payload\": {\"n\": 1e16, \"x\": 1.50}}', '{\"type\": \"object\"}', 'sealed', "
        "'next', NULL, '2026-11-23T12:00:00Z', '2026-11-23T12:00:00Z')");
    txn.exec(
        "INSERT INTO hooks.last_fires VALUES ('g', 'old', 'task-1', 'triggerHook', '{}', 'alice', "
        "'2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00Z', 'success', '')");
    txn.commit();
  }
  auto version = pg::ApplyMigrations((*db)->OwnerDsn("hooks"), schema::HooksMigrations());
  ASSERT_TRUE(version.ok()) << version.status();
  pg::ConnectionPool::Options options;
  options.dsn = (*db)->RuntimeDsn("hooks");
  auto pool = pg::ConnectionPool::Create(options);
  ASSERT_TRUE(pool.ok()) << pool.status();
  PostgresHooksStore store(**pool);
  const absl::Time fired = absl::FromUnixSeconds(1795435200);  // 2026-11-23T12:00:00Z
  const absl::Time now = fired + absl::Hours(1);

  auto old_fire = store.GetLastFire("g", "old", "task-1", absl::InfiniteFuture());
  ASSERT_TRUE(old_fire.ok()) << old_fire.status();
  EXPECT_EQ(old_fire->hook_version_sha256, "");
  EXPECT_EQ(old_fire->expires, fired + absl::Hours(24 * 30));
  auto hook = store.GetHook("g", "old", absl::InfiniteFuture());
  ASSERT_TRUE(hook.ok()) << hook.status();
  EXPECT_EQ(hook->version_sha256, "");
  // Until adopted, its fires record no version (they need the hook itself).
  LastFireRow fire{"g",
                   "old",
                   "task-2",
                   "triggerHook",
                   nlohmann::json::object(),
                   "bob",
                   "2026-11-23T13:00:00.000Z",
                   now,
                   "success",
                   "",
                   "",
                   now + absl::Hours(1)};
  ASSERT_TRUE(store.AddLastFire(fire, absl::InfiniteFuture()).ok());

  auto purged = store.Purge(now, now - absl::Hours(1), absl::InfiniteFuture());
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->adopted_hooks, 1);
  EXPECT_EQ(purged->fires, 0);
  hook = store.GetHook("g", "old", absl::InfiniteFuture());
  ASSERT_TRUE(hook.ok()) << hook.status();
  std::string canonical = *CanonicalDefinition(*hook);
  EXPECT_EQ(hook->version_sha256, Sha256Hex(canonical));
  EXPECT_NE(canonical.find("\"payload\":{\"n\":1e+16,\"x\":1.5}"), std::string::npos) << canonical;
  auto v = store.GetHookVersion("g", "old", hook->version_sha256, absl::InfiniteFuture());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->sequence, 1);
  EXPECT_EQ(v->created, now);
  EXPECT_EQ(v->definition, canonical);
  EXPECT_EQ(store.Purge(now, now, absl::InfiniteFuture())->adopted_hooks, 0);

  // The fires from before keep their place; the old retention still applies to them.
  purged = store.Purge(fired + absl::Hours(24 * 30), now, absl::InfiniteFuture());
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->fires, 2);
  EXPECT_EQ(store.GetLastFire("g", "old", "task-1", absl::InfiniteFuture()).status().code(),
            absl::StatusCode::kNotFound);
}

// The runtime role cannot rewrite a recorded version or fire.
TEST(PostgresHooksStoreMigrationTest, VersionsAndFiresCannotBeRewritten) {
  auto db = pg::PgServiceDatabase::Create(schema::HooksMigrations());
  ASSERT_TRUE(db.ok()) << db.status();
  PostgresHooksStore store(*(*db)->pool);
  HookRow h;
  h.hook_group_id = "g";
  h.hook_id = "h";
  h.metadata = {{"name", "n"}};
  h.schedule = nlohmann::json::array();
  h.task = nlohmann::json::object();
  h.trigger_schema = {{"type", "object"}};
  h.created = h.last_modified = absl::FromUnixSeconds(1795435200);
  auto created = store.CreateHook(h, absl::InfiniteFuture());
  ASSERT_TRUE(created.ok()) << created.status();
  // A finished fire (only an unfinished one may be given its outcome, once: migration 0004).
  LastFireRow fire{"g",
                   "h",
                   "t1",
                   "triggerHook",
                   nlohmann::json::object(),
                   "alice",
                   "2026-11-23T12:00:00.000Z",
                   h.created,
                   "success",
                   "",
                   created->second.version_sha256,
                   h.created + absl::Hours(24)};
  ASSERT_TRUE(store.AddLastFire(fire, absl::InfiniteFuture()).ok());
  pqxx::connection c((*db)->db->RuntimeDsn("hooks"));
  for (const char* sql : {"UPDATE hooks.hook_versions SET definition = '{}'",
                          "UPDATE hooks.hook_versions SET sha256 = repeat('0', 64)",
                          "UPDATE hooks.last_fires SET result = 'error'",
                          "UPDATE hooks.last_fires SET payload = NULL",
                          "UPDATE hooks.last_fires SET task_id = 'other'"}) {
    pqxx::work txn(c);
    EXPECT_THROW(txn.exec(sql), pqxx::insufficient_privilege) << sql;
  }
}

}  // namespace
}  // namespace bulwark::hooks
