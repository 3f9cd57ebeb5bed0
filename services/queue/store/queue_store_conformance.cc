#include "services/queue/store/queue_store_conformance.h"

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::queue {
namespace {

const absl::Time kNoDeadline = absl::InfiniteFuture();

Task MakeTask(absl::Time now, const std::string& priority = "lowest",
              std::vector<std::string> deps = {}, const std::string& requires = "all-completed",
              int retries = 1) {
  static SeededRandom random(11);
  Task t;
  t.task_id = NiceSlugid(random);
  v1::TaskDefinition& d = t.definition;
  d.set_provisioner_id("prov");
  d.set_worker_type("wt");
  d.set_task_queue_id("prov/wt");
  d.set_scheduler_id("-");
  d.set_project_id("none");
  d.set_task_group_id(t.task_id);
  for (auto& dep : deps) d.add_dependencies(dep);
  d.set_requires(requires);
  d.set_priority(priority);
  d.set_retries(retries);
  *d.mutable_created() = ToProtoTimestamp(now);
  *d.mutable_deadline() = ToProtoTimestamp(now + absl::Hours(24));
  *d.mutable_expires() = ToProtoTimestamp(now + absl::Hours(48));
  d.mutable_metadata()->set_name("n");
  (*d.mutable_payload()->mutable_fields())["command"].set_string_value("true");
  t.creator_client_id = "creator";
  t.creator_authorized_scopes = {"assume:hook-id:g/h"};
  return t;
}

}  // namespace

void QueueStoreConformanceTest::SetUp() {
  under_test_ = GetParam()();
  store_ = under_test_.store.get();
  ASSERT_NE(store_, nullptr);
}

TEST_P(QueueStoreConformanceTest, CreateStoresTheTaskAndSchedulesRunZero) {
  Task t = MakeTask(now_);
  auto created = store_->CreateTask(t, now_, kNoDeadline);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);
  auto got = store_->GetTask(t.task_id, kNoDeadline);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->definition.SerializeAsString(), t.definition.SerializeAsString());
  EXPECT_EQ(got->creator_client_id, "creator");
  EXPECT_EQ(got->creator_authorized_scopes, std::vector<std::string>{"assume:hook-id:g/h"});
  EXPECT_EQ(got->created_at, now_);
  EXPECT_EQ(got->retries_left, 1);
  ASSERT_EQ(got->runs.size(), 1u);
  EXPECT_EQ(got->runs[0].state, RunState::kPending);
  EXPECT_EQ(got->runs[0].reason_created, ReasonCreated::kScheduled);
  // The same id again: nothing created, the stored task returned.
  Task other = MakeTask(now_);
  other.task_id = t.task_id;
  auto again = store_->CreateTask(other, now_, kNoDeadline);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->task.definition.SerializeAsString(), t.definition.SerializeAsString());
  EXPECT_EQ(store_->GetTask("nonexistent", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(QueueStoreConformanceTest, TaskGroupsKeepTheirSchedulerAndDependenciesMustExist) {
  Task a = MakeTask(now_);
  ASSERT_TRUE(store_->CreateTask(a, now_, kNoDeadline).ok());
  Task b = MakeTask(now_);
  b.definition.set_task_group_id(a.task_id);
  b.definition.set_scheduler_id("other");
  EXPECT_EQ(store_->CreateTask(b, now_, kNoDeadline).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Task c = MakeTask(now_, "lowest", {"AAAAAAAAQAAAAAAAAAAAAA"});
  absl::Status s = store_->CreateTask(c, now_, kNoDeadline).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("AAAAAAAAQAAAAAAAAAAAAA"), std::string::npos);
  EXPECT_EQ(store_->GetTask(c.task_id, kNoDeadline).status().code(), absl::StatusCode::kNotFound);
  Task d = MakeTask(now_);
  d.definition.set_task_group_id(a.task_id);
  ASSERT_TRUE(store_->CreateTask(d, now_, kNoDeadline).ok());
  auto group = store_->ListTaskGroup(a.task_id, "", 10, kNoDeadline);
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->size(), 2u);
}

TEST_P(QueueStoreConformanceTest, ClaimsHighestPriorityThenOldestExactlyOnce) {
  Task low = MakeTask(now_, "low");
  Task high = MakeTask(now_, "high");
  Task low2 = MakeTask(now_, "low");
  for (const Task& t : {low, high, low2})
    ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  absl::Time until = now_ + absl::Minutes(20);
  auto claimed = store_->Claim("prov/wt", "wg", "w1", 2, now_, until, kNoDeadline);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].task.task_id, high.task_id);
  EXPECT_EQ((*claimed)[1].task.task_id, low.task_id);
  const queue::Run& run = (*claimed)[0].task.runs[0];
  EXPECT_EQ(run.state, RunState::kRunning);
  EXPECT_EQ(run.worker_id, "w1");
  EXPECT_EQ(run.taken_until, until);
  auto rest = store_->Claim("prov/wt", "wg", "w2", 5, now_, until, kNoDeadline);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].task.task_id, low2.task_id);
  EXPECT_TRUE(store_->Claim("prov/wt", "wg", "w2", 5, now_, until, kNoDeadline)->empty());
  EXPECT_TRUE(store_->Claim("other/queue", "wg", "w2", 5, now_, until, kNoDeadline)->empty());
}

