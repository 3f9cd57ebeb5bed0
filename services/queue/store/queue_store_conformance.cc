#include "services/queue/store/queue_store_conformance.h"

#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"
#include "libraries/testing/pseudo_random_bytes.h"

namespace bulwark::queue {
namespace {

const absl::Time kNoDeadline = absl::InfiniteFuture();

Task MakeTask(absl::Time now, const std::string& priority = "lowest",
              const std::vector<std::string>& deps = {},
              const std::string& requires = "all-completed", int retries = 1) {
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

std::string HexSha256(const std::string& content) {
  return absl::BytesToHexString(crypto::Sha256(content));
}

Artifact ArtifactOf(const Task& t, int run_id, const std::string& name, const std::string& content,
                    absl::Time now) {
  return Artifact{t.task_id,
                  run_id,
                  name,
                  "application/octet-stream",
                  static_cast<int64_t>(content.size()),
                  HexSha256(content),
                  now + absl::Hours(1),
                  {}};
}

absl::StatusOr<Artifact> Upload(QueueStore& store, const Artifact& a, const std::string& content,
                                absl::Time now, size_t chunk_bytes) {
  absl::StatusOr<std::string> id = store.BeginUpload(a.task_id, a.run_id, a.name, now, kNoDeadline);
  if (!id.ok()) return id.status();
  // Two pieces per call where there are two.
  std::vector<absl::string_view> pieces;
  for (size_t at = 0; at < content.size(); at += chunk_bytes) {
    pieces.push_back(absl::string_view(content).substr(at, chunk_bytes));
  }
  for (size_t i = 0; i < pieces.size(); i += 2) {
    std::vector<absl::string_view> batch(pieces.begin() + i,
                                         pieces.begin() + std::min(i + 2, pieces.size()));
    absl::Status s = store.AppendUpload(*id, static_cast<int>(i), batch, now, kNoDeadline);
    if (!s.ok()) return s;
  }
  return store.FinishUpload(*id, a, now, kNoDeadline, nullptr);
}

std::string ReadAll(QueueStore& store, const std::string& task_id, int run_id,
                    const std::string& name) {
  std::string out;
  for (int first = 0;; first += 2) {
    absl::StatusOr<std::vector<std::string>> chunks =
        store.ReadArtifactChunks(task_id, run_id, name, first, 2, kNoDeadline);
    if (!chunks.ok()) {
      ADD_FAILURE() << chunks.status();
      return out;
    }
    for (const std::string& c : *chunks) {
      EXPECT_GE(c.size(), 1u);
      EXPECT_LE(static_cast<int64_t>(c.size()), kMaxChunkBytes);
      out += c;
    }
    if (chunks->size() < 2) return out;
  }
}

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
  auto claimed = store_->Claim("prov/wt", "wg", "w1", 2, now_, until, kNoDeadline, nullptr);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].task.task_id, high.task_id);
  EXPECT_EQ((*claimed)[1].task.task_id, low.task_id);
  const queue::Run& run = (*claimed)[0].task.runs[0];
  EXPECT_EQ(run.state, RunState::kRunning);
  EXPECT_EQ(run.worker_id, "w1");
  EXPECT_EQ(run.taken_until, until);
  auto rest = store_->Claim("prov/wt", "wg", "w2", 5, now_, until, kNoDeadline, nullptr);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].task.task_id, low2.task_id);
  EXPECT_TRUE(store_->Claim("prov/wt", "wg", "w2", 5, now_, until, kNoDeadline, nullptr)->empty());
  EXPECT_TRUE(
      store_->Claim("other/queue", "wg", "w2", 5, now_, until, kNoDeadline, nullptr)->empty());
}

