#include "services/hooks/store/hooks_store_conformance.h"

#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "services/hooks/store/hook_definition.h"

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

// A fire of `h` as read from the store (so with its current version), kept for 30 days.
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
          "",
          h.version_sha256,
          when + absl::Hours(24 * 30)};
}

// `h` with its template changed to carry `marker`.
HookRow WithMarker(HookRow h, const std::string& marker) {
  h.task = {{"payload", {{"marker", marker}}}};
  return h;
}

HookVersionRow Version(HooksStore& store, const HookRow& h, const std::string& sha256) {
  absl::StatusOr<HookVersionRow> v =
      store.GetHookVersion(h.hook_group_id, h.hook_id, sha256, kNoDeadline);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : HookVersionRow{};
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
  ASSERT_TRUE(store_->DeleteHook("g", "a/b", now_, kNoDeadline).ok());
  ASSERT_TRUE(store_->DeleteHook("g", "a/b", now_, kNoDeadline).ok());
  EXPECT_EQ(store_->GetHook("g", "a/b", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(HooksStoreConformanceTest, LastFiresNewestFirstWithPaging) {
  auto created = store_->CreateHook(MakeHook("g", "h", now_), kNoDeadline);
  ASSERT_TRUE(created.ok()) << created.status();
  HookRow h = created->second;
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
  // Fire records outlive the hook (until they expire: see Purge below).
  ASSERT_TRUE(store_->DeleteHook("g", "h", now_, kNoDeadline).ok());
  EXPECT_EQ(store_->ListLastFires("g", "h", std::nullopt, 10, kNoDeadline)->size(), 5u);
}

TEST_P(HooksStoreConformanceTest, FinishLastFireSetsTheOutcomeOfARecordedFire) {
  auto created = store_->CreateHook(MakeHook("g", "h", now_), kNoDeadline);
  ASSERT_TRUE(created.ok()) << created.status();
  LastFireRow pending = Fire(created->second, "t1", now_);
  pending.result = "error";
  pending.error = absl::StrCat(kUnfinishedFirePrefix, " pending");
  ASSERT_TRUE(store_->AddLastFire(pending, kNoDeadline).ok());
  absl::Time later = now_ + absl::Hours(48);
  ASSERT_TRUE(store_->FinishLastFire("g", "h", "t1", "success", "", later, kNoDeadline).ok());
  auto fire = store_->GetLastFire("g", "h", "t1", kNoDeadline);
  ASSERT_TRUE(fire.ok()) << fire.status();
  EXPECT_EQ(fire->result, "success");
  EXPECT_EQ(fire->error, "");
  EXPECT_EQ(fire->expires, later);
  EXPECT_EQ(fire->payload, pending.payload);
  EXPECT_EQ(store_->FinishLastFire("g", "h", "nope", "success", "", later, kNoDeadline).code(),
            absl::StatusCode::kNotFound);
  // A finished record never changes again.
  EXPECT_EQ(store_->FinishLastFire("g", "h", "t1", "error", "x", later, kNoDeadline).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetLastFire("g", "h", "t1", kNoDeadline)->result, "success");
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
        f.hook_version_sha256 = std::string(64, '0');  // recorded as the hook's own version
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
  EXPECT_EQ((*fires)[0].hook_version_sha256, due->version_sha256);
  EXPECT_EQ((*fires)[0].expires, now_ + absl::Hours(24 * 30));
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

TEST_P(HooksStoreConformanceTest, VersionsAreAddedOnlyWhenTheDefinitionChanges) {
  HookRow h = MakeHook("g", "v", now_, now_ + absl::Hours(1));
  h.task = {{"payload", {{"big", 1e16}, {"half", 0.5}, {"three", 3.0}}}};  // jsonb rewrites 1e16
  auto created = store_->CreateHook(h, kNoDeadline);
  ASSERT_TRUE(created.ok()) << created.status();
  const HookRow v1_row = created->second;
  ASSERT_TRUE(IsSha256Hex(v1_row.version_sha256)) << v1_row.version_sha256;
  // What a read returns is exactly the version's definition.
  auto read = store_->GetHook("g", "v", kNoDeadline);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version_sha256, v1_row.version_sha256);
  EXPECT_EQ(*CanonicalDefinition(*read), *CanonicalDefinition(h));
  const HookVersionRow v1 = Version(*store_, h, v1_row.version_sha256);
  EXPECT_EQ(v1.sequence, 1);
  EXPECT_EQ(v1.definition, *CanonicalDefinition(h));
  EXPECT_EQ(Sha256Hex(v1.definition), v1.sha256);
  EXPECT_EQ(v1.created, now_);
  EXPECT_FALSE(v1.retired.has_value());
  EXPECT_EQ(store_->ListHooks("g", kNoDeadline)->at(0).version_sha256, v1.sha256);

  // Changes outside the definition (token, next slot) add no version.
  auto same = store_->UpdateHook(
      "g", "v",
      [&](const HookRow& old) -> absl::StatusOr<HookRow> {
        HookRow r = old;
        r.sealed_trigger_token = "resealed";
        r.next_task_id = "other";
        r.next_scheduled_date = now_ + absl::Hours(2);
        r.last_modified = now_ + absl::Minutes(1);
        return r;
      },
      kNoDeadline);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->version_sha256, v1.sha256);

  auto Update = [&](const std::string& marker, absl::Time at) {
    return store_->UpdateHook(
        "g", "v",
        [&](const HookRow& old) -> absl::StatusOr<HookRow> {
          HookRow r = marker.empty() ? h : WithMarker(old, marker);
          r.sealed_trigger_token = old.sealed_trigger_token;
          r.last_modified = at;
          return r;
        },
        kNoDeadline);
  };
  auto v2_row = Update("two", now_ + absl::Minutes(2));
  ASSERT_TRUE(v2_row.ok()) << v2_row.status();
  ASSERT_NE(v2_row->version_sha256, v1.sha256);
  HookVersionRow v2 = Version(*store_, h, v2_row->version_sha256);
  EXPECT_EQ(v2.sequence, 2);  // the unchanged update numbered nothing
  EXPECT_EQ(v2.created, now_ + absl::Minutes(2));
  EXPECT_EQ(v2.definition, *CanonicalDefinition(*v2_row));
  HookVersionRow v1_after = Version(*store_, h, v1.sha256);
  EXPECT_EQ(v1_after.definition, v1.definition);  // immutable
  EXPECT_EQ(v1_after.sequence, 1);
  EXPECT_EQ(v1_after.created, v1.created);
  EXPECT_EQ(v1_after.retired, now_ + absl::Minutes(2));

  // Back to the first definition: that version is current again, as it was.
  auto back = Update("", now_ + absl::Minutes(3));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->version_sha256, v1.sha256);
  v1_after = Version(*store_, h, v1.sha256);
  EXPECT_EQ(v1_after.sequence, 1);
  EXPECT_EQ(v1_after.created, now_);
  EXPECT_FALSE(v1_after.retired.has_value());
  EXPECT_EQ(Version(*store_, h, v2.sha256).retired, now_ + absl::Minutes(3));
  auto v3_row = Update("three", now_ + absl::Minutes(4));
  ASSERT_TRUE(v3_row.ok());
  EXPECT_EQ(Version(*store_, h, v3_row->version_sha256).sequence, 3);

  EXPECT_EQ(store_->GetHookVersion("g", "v", std::string(64, 'a'), kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetHookVersion("g", "other", v1.sha256, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(HooksStoreConformanceTest, FiresNameTheirVersionAndOutliveTheHook) {
  auto created = store_->CreateHook(MakeHook("g", "f", now_), kNoDeadline);
  ASSERT_TRUE(created.ok()) << created.status();
  HookRow read_v1 = created->second;
  ASSERT_TRUE(store_->AddLastFire(Fire(read_v1, "t1", now_), kNoDeadline).ok());
  auto v2 = store_->UpdateHook(
      "g", "f",
      [&](const HookRow& old) -> absl::StatusOr<HookRow> { return WithMarker(old, "two"); },
      kNoDeadline);
  ASSERT_TRUE(v2.ok());
  // A fire that read version 1 before the update records version 1.
  ASSERT_TRUE(store_->AddLastFire(Fire(read_v1, "t2", now_ + absl::Seconds(1)), kNoDeadline).ok());
  ASSERT_TRUE(store_->AddLastFire(Fire(*v2, "t3", now_ + absl::Seconds(2)), kNoDeadline).ok());
  auto t2 = store_->GetLastFire("g", "f", "t2", kNoDeadline);
  ASSERT_TRUE(t2.ok()) << t2.status();
  EXPECT_EQ(t2->hook_version_sha256, read_v1.version_sha256);
  EXPECT_EQ(t2->expires, now_ + absl::Seconds(1) + absl::Hours(24 * 30));
  EXPECT_EQ(t2->client_id, "alice");
  EXPECT_EQ(t2->payload, nlohmann::json({{"k", "v"}}));
  EXPECT_EQ(store_->GetLastFire("g", "f", "t3", kNoDeadline)->hook_version_sha256,
            v2->version_sha256);
  auto listed = store_->ListLastFires("g", "f", std::nullopt, 10, kNoDeadline);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].hook_version_sha256, v2->version_sha256);
  EXPECT_EQ((*listed)[2].hook_version_sha256, read_v1.version_sha256);
  EXPECT_EQ(store_->GetLastFire("g", "f", "nope", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  // A version that is not (or no longer) kept cannot be named.
  LastFireRow bogus = Fire(read_v1, "t4", now_);
  bogus.hook_version_sha256 = std::string(64, 'b');
  absl::Status refused = store_->AddLastFire(bogus, kNoDeadline);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find(std::string(64, 'b')), std::string::npos) << refused;

  // RemoveHook: gone from reads and firing; versions and fires stay.
  const absl::Time removed = now_ + absl::Minutes(5);
  ASSERT_TRUE(store_->DeleteHook("g", "f", removed, kNoDeadline).ok());
  EXPECT_EQ(store_->GetHook("g", "f", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListHooks("g", kNoDeadline)->empty());
  EXPECT_TRUE(store_->ListGroups(kNoDeadline)->empty());
  EXPECT_EQ(Version(*store_, read_v1, read_v1.version_sha256).definition,
            *CanonicalDefinition(read_v1));
  EXPECT_EQ(Version(*store_, read_v1, v2->version_sha256).retired, removed);
  EXPECT_EQ(store_->GetLastFire("g", "f", "t1", kNoDeadline)->hook_version_sha256,
            read_v1.version_sha256);
  EXPECT_EQ(store_->ListLastFires("g", "f", std::nullopt, 10, kNoDeadline)->size(), 3u);
  // A fire in flight when the hook was removed is still recorded against its version.
  EXPECT_TRUE(store_->AddLastFire(Fire(*v2, "t5", removed), kNoDeadline).ok());
  // Without a version, a fire needs the hook itself.
  LastFireRow unversioned = Fire(*v2, "t6", removed);
  unversioned.hook_version_sha256.clear();
  EXPECT_EQ(store_->AddLastFire(unversioned, kNoDeadline).code(),
            absl::StatusCode::kFailedPrecondition);

  // Re-created with a new definition: the numbering continues.
  auto again = store_->CreateHook(WithMarker(MakeHook("g", "f", removed), "again"), kNoDeadline);
  ASSERT_TRUE(again.ok() && again->first);
  EXPECT_EQ(Version(*store_, again->second, again->second.version_sha256).sequence, 3);
  // Re-created with a kept definition: that version is current again.
  ASSERT_TRUE(store_->DeleteHook("g", "f", removed, kNoDeadline).ok());
  auto as_v2 = store_->CreateHook(WithMarker(MakeHook("g", "f", removed + absl::Minutes(1)), "two"),
                                  kNoDeadline);
  ASSERT_TRUE(as_v2.ok() && as_v2->first);
  EXPECT_EQ(as_v2->second.version_sha256, v2->version_sha256);
  HookVersionRow v2_again = Version(*store_, *v2, v2->version_sha256);
  EXPECT_EQ(v2_again.sequence, 2);
  EXPECT_FALSE(v2_again.retired.has_value());
}

TEST_P(HooksStoreConformanceTest, PurgeKeepsWhatUnexpiredFiresNeedAndRemovesTheRest) {
  const absl::Duration day = absl::Hours(24);
  auto Change = [&](const std::string& id, const std::string& marker, absl::Time at) {
    return store_->UpdateHook(
        "g", id,
        [&](const HookRow& old) -> absl::StatusOr<HookRow> {
          HookRow r = WithMarker(old, marker);
          r.last_modified = at;
          return r;
        },
        kNoDeadline);
  };
  // live: v1 fired (task expires in 10 days), v2 never fired, v3 current.
  HookRow live1 = store_->CreateHook(MakeHook("g", "live", now_), kNoDeadline)->second;
  LastFireRow f1 = Fire(live1, "f1", now_);
  f1.expires = now_ + 10 * day;
  ASSERT_TRUE(store_->AddLastFire(f1, kNoDeadline).ok());
  HookRow live2 = *Change("live", "two", now_);
  HookRow live3 = *Change("live", "three", now_);
  // gone: v1 fired (task expires in 1 day), then removed.
  HookRow gone1 = store_->CreateHook(MakeHook("g", "gone", now_), kNoDeadline)->second;
  LastFireRow f2 = Fire(gone1, "f2", now_);
  f2.expires = now_ + day;
  ASSERT_TRUE(store_->AddLastFire(f2, kNoDeadline).ok());
  ASSERT_TRUE(store_->DeleteHook("g", "gone", now_, kNoDeadline).ok());
  auto Kept = [&](const HookRow& h, const std::string& sha256) {
    return store_->GetHookVersion(h.hook_group_id, h.hook_id, sha256, kNoDeadline).ok();
  };

  // Within the grace after retirement nothing goes.
  auto purged = store_->Purge(now_, now_ - absl::Hours(1), kNoDeadline);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->fires, 0);
  EXPECT_EQ(purged->versions, 0);
  EXPECT_EQ(purged->adopted_hooks, 0);
  EXPECT_TRUE(Kept(live2, live2.version_sha256));

  // After it: only the retired, unfired version goes.
  purged = store_->Purge(now_ + absl::Hours(2), now_ + absl::Hours(1), kNoDeadline);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->fires, 0);
  EXPECT_EQ(purged->versions, 1);
  EXPECT_FALSE(Kept(live2, live2.version_sha256));
  EXPECT_TRUE(Kept(live1, live1.version_sha256));  // f1 needs it
  EXPECT_TRUE(Kept(live3, live3.version_sha256));  // current
  EXPECT_TRUE(Kept(gone1, gone1.version_sha256));  // f2 needs it

  // f2's task expired: its record and the removed hook's version go.
  purged = store_->Purge(now_ + 2 * day, now_ + 2 * day - absl::Hours(1), kNoDeadline);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->fires, 1);
  EXPECT_EQ(purged->versions, 1);
  EXPECT_EQ(store_->GetLastFire("g", "gone", "f2", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(Kept(gone1, gone1.version_sha256));
  EXPECT_TRUE(store_->GetLastFire("g", "live", "f1", kNoDeadline).ok());
  EXPECT_TRUE(Kept(live1, live1.version_sha256));

  // f1's task expired too: only the live hook's current version is left.
  purged = store_->Purge(now_ + 11 * day, now_ + 11 * day - absl::Hours(1), kNoDeadline);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->fires, 1);
  EXPECT_EQ(purged->versions, 1);
  EXPECT_FALSE(Kept(live1, live1.version_sha256));
  EXPECT_TRUE(Kept(live3, live3.version_sha256));
  EXPECT_EQ(store_->GetHook("g", "live", kNoDeadline)->version_sha256, live3.version_sha256);
  EXPECT_TRUE(store_->ListLastFires("g", "live", std::nullopt, 10, kNoDeadline)->empty());
  purged = store_->Purge(now_ + 400 * day, now_ + 400 * day, kNoDeadline);
  EXPECT_EQ(purged->versions, 0);

  // Nothing of "gone" is left, yet a re-created "gone" does not reuse number 1.
  auto again = store_->CreateHook(WithMarker(MakeHook("g", "gone", now_), "new"), kNoDeadline);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Version(*store_, again->second, again->second.version_sha256).sequence, 2);
}

TEST_P(HooksStoreConformanceTest, ConcurrentUpdatesNeverPairAFireWithAnotherDefinition) {
  // A hook always due, so the scheduler's path sees it on every round.
  ASSERT_TRUE(
      store_
          ->CreateHook(WithMarker(MakeHook("g", "race", now_, now_ - absl::Minutes(1)), "m0"),
                       kNoDeadline)
          .ok());
  constexpr int kUpdates = 25;
  std::atomic<bool> done{false};
  std::atomic<int> next_task{0};
  std::thread updater([&] {
    for (int i = 1; i <= kUpdates; ++i) {
      auto r = store_->UpdateHook(
          "g", "race",
          [&](const HookRow& old) -> absl::StatusOr<HookRow> {
            return WithMarker(old, absl::StrCat("m", i));
          },
          kNoDeadline);
      EXPECT_TRUE(r.ok()) << r.status();
    }
    done = true;
  });
  // Triggers: read the hook, then record a fire of what was read (the marker in client_id).
  std::thread trigger([&] {
    do {
      auto h = store_->GetHook("g", "race", kNoDeadline);
      ASSERT_TRUE(h.ok()) << h.status();
      EXPECT_EQ(Sha256Hex(*CanonicalDefinition(*h)), h->version_sha256);
      LastFireRow f = Fire(*h, absl::StrCat("trigger-", next_task++), now_);
      f.client_id = h->task["payload"]["marker"];
      ASSERT_TRUE(store_->AddLastFire(f, kNoDeadline).ok());
    } while (!done);
  });
  // Scheduler: the marker the locked hook had when `decide` saw it.
  std::thread scheduler([&] {
    do {
      auto r = store_->RunDue(
          now_, 1,
          [&](const HookRow& h) -> absl::StatusOr<DueOutcome> {
            DueOutcome out;
            LastFireRow f = Fire(h, absl::StrCat("schedule-", next_task++), now_);
            f.client_id = h.task["payload"]["marker"];
            out.fire = f;
            return out;  // not advanced: due again next round
          },
          kNoDeadline);
      ASSERT_TRUE(r.ok()) << r.status();
    } while (!done);
  });
  updater.join();
  trigger.join();
  scheduler.join();
  auto fires = store_->ListLastFires("g", "race", std::nullopt, 1000, kNoDeadline);
  ASSERT_TRUE(fires.ok()) << fires.status();
  ASSERT_GE(fires->size(), 2u);
  std::map<std::string, std::string> marker_of_version;
  for (const LastFireRow& f : *fires) {
    if (marker_of_version.count(f.hook_version_sha256) == 0) {
      HookVersionRow v = Version(*store_, MakeHook("g", "race", now_), f.hook_version_sha256);
      absl::StatusOr<HookRow> d = HookFromDefinition(v.definition);
      ASSERT_TRUE(d.ok()) << d.status();
      marker_of_version[f.hook_version_sha256] = d->task["payload"]["marker"];
    }
    EXPECT_EQ(marker_of_version[f.hook_version_sha256], f.client_id) << f.task_id;
  }
}

}  // namespace bulwark::hooks

namespace bulwark::hooks {
namespace {

// What the cancellation test compares: a hook as stored and its fire records.
std::string HookState(HooksStore& store, const std::string& group, const std::string& id) {
  auto hook = store.GetHook(group, id, kNoDeadline);
  if (!hook.ok()) return std::string(hook.status().ToString());
  std::string out = absl::StrCat(hook->task.dump(), "|", hook->next_task_id, "|",
                                 hook->version_sha256, "|", absl::FormatTime(hook->last_modified));
  if (hook->next_scheduled_date)
    absl::StrAppend(&out, "|", absl::FormatTime(*hook->next_scheduled_date));
  return out;
}

std::string FiresOf(HooksStore& store, const std::string& group, const std::string& id) {
  auto fires = store.ListLastFires(group, id, std::nullopt, 100, kNoDeadline);
  if (!fires.ok()) return std::string(fires.status().ToString());
  std::string out;
  for (const LastFireRow& f : *fires) {
    absl::StrAppend(&out, f.task_id, ":", f.result, ":", f.error, ":", absl::FormatTime(f.expires),
                    ";");
  }
  return out;
}

}  // namespace

// Issue 14 item 3: every mutating method called for a caller that has gone (CallScope)
// returns CANCELLED and writes nothing.
TEST_P(HooksStoreConformanceTest, NothingIsWrittenForACallerWhoHasGone) {
  ASSERT_TRUE(
      store_->CreateHook(MakeHook("g", "due", now_, now_ - absl::Minutes(1)), kNoDeadline).ok());
  auto hook = store_->GetHook("g", "due", kNoDeadline);
  ASSERT_TRUE(hook.ok()) << hook.status();
  LastFireRow unfinished = Fire(*hook, "unfinished-task", now_);
  unfinished.result = "error";
  unfinished.error = absl::StrCat(kUnfinishedFirePrefix, " pending");
  ASSERT_TRUE(store_->AddLastFire(unfinished, kNoDeadline).ok());
  std::string hook_before = HookState(*store_, "g", "due");
  std::string fires_before = FiresOf(*store_, "g", "due");

  bool decided = false;
  struct Mutation {
    const char* name;
    std::function<absl::Status()> run;
  };
  std::vector<Mutation> mutations = {
      {"CreateHook",
       [&] { return store_->CreateHook(MakeHook("g", "new", now_), kNoDeadline).status(); }},
      {"UpdateHook",
       [&] {
         return store_
             ->UpdateHook(
                 "g", "due",
                 [&](const HookRow& h) -> absl::StatusOr<HookRow> {
                   HookRow changed = WithMarker(h, "changed");
                   changed.last_modified = now_ + absl::Minutes(1);
                   return changed;
                 },
                 kNoDeadline)
             .status();
       }},
      {"DeleteHook", [&] { return store_->DeleteHook("g", "due", now_, kNoDeadline); }},
      {"AddLastFire",
       [&] { return store_->AddLastFire(Fire(*hook, "another-task", now_), kNoDeadline); }},
      {"FinishLastFire",
       [&] {
         return store_->FinishLastFire("g", "due", "unfinished-task", "success", "",
                                       now_ + absl::Hours(1), kNoDeadline);
       }},
      {"RunDue",
       [&] {
         return store_
             ->RunDue(
                 now_, 10,
                 [&](const HookRow& h) -> absl::StatusOr<DueOutcome> {
                   decided = true;
                   DueOutcome outcome;
                   outcome.fire = Fire(h, "scheduled-task", now_);
                   outcome.advance = true;
                   outcome.next_task_id = "next";
                   outcome.next_scheduled_date = now_ + absl::Hours(1);
                   return outcome;
                 },
                 kNoDeadline)
             .status();
       }},
      {"Purge",
       [&] { return store_->Purge(now_ + absl::Hours(24 * 400), now_, kNoDeadline).status(); }},
  };
  for (const Mutation& m : mutations) {
    CallScope gone([] { return true; });
    absl::Status s = m.run();
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << m.name << ": " << s;
  }
  EXPECT_EQ(store_->GetHook("g", "new", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(HookState(*store_, "g", "due"), hook_before);
  EXPECT_EQ(FiresOf(*store_, "g", "due"), fires_before);
  EXPECT_FALSE(decided) << "the scheduler's decision ran for a caller who had gone";
  // ...while the same store still writes for a caller who stays.
  CallScope present([] { return false; });
  EXPECT_TRUE(store_
                  ->FinishLastFire("g", "due", "unfinished-task", "success", "",
                                   now_ + absl::Hours(1), kNoDeadline)
                  .ok());
}

}  // namespace bulwark::hooks