TEST_P(QueueStoreConformanceTest, ResolveRetryAndIdempotency) {
  Task t = MakeTask(now_, "lowest", {}, "all-completed", /*retries=*/1);
  ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  ASSERT_EQ(
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline)->size(),
      1u);
  Resolution shutdown{RunState::kException, ReasonResolved::kWorkerShutdown, true,
                      ReasonCreated::kRetry};
  auto task = store_->Resolve(t.task_id, 0, shutdown, now_, kNoDeadline);
  ASSERT_TRUE(task.ok()) << task.status();
  ASSERT_EQ(task->runs.size(), 2u);
  EXPECT_EQ(task->runs[0].state, RunState::kException);
  EXPECT_EQ(task->runs[1].state, RunState::kPending);
  EXPECT_EQ(task->runs[1].reason_created, ReasonCreated::kRetry);
  EXPECT_EQ(task->retries_left, 0);
  // Repeating the same resolution is fine; a different one is not.
  EXPECT_TRUE(store_->Resolve(t.task_id, 0, shutdown, now_, kNoDeadline).ok());
  EXPECT_EQ(store_
                ->Resolve(t.task_id, 0, {RunState::kCompleted, ReasonResolved::kCompleted}, now_,
                          kNoDeadline)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_
                ->Resolve(t.task_id, 7, {RunState::kCompleted, ReasonResolved::kCompleted}, now_,
                          kNoDeadline)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  ASSERT_EQ(
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline)->size(),
      1u);
  // No retries left: the exception is final.
  task = store_->Resolve(t.task_id, 1, shutdown, now_, kNoDeadline);
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->runs.size(), 2u);
  EXPECT_EQ(task->state(), RunState::kException);
}

