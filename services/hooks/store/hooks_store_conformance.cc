#include "services/hooks/store/hooks_store_conformance.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"

namespace bulwark::hooks {
namespace {

const absl::Time kNoDeadline = absl::InfiniteFuture();

HookRow MakeHook(const std::string& group, const std::string& id, absl::Time now,
                 std::optional<absl::Time> next = std::nullopt) {
  HookRow h;
  h.hook_group_id = group;
  h.hook_id = id;
  h.metadata = {{"name", "n"}, {"description", "d"}, {"owner", "o@example.com"}};
  h.schedule = next ? nlohmann::json{"0 0 * * *"} : nlohmann::json::array();
  h.task = {{"$let", {{"x", 1}}, {"in", {{"payload", {{"x", {{"$eval", "x"}}}}}}}}};
  h.trigger_schema = {{"type", "object"}};
  h.sealed_trigger_token = "sealed";
  h.next_task_id = "task-" + id;
  h.next_scheduled_date = next;
  h.created = h.last_modified = now;
  return h;
}

LastFireRow Fire(const HookRow& h, const std::string& task_id, absl::Time when) {
  return {h.hook_group_id,
          h.hook_id,
          task_id,
          "triggerHook",
          {{"k", "v"}},
          "alice",
          "2026-11-23T12:00:00.000Z",
          when,
          "success",
          ""};
}

}  // namespace

TEST_P(HooksStoreConformanceTest, CreateGetListUpdateDelete) {
  HookRow h = MakeHook("g", "a/b", now_, now_ + absl::Hours(1));
  auto created = store_->CreateHook(h, kNoDeadline);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->first);
  auto got = store_->GetHook("g", "a/b", kNoDeadline);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->task, h.task);
  EXPECT_EQ(got->metadata, h.metadata);
  EXPECT_EQ(got->next_scheduled_date, h.next_scheduled_date);
  EXPECT_EQ(got->created, now_);
  auto again = store_->CreateHook(MakeHook("g", "a/b", now_), kNoDeadline);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->first);
  ASSERT_TRUE(store_->CreateHook(MakeHook("g", "c", now_), kNoDeadline).ok());
  ASSERT_TRUE(store_->CreateHook(MakeHook("f", "z", now_), kNoDeadline).ok());
  EXPECT_EQ(*store_->ListGroups(kNoDeadline), (std::vector<std::string>{"f", "g"}));
  EXPECT_EQ(store_->ListHooks("g", kNoDeadline)->size(), 2u);
  EXPECT_TRUE(store_->ListHooks("nope", kNoDeadline)->empty());

  auto updated = store_->UpdateHook(
      "g", "a/b",
      [](const HookRow& old) -> absl::StatusOr<HookRow> {
        HookRow h = old;
        h.next_scheduled_date.reset();
        h.metadata["name"] = "renamed";
        return h;
      },
      kNoDeadline);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->metadata["name"], "renamed");
  EXPECT_FALSE(updated->next_scheduled_date.has_value());
  EXPECT_EQ(store_
                ->UpdateHook(
                    "g", "missing", [](const HookRow& h) -> absl::StatusOr<HookRow> { return h; },
                    kNoDeadline)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_
                ->UpdateHook(
                    "g", "c",
                    [](const HookRow&) -> absl::StatusOr<HookRow> {
                      return absl::InvalidArgumentError("no");
                    },
                    kNoDeadline)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->DeleteHook("g", "a/b", kNoDeadline).ok());
  ASSERT_TRUE(store_->DeleteHook("g", "a/b", kNoDeadline).ok());
  EXPECT_EQ(store_->GetHook("g", "a/b", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(HooksStoreConformanceTest, LastFiresNewestFirstWithPaging) {
  HookRow h = MakeHook("g", "h", now_);
  ASSERT_TRUE(store_->CreateHook(h, kNoDeadline).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store_->AddLastFire(Fire(h, absl::StrCat("t", i), now_ + absl::Seconds(i)), kNoDeadline)
            .ok());
  }
  EXPECT_EQ(store_->AddLastFire(Fire(h, "t1", now_), kNoDeadline).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->AddLastFire(Fire(MakeHook("g", "gone", now_), "x", now_), kNoDeadline).code(),
            absl::StatusCode::kFailedPrecondition);
  auto page = store_->ListLastFires("g", "h", std::nullopt, 2, kNoDeadline);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].task_id, "t4");
  EXPECT_EQ((*page)[0].payload, nlohmann::json({{"k", "v"}}));
  EXPECT_EQ((*page)[0].client_id, "alice");
  EXPECT_EQ((*page)[0].task_create_time, now_ + absl::Seconds(4));
  auto next = store_->ListLastFires(
      "g", "h", std::make_pair((*page)[1].task_create_time, (*page)[1].task_id), 10, kNoDeadline);
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ((*next)[0].task_id, "t2");
  ASSERT_TRUE(store_->DeleteHook("g", "h", kNoDeadline).ok());
  EXPECT_TRUE(store_->ListLastFires("g", "h", std::nullopt, 10, kNoDeadline)->empty());
}

