// The scheduler with three replicas on one real PostgreSQL database and a simulated clock:
// every slot fires exactly once, whichever replica takes it, over a day of slots.
#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libraries/pg/pg_test_database.h"
#include "libraries/proto/struct_json.h"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/service/hooks_service.h"
#include "services/hooks/store/postgres_hooks_store.h"

namespace bulwark::hooks {
namespace {

// Counts creations per taskId, as the queue would see them; thread-safe.
class CountingQueue final : public QueueClient {
 public:
  absl::Status CreateTask(const std::string& task_id, const queue::v1::TaskDefinition& task,
                          const std::string&, absl::Time) override {
    absl::MutexLock lock(&mu_);
    ++created_[task_id];
    slots_[task_id] = JsonFromStruct(task.payload())["now"];
    return absl::OkStatus();
  }
  std::map<std::string, int> created() {
    absl::MutexLock lock(&mu_);
    return created_;
  }
  std::map<std::string, std::string> slots() {
    absl::MutexLock lock(&mu_);
    return slots_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> created_;
  std::map<std::string, std::string> slots_;
};

TEST(SchedulerPgTest, ThreeReplicasFireEverySlotOnce) {
  auto db = pg::PgServiceDatabase::Create(schema::HooksMigrations(), /*pool_size=*/6);
  ASSERT_TRUE(db.ok()) << db.status();
  PostgresHooksStore store(*(*db)->pool);
  SimulatedClock clock(absl::FromUnixSeconds(1795435200));  // 2026-11-23T12:00:00Z
  SeededRandom random(1);
  auto keys = crypto::Keyring::Create({{"k", std::string(32, 'k')}}, random);
  ASSERT_TRUE(keys.ok());
  CountingQueue queue;
  std::vector<std::unique_ptr<HooksService>> replicas;
  std::vector<std::unique_ptr<SeededRandom>> randoms;
  for (int i = 0; i < 3; ++i) {
    randoms.push_back(std::make_unique<SeededRandom>(100 + i));
    replicas.push_back(std::make_unique<HooksService>(HooksService::Options{}, store, queue, *keys,
                                                      clock, *randoms[i]));
  }
  Caller root{"root", {"*"}};
  for (const char* id : {"hourly", "quarter"}) {
    v1::Hook hook;
    hook.set_hook_group_id("demo");
    hook.set_hook_id(id);
    hook.mutable_metadata()->set_name(id);
    hook.mutable_metadata()->set_owner("dev@example.com");
    hook.add_schedule(std::string(id) == "hourly" ? "0 * * * *" : "*/15 * * * *");
    *hook.mutable_task() =
        *StructFromJson({{"taskQueueId", "p/w"}, {"payload", {{"now", "${now}"}}}});
    ASSERT_TRUE(replicas[0]->CreateHook(root, hook, absl::InfiniteFuture()).ok());
  }
  // Walk a simulated day in 5-minute steps; at each step all three replicas race.
  for (int step = 0; step < 288; ++step) {
    clock.Advance(absl::Minutes(5));
    std::vector<std::thread> threads;
    for (auto& replica : replicas) {
      threads.emplace_back([&] {
        auto r = replica->RunScheduler(absl::InfiniteFuture());
        EXPECT_TRUE(r.ok()) << r.status();
      });
    }
    for (auto& t : threads) t.join();
  }
  std::map<std::string, int> created = queue.created();
  for (const auto& [task_id, count] : created) EXPECT_EQ(count, 1) << task_id;
  std::set<std::string> slots;
  for (const auto& [task_id, slot] : queue.slots()) slots.insert(slot);
  // 24 hourly + 96 quarter-hourly slots; the hourly and :00 quarter slots share times.
  EXPECT_EQ(created.size(), 24u + 96u);
  EXPECT_EQ(slots.size(), 96u);
  EXPECT_TRUE(slots.count("2026-11-23T12:15:00.000Z"));
  EXPECT_TRUE(slots.count("2026-11-24T12:00:00.000Z"));
}

}  // namespace
}  // namespace bulwark::hooks