// Issue 14 item 3: a claim for a caller that has gone (ClaimWork cancelled, e.g. the worker
// gave up on a frozen database) commits nothing; the run stays pending for the next worker.
TEST_P(QueueStoreConformanceTest, AClaimForACallerThatHasGoneClaimsNothing) {
  Task t = MakeTask(now_, "low");
  ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  absl::Time until = now_ + absl::Minutes(20);
  int asked = 0;
  auto gone = store_->Claim("prov/wt", "wg", "w1", 1, now_, until, kNoDeadline, [&] {
    ++asked;
    return true;
  });
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kCancelled) << gone.status();
  EXPECT_GE(asked, 1);
  auto claimed =
      store_->Claim("prov/wt", "wg", "w2", 1, now_, until, kNoDeadline, [] { return false; });
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].task.task_id, t.task_id);
  EXPECT_EQ((*claimed)[0].task.runs[0].worker_id, "w2");
}

TEST_P(QueueStoreConformanceTest, ResolveRetryAndIdempotency) {
  Task t = MakeTask(now_, "lowest", {}, "all-completed", /*retries=*/1);
  ASSERT_TRUE(store_->CreateTask(t, now_, kNoDeadline).ok());
  ASSERT_EQ(
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
          ->size(),
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
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
          ->size(),
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
      store_->Claim("prov/wt", "wg", "w", 5, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
          ->size(),
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
      store_->Claim("prov/wt", "wg", "w", 5, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr);
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
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
          ->size(),
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
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
          ->size(),
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
  EXPECT_TRUE(store_->Claim("prov/wt", "wg", "w", 5, late, late, kNoDeadline, nullptr)->empty());
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
      store_->Claim("prov/wt", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
          ->size(),
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
  EXPECT_EQ(got->sha256, "ab12");
  EXPECT_EQ(got->size, 4);
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, a.name), "body");
  Artifact b = a;
  b.name = "public/build/app.tar";
  b.sha256 = "ef56";
  ASSERT_TRUE(store_->PutArtifact(b, std::string("\0bin\xff", 5), now_, kNoDeadline).ok());
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, b.name), std::string("\0bin\xff", 5));
  auto list = store_->ListArtifacts(t.task_id, 0, "", 10, kNoDeadline);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "public/build/app.tar");
  EXPECT_EQ(store_->ListArtifacts(t.task_id, 0, (*list)[0].name, 10, kNoDeadline)->size(), 1u);
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, "missing", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ReadArtifactChunks(t.task_id, 0, "missing", 0, 1, kNoDeadline).status().code(),
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
                                     now_ + absl::Minutes(20), kNoDeadline, nullptr);
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
        store_->Claim("race/a", "wg", "w", 1, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
            ->size(),
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

namespace bulwark::queue {
namespace {

// A task whose run 0 is running (claimed by worker w), on its own queue.
Task RunningTask(QueueStore& store, absl::Time now) {
  Task t = MakeTask(now);
  t.definition.set_task_queue_id("art/" + t.task_id);
  EXPECT_TRUE(store.CreateTask(t, now, kNoDeadline).ok());
  auto claimed = store.Claim(t.definition.task_queue_id(), "wg", "w", 1, now,
                             now + absl::Minutes(20), kNoDeadline, nullptr);
  EXPECT_TRUE(claimed.ok() && claimed->size() == 1u);
  return t;
}

}  // namespace

TEST_P(QueueStoreConformanceTest, ContentIsKeptAndReadInChunks) {
  Task t = RunningTask(*store_, now_);
  std::string big = testing::PseudoRandomBytes(2 * kMaxChunkBytes + kMaxChunkBytes / 2 + 1, 1);
  Artifact a = ArtifactOf(t, 0, "public/big.bin", big, now_);
  ASSERT_TRUE(store_->PutArtifact(a, big, now_, kNoDeadline).ok());
  auto all = store_->ReadArtifactChunks(t.task_id, 0, a.name, 0, 10, kNoDeadline);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(static_cast<int64_t>((*all)[0].size()), kMaxChunkBytes);
  EXPECT_EQ(static_cast<int64_t>((*all)[1].size()), kMaxChunkBytes);
  EXPECT_EQ(static_cast<int64_t>((*all)[2].size()), kMaxChunkBytes / 2 + 1);
  // A window of the content, and past its end.
  auto second = store_->ReadArtifactChunks(t.task_id, 0, a.name, 1, 1, kNoDeadline);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0], big.substr(kMaxChunkBytes, kMaxChunkBytes));
  EXPECT_TRUE(store_->ReadArtifactChunks(t.task_id, 0, a.name, 3, 5, kNoDeadline)->empty());
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, a.name), big);
  EXPECT_EQ(store_->ReadArtifactChunks(t.task_id, 0, a.name, -1, 1, kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ReadArtifactChunks(t.task_id, 0, a.name, 0, 0, kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Empty content has no chunks.
  Artifact empty = ArtifactOf(t, 0, "public/empty", "", now_);
  ASSERT_TRUE(store_->PutArtifact(empty, "", now_, kNoDeadline).ok());
  EXPECT_TRUE(store_->ReadArtifactChunks(t.task_id, 0, empty.name, 0, 4, kNoDeadline)->empty());
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, empty.name, kNoDeadline)->size, 0);
}

