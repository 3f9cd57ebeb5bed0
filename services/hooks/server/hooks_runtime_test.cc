// The hooks service's background work on a simulated clock: the scheduler fires a slot on the
// first round after the injected clock reaches it, and only then; the purge removes a removed
// hook's fire records and versions on the first round after they expire, and only then.
#include "services/hooks/server/hooks_runtime.h"

#include <map>
#include <vector>

#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/struct_json.h"
#include "services/hooks/store/in_memory_hooks_store.h"

namespace bulwark::hooks {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);

class RecordingQueue final : public QueueClient {
 public:
  absl::Status CreateTask(const std::string& task_id, const queue::v1::TaskDefinition&,
                          const std::string& role, absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    calls_.push_back({task_id, role, deadline});
    return absl::OkStatus();
  }
  struct Call {
    std::string task_id, role;
    absl::Time deadline;
  };
  std::vector<Call> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
};

TEST(SchedulerTest, FiresADueSlotOnTheNextRoundOfTheInjectedClock) {
  SimulatedClock clock(absl::FromUnixSeconds(1795435200));  // 2026-11-23T12:00:00Z
  SeededRandom random(3);
  InMemoryHooksStore store;
  RecordingQueue queue;
  crypto::Keyring keys = *crypto::Keyring::Create({{"k1", std::string(32, 'k')}}, random);
  HooksService service({}, store, queue, keys, clock, random);
  v1::Hook hook;
  hook.set_hook_group_id("demo");
  hook.set_hook_id("hourly");
  hook.add_schedule("0 * * * *");
  hook.mutable_metadata()->set_name("hourly");
  hook.mutable_metadata()->set_owner("dev@example.com");
  *hook.mutable_task() = *StructFromJson({{"taskQueueId", "proj/linux"},
                                          {"metadata",
                                           {{"name", "n"},
                                            {"description", "d"},
                                            {"owner", "dev@example.com"},
                                            {"source", "https://example.com"}}},
                                          {"payload", {{"slot", "${now}"}}}});
  Caller root{"static/bulwark/root", {"*"}};
  ASSERT_TRUE(service.CreateHook(root, hook, absl::InfiniteFuture()).ok());

  auto scheduler = StartScheduler(service, clock, absl::Seconds(10));
  clock.Advance(absl::Minutes(30));
  ASSERT_TRUE(scheduler->WaitForRounds(1, kWait));
  EXPECT_TRUE(queue.calls().empty()) << "fired before the slot";

  clock.Advance(absl::Minutes(30));  // 13:00, the slot
  ASSERT_TRUE(scheduler->WaitForRounds(2, kWait));
  std::vector<RecordingQueue::Call> calls = queue.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].role, "demo/hourly");
  // The queue call has the round's own bounded, wall-clock deadline.
  EXPECT_GT(calls[0].deadline, absl::Now());
  EXPECT_LE(calls[0].deadline, absl::Now() + absl::Seconds(60));
  auto fires = store.ListLastFires("demo", "hourly", std::nullopt, 10, absl::InfiniteFuture());
  ASSERT_TRUE(fires.ok());
  ASSERT_EQ(fires->size(), 1u);
  EXPECT_EQ((*fires)[0].now_iso, "2026-11-23T13:00:00.000Z");

  clock.Advance(absl::Seconds(10));
  ASSERT_TRUE(scheduler->WaitForRounds(3, kWait));
  EXPECT_EQ(queue.calls().size(), 1u) << "a slot fired twice";
}

TEST(PurgeTest, RemovesFiresAndVersionsOnTheFirstRoundAfterTheyExpire) {
  SimulatedClock clock(absl::FromUnixSeconds(1795435200));  // 2026-11-23T12:00:00Z
  SeededRandom random(4);
  InMemoryHooksStore store;
  RecordingQueue queue;
  crypto::Keyring keys = *crypto::Keyring::Create({{"k1", std::string(32, 'k')}}, random);
  HooksService service({}, store, queue, keys, clock, random);
  Caller root{"static/bulwark/root", {"*"}};
  const absl::Time kForever = absl::InfiniteFuture();
  // "short" creates tasks with the default expiry (30 days), "long" with 60 days.
  std::map<std::string, std::string> task_of, version_of;
  for (const std::string id : {"short", "long"}) {
    v1::Hook hook;
    hook.set_hook_group_id("demo");
    hook.set_hook_id(id);
    hook.mutable_metadata()->set_name(id);
    hook.mutable_metadata()->set_owner("dev@example.com");
    nlohmann::json tmpl = {{"taskQueueId", "proj/linux"},
                           {"metadata",
                            {{"name", "n"},
                             {"description", "d"},
                             {"owner", "dev@example.com"},
                             {"source", "https://example.com"}}},
                           {"payload", nlohmann::json::object()}};
    if (id == "long") tmpl["expires"] = {{"$fromNow", "60 days"}};
    *hook.mutable_task() = *StructFromJson(tmpl);
    *hook.mutable_trigger_schema() = *StructFromJson({{"type", "object"}});
    ASSERT_TRUE(service.CreateHook(root, hook, kForever).ok());
    v1::TriggerHookRequest trigger;
    trigger.set_hook_group_id("demo");
    trigger.set_hook_id(id);
    auto fired = service.TriggerHook(root, trigger, kForever);
    ASSERT_TRUE(fired.ok()) << fired.status();
    task_of[id] = fired->task_id();
    version_of[id] = store.GetHook("demo", id, kForever)->version_sha256;
    ASSERT_TRUE(service.RemoveHook(root, "demo", id, kForever).ok());
  }
  auto FireKept = [&](const std::string& id) {
    return store.GetLastFire("demo", id, task_of[id], kForever).ok();
  };
  auto VersionKept = [&](const std::string& id) {
    return store.GetHookVersion("demo", id, version_of[id], kForever).ok();
  };

  auto purge = StartPurge(service, clock, absl::Hours(1));
  ASSERT_TRUE(purge->WaitForRounds(1, kWait));  // at start: nothing has expired
  EXPECT_TRUE(FireKept("short") && VersionKept("short") && FireKept("long") && VersionKept("long"));

  clock.Advance(absl::Hours(24 * 30) - absl::Minutes(1));  // just before the short task expires
  ASSERT_TRUE(purge->WaitForRounds(2, kWait));
  EXPECT_TRUE(FireKept("short") && VersionKept("short"));

  clock.Advance(absl::Hours(1));
  ASSERT_TRUE(purge->WaitForRounds(3, kWait));
  EXPECT_FALSE(FireKept("short"));
  EXPECT_FALSE(VersionKept("short"));
  EXPECT_TRUE(FireKept("long") && VersionKept("long"));

  clock.Advance(absl::Hours(24 * 30));
  ASSERT_TRUE(purge->WaitForRounds(4, kWait));
  EXPECT_FALSE(FireKept("long"));
  EXPECT_FALSE(VersionKept("long"));
  EXPECT_EQ(purge->failures(), 0);
}

}  // namespace
}  // namespace bulwark::hooks