TEST_P(QueueStoreConformanceTest, DependenciesScheduleDependentsByRequires) {
  Task a = MakeTask(now_);
  ASSERT_TRUE(store_->CreateTask(a, now_, kNoDeadline).ok());
  Task b = MakeTask(now_, "lowest", {a.task_id}, "all-completed");
  Task c = MakeTask(now_, "lowest", {a.task_id}, "all-resolved");
  ASSERT_TRUE(store_->CreateTask(b, now_, kNoDeadline).ok());
  ASSERT_TRUE(store_->CreateTask(c, now_, kNoDeadline).ok());
  EXPECT_EQ(store_->GetTask(b.task_id, kNoDeadline)->state(), std::nullopt);
  ASSERT_EQ(
      store_->Claim("prov/wt", "wg", "w", 5, now_, now_ + absl::Minutes(20), kNoDeadline)->size(),
      1u);
  ASSERT_TRUE(
      store_->Resolve(a.task_id, 0, {RunState::kFailed, ReasonResolved::kFailed}, now_, kNoDeadline)
          .ok());
  // A failed: the all-completed dependent waits (until its deadline), all-resolved runs.
  EXPECT_EQ(store_->GetTask(b.task_id, kNoDeadline)->state(), std::nullopt);
  EXPECT_EQ(store_->GetTask(c.task_id, kNoDeadline)->state(), RunState::kPending);

  Task d = MakeTask(now_);
  ASSERT_TRUE(store_->CreateTask(d, now_, kNoDeadline).ok());
  Task e = MakeTask(now_, "lowest", {d.task_id, c.task_id}, "all-completed");
  ASSERT_TRUE(store_->CreateTask(e, now_, kNoDeadline).ok());
  auto claimed =
      store_->Claim("prov/wt", "wg", "w", 5, now_, now_ + absl::Minutes(20), kNoDeadline);
  ASSERT_EQ(claimed->size(), 2u);  // c and d
  ASSERT_TRUE(store_
                  ->Resolve(d.task_id, 0, {RunState::kCompleted, ReasonResolved::kCompleted}, now_,
                            kNoDeadline)
                  .ok());
  EXPECT_EQ(store_->GetTask(e.task_id, kNoDeadline)->state(), std::nullopt);
  ASSERT_TRUE(store_
                  ->Resolve(c.task_id, 0, {RunState::kCompleted, ReasonResolved::kCompleted}, now_,
                            kNoDeadline)
                  .ok());
  EXPECT_EQ(store_->GetTask(e.task_id, kNoDeadline)->state(), RunState::kPending);
  // Created after its dependency completed: scheduled at once.
  Task f = MakeTask(now_, "lowest", {d.task_id});
  EXPECT_EQ(store_->CreateTask(f, now_, kNoDeadline)->task.state(), RunState::kPending);
}

TEST_P(QueueStoreConformanceTest, ReclaimExtendsOnlyTheRunningRun) {
  Task t = MakeTask(now_);
  ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  EXPECT_EQ(store_->Reclaim(t.task_id, 0, now_, now_ + absl::Hours(1), kNoDeadline).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline)->size(),
      1u);
  auto task = store_->Reclaim(t.task_id, 0, now_, now_ + absl::Minutes(40), kNoDeadline);
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->runs[0].taken_until, now_ + absl::Minutes(40));
  EXPECT_EQ(
      store_->Reclaim(t.task_id, 0, now_ + absl::Hours(25), now_ + absl::Hours(26), kNoDeadline)
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);  // past the deadline
}

TEST_P(QueueStoreConformanceTest, SweepsExpiredClaimsAndDeadlines) {
  Task t = MakeTask(now_);
  Task waiting = MakeTask(now_, "lowest", {t.task_id});
  ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  ASSERT_TRUE(store_->CreateTask(waiting, now_, kNoDeadline).ok());
  ASSERT_EQ(
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline)->size(),
      1u);
  EXPECT_EQ(*store_->ExpireClaims(now_ + absl::Minutes(10), kNoDeadline), 0);
  EXPECT_EQ(*store_->ExpireClaims(now_ + absl::Minutes(21), kNoDeadline), 1);
  auto task = store_->GetTask(t.task_id, kNoDeadline);
  ASSERT_EQ(task->runs.size(), 2u);
  EXPECT_EQ(task->runs[0].reason_resolved, ReasonResolved::kClaimExpired);
  EXPECT_EQ(task->runs[1].state, RunState::kPending);

  absl::Time late = now_ + absl::Hours(25);
  EXPECT_EQ(*store_->ExpireDeadlines(late, kNoDeadline), 2);
  task = store_->GetTask(t.task_id, kNoDeadline);
  EXPECT_EQ(task->runs.back().reason_resolved, ReasonResolved::kDeadlineExceeded);
  auto never_ran = store_->GetTask(waiting.task_id, kNoDeadline);
  ASSERT_EQ(never_ran->runs.size(), 1u);
  EXPECT_EQ(never_ran->runs[0].state, RunState::kException);
  EXPECT_EQ(never_ran->runs[0].reason_resolved, ReasonResolved::kDeadlineExceeded);
  EXPECT_TRUE(store_->Claim("prov/wt", "wg", "w", 5, late, late, kNoDeadline)->empty());
  EXPECT_EQ(*store_->ExpireDeadlines(late, kNoDeadline), 0);
}