TEST_P(HooksStoreConformanceTest, RunDueAppliesOutcomesAndSkipsWhatIsNotDue) {
  ASSERT_TRUE(
      store_->CreateHook(MakeHook("g", "due", now_, now_ - absl::Minutes(1)), kNoDeadline).ok());
  ASSERT_TRUE(
      store_->CreateHook(MakeHook("g", "later", now_, now_ + absl::Hours(1)), kNoDeadline).ok());
  ASSERT_TRUE(
      store_->CreateHook(MakeHook("g", "retry", now_, now_ - absl::Minutes(2)), kNoDeadline).ok());
  std::vector<std::string> seen;
  auto handled = store_->RunDue(
      now_, 10,
      [&](const HookRow& h) -> absl::StatusOr<DueOutcome> {
        seen.push_back(h.hook_id);
        DueOutcome out;
        if (h.hook_id == "retry") return out;  // a transient failure: leave it for next time
        LastFireRow f = Fire(h, h.next_task_id, now_);
        f.fired_by = "schedule";
        f.payload = nullptr;
        out.fire = f;
        out.advance = true;
        out.next_task_id = "next";
        out.next_scheduled_date = now_ + absl::Hours(24);
        return out;
      },
      kNoDeadline);
  ASSERT_TRUE(handled.ok()) << handled.status();
  EXPECT_EQ(*handled, 2);
  EXPECT_EQ(seen, (std::vector<std::string>{"retry", "due"}));  // oldest slot first
  auto due = store_->GetHook("g", "due", kNoDeadline);
  EXPECT_EQ(due->next_task_id, "next");
  EXPECT_EQ(due->next_scheduled_date, now_ + absl::Hours(24));
  auto fires = store_->ListLastFires("g", "due", std::nullopt, 10, kNoDeadline);
  ASSERT_EQ(fires->size(), 1u);
  EXPECT_EQ((*fires)[0].task_id, "task-due");
  EXPECT_TRUE((*fires)[0].payload.is_null());
  EXPECT_EQ(store_->GetHook("g", "retry", kNoDeadline)->next_task_id, "task-retry");
}

TEST_P(HooksStoreConformanceTest, ConcurrentSchedulersFireEachSlotOnce) {
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(store_
                    ->CreateHook(MakeHook("g", absl::StrCat("h", i), now_, now_ - absl::Seconds(1)),
                                 kNoDeadline)
                    .ok());
  }
  std::atomic<int> fired{0};
  std::vector<std::thread> schedulers;
  for (int s = 0; s < 3; ++s) {
    schedulers.emplace_back([&] {
      for (int round = 0; round < 5; ++round) {
        auto r = store_->RunDue(
            now_, 4,
            [&](const HookRow& h) -> absl::StatusOr<DueOutcome> {
              ++fired;
              DueOutcome out;
              out.fire = Fire(h, h.next_task_id, now_);
              out.advance = true;
              out.next_task_id = h.next_task_id + "+";
              out.next_scheduled_date = now_ + absl::Hours(24);
              return out;
            },
            kNoDeadline);
        ASSERT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (auto& t : schedulers) t.join();
  EXPECT_EQ(fired.load(), 12);
}

}  // namespace bulwark::hooks