TEST_P(QueueStoreConformanceTest, AnUploadBecomesAnArtifactOnlyWhenFinished) {
  Task t = RunningTask(*store_, now_);
  std::string content = testing::PseudoRandomBytes(2 * kMaxChunkBytes + 10, 2);
  Artifact a = ArtifactOf(t, 0, "public/build/app.tar", content, now_);
  auto id = store_->BeginUpload(t.task_id, 0, a.name, now_, kNoDeadline);
  ASSERT_TRUE(id.ok()) << id.status();
  absl::string_view view(content);
  ASSERT_TRUE(
      store_->AppendUpload(*id, 0, {view.substr(0, kMaxChunkBytes)}, now_, kNoDeadline).ok());
  ASSERT_TRUE(
      store_->AppendUpload(*id, 1, {view.substr(kMaxChunkBytes, kMaxChunkBytes)}, now_, kNoDeadline)
          .ok());
  ASSERT_TRUE(
      store_->AppendUpload(*id, 2, {view.substr(2 * kMaxChunkBytes)}, now_, kNoDeadline).ok());
  // Staged content is no artifact yet.
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, a.name, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListArtifacts(t.task_id, 0, "", 10, kNoDeadline)->empty());
  auto stored = store_->FinishUpload(*id, a, now_ + absl::Seconds(1), kNoDeadline, nullptr);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->size, static_cast<int64_t>(content.size()));
  EXPECT_EQ(stored->sha256, a.sha256);
  EXPECT_EQ(stored->created, now_ + absl::Seconds(1));
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, a.name), content);
  auto listed = store_->ListArtifacts(t.task_id, 0, "", 10, kNoDeadline);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].sha256, a.sha256);
  // The upload is consumed.
  EXPECT_EQ(store_->AppendUpload(*id, 3, {"x"}, now_, kNoDeadline).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FinishUpload(*id, a, now_, kNoDeadline, nullptr).status().code(),
            absl::StatusCode::kNotFound);
  // Small client pieces are kept as they came; reading still yields the content.
  std::string pieces = testing::PseudoRandomBytes(5000, 3);
  Artifact p = ArtifactOf(t, 0, "public/pieces.txt", pieces, now_);
  ASSERT_TRUE(Upload(*store_, p, pieces, now_, 1000).ok());
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, p.name), pieces);
  // An empty upload is an empty artifact.
  Artifact e = ArtifactOf(t, 0, "public/empty", "", now_);
  ASSERT_TRUE(Upload(*store_, e, "", now_).ok());
  EXPECT_TRUE(store_->ReadArtifactChunks(t.task_id, 0, e.name, 0, 1, kNoDeadline)->empty());
}