TEST_P(QueueStoreConformanceTest, ArtifactsRoundTripAndNeverChange) {
  Task t = MakeTask(now_);
  ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  Artifact a{t.task_id, 0,      "public/chain-of-trust.json", "application/json",
             4,         "ab12", now_ + absl::Hours(1),        {}};
  EXPECT_EQ(store_->PutArtifact(a, "body", now_, kNoDeadline).status().code(),
            absl::StatusCode::kFailedPrecondition);  // not running yet
  ASSERT_EQ(
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline)->size(),
      1u);
  auto stored = store_->PutArtifact(a, "body", now_, kNoDeadline);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->created, now_);
  EXPECT_TRUE(store_->PutArtifact(a, "body", now_, kNoDeadline).ok());  // identical again
  Artifact changed = a;
  changed.sha256 = "cd34";
  EXPECT_EQ(store_->PutArtifact(changed, "evil", now_, kNoDeadline).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto got = store_->GetArtifact(t.task_id, 0, a.name, kNoDeadline);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->second, "body");
  EXPECT_EQ(got->first.sha256, "ab12");
  Artifact b = a;
  b.name = "public/build/app.tar";
  b.sha256 = "ef56";
  ASSERT_TRUE(store_->PutArtifact(b, std::string("\0bin\xff", 5), now_, kNoDeadline).ok());
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, b.name, kNoDeadline)->second,
            std::string("\0bin\xff", 5));
  auto list = store_->ListArtifacts(t.task_id, 0, "", 10, kNoDeadline);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "public/build/app.tar");
  EXPECT_EQ(store_->ListArtifacts(t.task_id, 0, (*list)[0].name, 10, kNoDeadline)->size(), 1u);
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, "missing", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  // After an exception, artifacts may still be added for a while (the worker's logs).
  ASSERT_TRUE(store_
                  ->Resolve(t.task_id, 0, {RunState::kException, ReasonResolved::kMalformedPayload},
                            now_, kNoDeadline)
                  .ok());
  Artifact log = a;
  log.name = "public/logs/live.log";
  log.sha256 = "0123";
  EXPECT_TRUE(store_->PutArtifact(log, "log", now_ + absl::Minutes(5), kNoDeadline).ok());
  log.name = "public/logs/late.log";
  EXPECT_EQ(store_->PutArtifact(log, "log", now_ + absl::Minutes(30), kNoDeadline).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(QueueStoreConformanceTest, ConcurrentClaimersNeverShareARun) {
  std::set<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    Task t = MakeTask(now_);
    ids.insert(t.task_id);
    ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  }
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 30; ++i) {
        auto claimed = store_->Claim("prov/wt", "wg", absl::StrCat("w", w), 3, now_,
                                     now_ + absl::Minutes(20), kNoDeadline);
        ASSERT_TRUE(claimed.ok()) << claimed.status();
        for (const ClaimedRun& c : *claimed) got[w].push_back(c.task.task_id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::multiset<std::string> all;
  for (const auto& g : got) all.insert(g.begin(), g.end());
  EXPECT_EQ(all.size(), 40u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), ids);
}

}  // namespace bulwark::queue

namespace bulwark::queue {

TEST_P(QueueStoreConformanceTest, ADependentCreatedWhileItsDependencyResolvesIsScheduled) {
  for (int i = 0; i < 40; ++i) {
    Task a = MakeTask(now_);
    a.definition.set_task_queue_id("race/a");
    ASSERT_TRUE(store_->CreateTask(a, now_, kNoDeadline).ok());
    ASSERT_EQ(
        store_->Claim("race/a", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline)->size(),
        1u);
    Task b = MakeTask(now_, "lowest", {a.task_id});
    std::thread resolve([&] {
      EXPECT_TRUE(store_
                      ->Resolve(a.task_id, 0, {RunState::kCompleted, ReasonResolved::kCompleted},
                                now_, kNoDeadline)
                      .ok());
    });
    std::thread create([&] { EXPECT_TRUE(store_->CreateTask(b, now_, kNoDeadline).ok()); });
    resolve.join();
    create.join();
    EXPECT_EQ(store_->GetTask(b.task_id, kNoDeadline)->state(), RunState::kPending)
        << "iteration " << i;
  }
}

}  // namespace bulwark::queue