TEST_P(QueueStoreConformanceTest, UploadsRefuseWhatTheyCannotTake) {
  Task waiting = MakeTask(now_);
  waiting.definition.set_task_queue_id("art/waiting");
  ASSERT_TRUE(store_->CreateTask(waiting, now_, kNoDeadline).ok());
  EXPECT_EQ(store_->BeginUpload(waiting.task_id, 0, "public/x", now_, kNoDeadline).status().code(),
            absl::StatusCode::kFailedPrecondition);  // not running
  EXPECT_EQ(store_->BeginUpload(waiting.task_id, 3, "public/x", now_, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);  // no such run
  EXPECT_EQ(store_->BeginUpload("AAAAAAAAQAAAAAAAAAAAAA", 0, "public/x", now_, kNoDeadline)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  Task t = RunningTask(*store_, now_);
  auto id = store_->BeginUpload(t.task_id, 0, "public/x", now_, kNoDeadline);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(store_->AppendUpload(*id, 0, {""}, now_, kNoDeadline).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AppendUpload(*id, 0, {}, now_, kNoDeadline).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AppendUpload(*id, 0, {"ok", ""}, now_, kNoDeadline).code(),
            absl::StatusCode::kInvalidArgument);  // nothing of a refused batch is staged
  EXPECT_EQ(store_->AppendUpload(*id, 0, {std::string(kMaxChunkBytes + 1, 'x')}, now_, kNoDeadline)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AppendUpload(*id, 1, {"late"}, now_, kNoDeadline).code(),
            absl::StatusCode::kFailedPrecondition);  // chunk 0 comes first
  ASSERT_TRUE(store_->AppendUpload(*id, 0, {"a", "b"}, now_, kNoDeadline).ok());
  EXPECT_EQ(store_->AppendUpload(*id, 1, {"b"}, now_, kNoDeadline).code(),
            absl::StatusCode::kFailedPrecondition);  // no chunk twice
  ASSERT_TRUE(store_->AppendUpload(*id, 2, {"c"}, now_, kNoDeadline).ok());
  Artifact wrong_size = ArtifactOf(t, 0, "public/x", "abcd", now_);
  EXPECT_EQ(store_->FinishUpload(*id, wrong_size, now_, kNoDeadline, nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Artifact wrong_name = ArtifactOf(t, 0, "public/y", "abc", now_);
  EXPECT_EQ(store_->FinishUpload(*id, wrong_name, now_, kNoDeadline, nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, "public/y", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  // Nothing changed: the right artifact still finishes it.
  auto stored = store_->FinishUpload(*id, ArtifactOf(t, 0, "public/x", "abc", now_), now_,
                                     kNoDeadline, nullptr);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, "public/x"), "abc");
}

TEST_P(QueueStoreConformanceTest, ABrokenUploadLeavesNoArtifact) {
  Task t = RunningTask(*store_, now_);
  std::string content = testing::PseudoRandomBytes(kMaxChunkBytes + 5, 4);
  Artifact a = ArtifactOf(t, 0, "public/broken.bin", content, now_);
  // Aborted after a chunk.
  auto id = store_->BeginUpload(t.task_id, 0, a.name, now_, kNoDeadline);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(
      store_->AppendUpload(*id, 0, {content.substr(0, kMaxChunkBytes)}, now_, kNoDeadline).ok());
  ASSERT_TRUE(store_->AbortUpload(*id, kNoDeadline).ok());
  ASSERT_TRUE(store_->AbortUpload(*id, kNoDeadline).ok());  // gone already: fine
  EXPECT_EQ(store_->AppendUpload(*id, 1, {"x"}, now_, kNoDeadline).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, a.name, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  // The caller went away just before the finish: nothing is stored, the upload stays staged.
  id = store_->BeginUpload(t.task_id, 0, a.name, now_, kNoDeadline);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(
      store_->AppendUpload(*id, 0, {content.substr(0, kMaxChunkBytes)}, now_, kNoDeadline).ok());
  ASSERT_TRUE(
      store_->AppendUpload(*id, 1, {content.substr(kMaxChunkBytes)}, now_, kNoDeadline).ok());
  auto cancelled = store_->FinishUpload(*id, a, now_, kNoDeadline, [] { return true; });
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, a.name, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListArtifacts(t.task_id, 0, "", 10, kNoDeadline)->empty());
  // Left alone, it is purged once idle; an upload still receiving chunks is not.
  auto active = store_->BeginUpload(t.task_id, 0, "public/active.bin", now_, kNoDeadline);
  ASSERT_TRUE(active.ok());
  absl::Time later = now_ + absl::Minutes(30);
  ASSERT_TRUE(store_->AppendUpload(*active, 0, {"still here"}, later, kNoDeadline).ok());
  auto purged = store_->PurgeUploads(now_ + absl::Minutes(10), kNoDeadline);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(store_->FinishUpload(*id, a, later, kNoDeadline, nullptr).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->AppendUpload(*active, 1, {"more"}, later, kNoDeadline).ok());
  EXPECT_EQ(*store_->PurgeUploads(now_ + absl::Minutes(10), kNoDeadline), 0);
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, a.name, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(QueueStoreConformanceTest, FinishingChecksTheRunIsStillWritable) {
  Task t = RunningTask(*store_, now_);
  Artifact a = ArtifactOf(t, 0, "public/late.txt", "late", now_);
  auto id = store_->BeginUpload(t.task_id, 0, a.name, now_, kNoDeadline);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->AppendUpload(*id, 0, {"late"}, now_, kNoDeadline).ok());
  ASSERT_TRUE(store_
                  ->Resolve(t.task_id, 0, {RunState::kCompleted, ReasonResolved::kCompleted}, now_,
                            kNoDeadline)
                  .ok());
  EXPECT_EQ(store_->FinishUpload(*id, a, now_, kNoDeadline, nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetArtifact(t.task_id, 0, a.name, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      store_->BeginUpload(t.task_id, 0, "public/later.txt", now_, kNoDeadline).status().code(),
      absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->AbortUpload(*id, kNoDeadline).ok());
  // After an exception, uploads may still finish during the grace period (the worker's logs).
  Task e = RunningTask(*store_, now_);
  Artifact log = ArtifactOf(e, 0, "public/logs/live_backing.log", "log", now_);
  id = store_->BeginUpload(e.task_id, 0, log.name, now_, kNoDeadline);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->AppendUpload(*id, 0, {"log"}, now_, kNoDeadline).ok());
  ASSERT_TRUE(store_
                  ->Resolve(e.task_id, 0, {RunState::kException, ReasonResolved::kMalformedPayload},
                            now_, kNoDeadline)
                  .ok());
  EXPECT_TRUE(store_->FinishUpload(*id, log, now_ + absl::Minutes(5), kNoDeadline, nullptr).ok());
}

TEST_P(QueueStoreConformanceTest, TheSameContentTwiceIsIdempotentOtherContentAlreadyExists) {
  Task t = RunningTask(*store_, now_);
  std::string content = testing::PseudoRandomBytes(kMaxChunkBytes + 100, 5);
  Artifact a = ArtifactOf(t, 0, "public/out.bin", content, now_);
  auto first = Upload(*store_, a, content, now_);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = Upload(*store_, a, content, now_ + absl::Minutes(1));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->created, first->created);  // the stored one
  std::string other = testing::PseudoRandomBytes(kMaxChunkBytes + 100, 6);
  EXPECT_EQ(Upload(*store_, ArtifactOf(t, 0, a.name, other, now_), other, now_).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, a.name), content);
  // Whole and streamed artifacts meet: the same content under another name, either way.
  EXPECT_TRUE(store_->PutArtifact(a, content, now_, kNoDeadline).ok());
  Artifact copy = ArtifactOf(t, 0, "public/copy.bin", content, now_);
  ASSERT_TRUE(store_->PutArtifact(copy, content, now_, kNoDeadline).ok());
  Artifact streamed_copy = ArtifactOf(t, 0, "public/copy2.bin", content, now_);
  ASSERT_TRUE(Upload(*store_, streamed_copy, content, now_).ok());
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, copy.name), content);
  EXPECT_EQ(ReadAll(*store_, t.task_id, 0, streamed_copy.name), content);
  EXPECT_EQ(store_->ListArtifacts(t.task_id, 0, "", 10, kNoDeadline)->size(), 3u);
}

}  // namespace bulwark::queue

namespace bulwark::queue {
namespace {

// What the cancellation test compares: a task's runs as they stand.
std::string RunsOf(QueueStore& store, const std::string& task_id) {
  auto task = store.GetTask(task_id, kNoDeadline);
  if (!task.ok()) return std::string(task.status().ToString());
  std::string out;
  for (const Run& r : task->runs) {
    absl::StrAppend(&out, r.run_id, ":", static_cast<int>(r.state), ":", r.worker_id, ":",
                    absl::FormatTime(r.taken_until), ";");
  }
  return out;
}

}  // namespace

// Issue 14 item 3: every mutating method called for a caller that has gone (CallScope)
// returns CANCELLED and writes nothing.
TEST_P(QueueStoreConformanceTest, NothingIsWrittenForACallerWhoHasGone) {
  Task running = RunningTask(*store_, now_);
  Task pending = MakeTask(now_);
  ASSERT_TRUE(store_->CreateTask(pending, now_, kNoDeadline).ok());
  Artifact staged = ArtifactOf(running, 0, "public/staged.txt", "staged", now_);
  auto upload = store_->BeginUpload(running.task_id, 0, staged.name, now_, kNoDeadline);
  ASSERT_TRUE(upload.ok()) << upload.status();
  ASSERT_TRUE(store_->AppendUpload(*upload, 0, {"staged"}, now_, kNoDeadline).ok());
  std::string running_before = RunsOf(*store_, running.task_id);
  std::string pending_before = RunsOf(*store_, pending.task_id);

  Task fresh = MakeTask(now_);
  Artifact put = ArtifactOf(running, 0, "public/put.txt", "put", now_);
  struct Mutation {
    const char* name;
    std::function<absl::Status()> run;
  };
  std::vector<Mutation> mutations = {
      {"CreateTask", [&] { return store_->CreateTask(fresh, now_, kNoDeadline).status(); }},
      {"Claim",
       [&] {
         return store_
             ->Claim("prov/wt", "wg", "w2", 5, now_, now_ + absl::Minutes(20), kNoDeadline, nullptr)
             .status();
       }},
      {"Reclaim",
       [&] {
         return store_->Reclaim(running.task_id, 0, now_, now_ + absl::Hours(1), kNoDeadline)
             .status();
       }},
      {"Resolve",
       [&] {
         return store_
             ->Resolve(running.task_id, 0, {RunState::kCompleted, ReasonResolved::kCompleted}, now_,
                       kNoDeadline)
             .status();
       }},
      {"ExpireClaims",
       [&] { return store_->ExpireClaims(now_ + absl::Hours(2), kNoDeadline).status(); }},
      {"ExpireDeadlines",
       [&] { return store_->ExpireDeadlines(now_ + absl::Hours(25), kNoDeadline).status(); }},
      {"PutArtifact", [&] { return store_->PutArtifact(put, "put", now_, kNoDeadline).status(); }},
      {"BeginUpload",
       [&] {
         return store_->BeginUpload(running.task_id, 0, "public/other.txt", now_, kNoDeadline)
             .status();
       }},
      {"AppendUpload",
       [&] { return store_->AppendUpload(*upload, 1, {"more"}, now_, kNoDeadline); }},
      {"FinishUpload",
       [&] { return store_->FinishUpload(*upload, staged, now_, kNoDeadline, nullptr).status(); }},
      {"AbortUpload", [&] { return store_->AbortUpload(*upload, kNoDeadline); }},
      {"PurgeUploads",
       [&] { return store_->PurgeUploads(now_ + absl::Hours(1), kNoDeadline).status(); }},
  };
  for (const Mutation& m : mutations) {
    CallScope gone([] { return true; });
    absl::Status s = m.run();
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << m.name << ": " << s;
  }
  EXPECT_EQ(store_->GetTask(fresh.task_id, kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(RunsOf(*store_, running.task_id), running_before);
  EXPECT_EQ(RunsOf(*store_, pending.task_id), pending_before);
  auto artifacts = store_->ListArtifacts(running.task_id, 0, "", 100, kNoDeadline);
  ASSERT_TRUE(artifacts.ok()) << artifacts.status();
  EXPECT_TRUE(artifacts->empty());
  // The upload is as it was: neither aborted, purged, nor one chunk longer.
  CallScope present([] { return false; });
  auto finished = store_->FinishUpload(*upload, staged, now_, kNoDeadline, nullptr);
  EXPECT_TRUE(finished.ok()) << finished.status();
}

}  // namespace bulwark::queue
