#include "services/queue/service/queue_service.h"

#include <atomic>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "libraries/crypto/encoding.h"
#include "libraries/proto/timestamp.h"
#include "libraries/testing/pseudo_random_bytes.h"
#include "nlohmann/json.hpp"
#include "services/queue/service/test_tasks.h"
#include "services/queue/store/in_memory_queue_store.h"

namespace bulwark::queue {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

class QueueServiceTest : public ::testing::Test {
 protected:
  QueueServiceTest()
      : clock_(absl::Now()), service_(options_, store_, TestIssuer(), clock_, random_) {}

  // NewTaskRequest at high priority, with `task_scopes`.
  v1::CreateTaskRequest Request(const std::vector<std::string>& task_scopes = {}) {
    v1::CreateTaskRequest r = NewTaskRequest(random_, clock_.Now());
    r.mutable_task()->set_priority("high");
    for (auto& s : task_scopes) r.mutable_task()->add_scopes(s);
    return r;
  }

  QueueService::Options options_;
  SimulatedClock clock_;
  SeededRandom random_{5};
  InMemoryQueueStore store_;
  QueueService service_;
  Caller root_{"static/bulwark/root", {"*"}};
  Caller worker_{"worker", {"queue:claim-work:proj/linux", "queue:worker-id:wg/w1"}};
};

TEST_F(QueueServiceTest, CreateNeedsEveryScopeTheTaskWouldHave) {
  Caller dev{"dev",
             {"queue:create-task:high:proj/linux", "queue:scheduler-id:-",
              "queue:create-task:project:none"}};
  EXPECT_TRUE(service_.CreateTask(dev, Request(), kForever).ok());
  absl::Status s = service_.CreateTask(dev, Request({"secrets:get:prod"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("secrets:get:prod"), std::string::npos) << s;
  EXPECT_NE(s.message().find("client 'dev'"), std::string::npos) << s;
  // A lower priority scope does not allow a higher priority.
  Caller low{"low",
             {"queue:create-task:low:proj/linux", "queue:scheduler-id:-",
              "queue:create-task:project:none"}};
  s = service_.CreateTask(low, Request(), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("queue:create-task:high:proj/linux"), std::string::npos) << s;
}

TEST_F(QueueServiceTest, RecordsTheCreatorAndIsIdempotent) {
  Caller hooks{"static/bulwark/hooks", {"*"}, absl::InfiniteFuture(), {"assume:hook-id:g/h"}};
  v1::CreateTaskRequest request = Request();
  auto created = service_.CreateTask(hooks, request, kForever);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->status().state(), v1::TASK_STATE_PENDING);
  auto creator = service_.GetTaskCreator(root_, request.task_id(), kForever);
  ASSERT_TRUE(creator.ok());
  EXPECT_EQ(creator->client_id(), "static/bulwark/hooks");
  ASSERT_EQ(creator->authorized_scopes_size(), 1);
  EXPECT_EQ(creator->authorized_scopes(0), "assume:hook-id:g/h");
  EXPECT_TRUE(service_.CreateTask(root_, request, kForever).ok());  // identical: fine
  request.mutable_task()->set_priority("low");
  EXPECT_EQ(service_.CreateTask(root_, request, kForever).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto stored = service_.GetTask(root_, request.task_id(), kForever);
  EXPECT_EQ(stored->priority(), "high");
  v1::CreateTaskRequest stale = Request();
  *stale.mutable_task()->mutable_created() = ToProtoTimestamp(clock_.Now() - absl::Hours(1));
  EXPECT_EQ(service_.CreateTask(root_, stale, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_.GetTask(stale.task_id(), kForever).status().code(),
            absl::StatusCode::kNotFound);  // nothing half-written
}

TEST_F(QueueServiceTest, ClaimsComeWithRunScopedCredentials) {
  v1::CreateTaskRequest request = Request({"secrets:get:x"});
  ASSERT_TRUE(service_.CreateTask(root_, request, kForever).ok());
  v1::ClaimWorkRequest claim = ClaimRequest(4);
  auto claimed = service_.ClaimWork(worker_, claim, nullptr);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->tasks_size(), 1);
  const v1::TaskClaim& c = claimed->tasks(0);
  EXPECT_EQ(c.task_id(), request.task_id());
  EXPECT_EQ(c.status().state(), v1::TASK_STATE_RUNNING);
  std::string run_ref = request.task_id() + "/0";
  EXPECT_EQ(c.credentials().client_id().rfind("task-client/" + run_ref + "/on/wg/w1/until/", 0), 0u)
      << c.credentials().client_id();
  nlohmann::json cert = nlohmann::json::parse(c.credentials().certificate());
  EXPECT_EQ(cert["issuer"], "static/bulwark/queue");
  EXPECT_EQ(cert["scopes"],
            nlohmann::json({"secrets:get:x", "queue:reclaim-task:" + run_ref,
                            "queue:resolve-task:" + run_ref, "queue:create-artifact:" + run_ref}));
  EXPECT_EQ(cert["expiry"].get<int64_t>(), absl::ToUnixMillis(FromProtoTimestamp(c.taken_until())));
  // Another worker identity needs its own scopes.
  claim.set_worker_id("w2");
  EXPECT_EQ(service_.ClaimWork(worker_, claim, nullptr).status().code(),
            absl::StatusCode::kPermissionDenied);
  claim.set_tasks(0);
  EXPECT_EQ(service_.ClaimWork(worker_, claim, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QueueServiceTest, ClaimWorkWaitsBoundedAndWakesForNewWork) {
  v1::ClaimWorkRequest claim = ClaimRequest();
  claim.set_wait_seconds(1);
  absl::Time start = absl::Now();
  auto empty = service_.ClaimWork(worker_, claim, nullptr);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->tasks_size(), 0);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900));
  claim.set_wait_seconds(21);
  EXPECT_EQ(service_.ClaimWork(worker_, claim, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A waiting claimer gets a task created meanwhile.
  claim.set_wait_seconds(10);
  std::thread creator([&] {
    ASSERT_TRUE(service_.AwaitWaitingClaims(1, absl::Seconds(5)));
    ASSERT_TRUE(service_.CreateTask(root_, Request(), kForever).ok());
  });
  auto got = service_.ClaimWork(worker_, claim, nullptr);
  creator.join();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tasks_size(), 1);
}

TEST_F(QueueServiceTest, LongPollsCannotTakeEveryThread) {
  QueueService::Options options;
  options.max_waiting_claims = 2;
  QueueService service(options, store_, TestIssuer(), clock_, random_);
  v1::ClaimWorkRequest claim = ClaimRequest();
  claim.set_wait_seconds(20);
  std::atomic<bool> stop{false};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&] {
      auto r = service.ClaimWork(worker_, claim, [&] { return stop.load(); });
      EXPECT_TRUE(r.ok()) << r.status();
    });
  }
  ASSERT_TRUE(service.AwaitWaitingClaims(2, absl::Seconds(10)));
  // A third long poll does not wait: nothing to hand out, so RESOURCE_EXHAUSTED at once.
  absl::Time start = absl::Now();
  auto third = service.ClaimWork(worker_, claim, nullptr);
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted) << third.status();
  EXPECT_NE(third.status().message().find("retry"), std::string::npos);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  stop = true;
  for (auto& t : waiters) t.join();
  // The slots come back.
  stop = false;
  claim.set_wait_seconds(1);
  EXPECT_TRUE(service.ClaimWork(worker_, claim, nullptr).ok());
}

// Issue 14 item 6: at SIGTERM a waiting ClaimWork answers at once with an empty success, and
// later ones do not wait.
TEST_F(QueueServiceTest, ShutdownEndsWaitingClaimsWithAnEmptySuccess) {
  v1::ClaimWorkRequest claim = ClaimRequest();
  claim.set_wait_seconds(20);
  absl::Notification answered;
  absl::StatusOr<v1::ClaimWorkResponse> got;
  std::thread claimer([&] {
    got = service_.ClaimWork(worker_, claim, nullptr);
    answered.Notify();
  });
  ASSERT_TRUE(service_.AwaitWaitingClaims(1, absl::Seconds(5)));
  service_.BeginShutdown();
  bool in_time = answered.WaitForNotificationWithTimeout(absl::Seconds(10));
  claimer.join();
  ASSERT_TRUE(in_time) << "a long-poll kept waiting after shutdown began";
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->tasks_size(), 0);
  // A claim arriving during the lame-duck period looks once and answers without waiting.
  absl::Notification second;
  std::thread late([&] {
    got = service_.ClaimWork(worker_, claim, nullptr);
    second.Notify();
  });
  in_time = second.WaitForNotificationWithTimeout(absl::Seconds(10));
  late.join();
  ASSERT_TRUE(in_time);
  ASSERT_TRUE(got.ok()) << got.status();
}

TEST_F(QueueServiceTest, ReportsNeedRunScopesAndRetryAsTheReferenceSays) {
  v1::CreateTaskRequest request = Request();
  request.mutable_task()->set_retries(1);
  absl::Status claimed = CreateAndClaim(service_, root_, worker_, request);
  ASSERT_TRUE(claimed.ok()) << claimed;
  const std::string& id = request.task_id();
  EXPECT_EQ(
      service_
          .Report(worker_, id, 0, RunState::kCompleted, v1::EXCEPTION_REASON_UNSPECIFIED, kForever)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
  Caller run0{"task-client",
              {"queue:resolve-task:" + id + "/0", "queue:resolve-task:" + id + "/1"}};
  EXPECT_EQ(
      service_
          .Report(run0, id, 0, RunState::kException, v1::EXCEPTION_REASON_CLAIM_EXPIRED, kForever)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);  // a queue-only reason
  auto status = service_.Report(run0, id, 0, RunState::kException,
                                v1::EXCEPTION_REASON_WORKER_SHUTDOWN, kForever);
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_EQ(status->runs_size(), 2);
  EXPECT_EQ(status->runs(1).reason_created(), "retry");
  EXPECT_EQ(status->state(), v1::TASK_STATE_PENDING);
  ASSERT_EQ(service_.ClaimWork(worker_, ClaimRequest(), nullptr)->tasks_size(), 1);
  status =
      service_.Report(run0, id, 1, RunState::kFailed, v1::EXCEPTION_REASON_UNSPECIFIED, kForever);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state(), v1::TASK_STATE_FAILED);
  EXPECT_EQ(
      service_.Report(run0, id, 1, RunState::kCompleted, v1::EXCEPTION_REASON_UNSPECIFIED, kForever)
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(QueueServiceTest, ArtifactsCarryHashesAndReadScopes) {
  v1::CreateTaskRequest request = Request();
  absl::Status claimed = CreateAndClaim(service_, root_, worker_, request);
  ASSERT_TRUE(claimed.ok()) << claimed;
  const std::string& id = request.task_id();
  Caller run{"task-client", {"queue:create-artifact:" + id + "/0"}};
  v1::CreateArtifactRequest put;
  put.set_task_id(id);
  put.set_run_id(0);
  put.set_name("public/logs/live.log");
  put.set_content("hello");
  auto artifact = service_.CreateArtifact(run, put, kForever);
  ASSERT_TRUE(artifact.ok()) << artifact.status();
  EXPECT_EQ(artifact->sha256(), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(artifact->content_type(), "application/octet-stream");
  Caller anonymous{"", {"queue:get-artifact:public/*"}};
  auto got = service_.GetArtifact(anonymous, id, std::nullopt, "public/logs/live.log", kForever);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->content(), "hello");
  put.set_name("private/secret.txt");
  ASSERT_TRUE(service_.CreateArtifact(run, put, kForever).ok());
  EXPECT_EQ(service_.GetArtifact(anonymous, id, 0, "private/secret.txt", kForever).status().code(),
            absl::StatusCode::kPermissionDenied);
  options_.max_artifact_bytes = 4;
  QueueService small(options_, store_, TestIssuer("q"), clock_, random_);
  put.set_name("public/big");
  EXPECT_EQ(small.CreateArtifact(run, put, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  put.set_name("/absolute");
  EXPECT_EQ(service_.CreateArtifact(run, put, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::queue

namespace bulwark::queue {
namespace {

// An upload stream from memory. `break_after`: the call breaks once that many messages were
// read; `break_at_commit`: it breaks only when asked just before the commit.
class MemoryUpload final : public UploadStream {
 public:
  explicit MemoryUpload(std::vector<v1::UploadArtifactRequest> messages)
      : messages_(std::move(messages)) {}
  bool Read(v1::UploadArtifactRequest* message) override {
    if (next_ >= messages_.size() || (break_after_ && next_ >= *break_after_)) return false;
    *message = messages_[next_++];
    return true;
  }
  bool Broken() override {
    ++broken_asked_;
    if (break_after_ && next_ >= *break_after_) return true;
    return break_at_commit_ && broken_asked_ >= 2;
  }
  size_t read() const { return next_; }
  std::optional<size_t> break_after_;
  bool break_at_commit_ = false;

 private:
  std::vector<v1::UploadArtifactRequest> messages_;
  size_t next_ = 0;
  int broken_asked_ = 0;
};

class MemoryDownload final : public DownloadStream {
 public:
  bool Write(const v1::DownloadArtifactResponse& message) override {
    if (fail_after_ && messages.size() >= *fail_after_) return false;
    messages.push_back(message);
    return true;
  }
  std::string Content() const {
    std::string out;
    for (const auto& m : messages) out += m.chunk();
    return out;
  }
  std::vector<v1::DownloadArtifactResponse> messages;
  std::optional<size_t> fail_after_;
};

std::string Sha256Hex(const std::string& s) { return absl::BytesToHexString(crypto::Sha256(s)); }

// Header and chunks of `piece` bytes each.
std::vector<v1::UploadArtifactRequest> UploadMessages(const v1::UploadArtifactHeader& header,
                                                      const std::string& content,
                                                      size_t piece = size_t{256} * 1024) {
  std::vector<v1::UploadArtifactRequest> out(1);
  *out[0].mutable_header() = header;
  for (size_t at = 0; at < content.size(); at += piece) {
    out.emplace_back().set_chunk(content.substr(at, piece));
  }
  return out;
}

class StreamingArtifactTest : public QueueServiceTest {
 protected:
  void SetUp() override {
    v1::CreateTaskRequest request = Request();
    task_id_ = request.task_id();
    absl::Status claimed = CreateAndClaim(service_, root_, worker_, request);
    ASSERT_TRUE(claimed.ok()) << claimed;
    run_ = Caller{"task-client", {"queue:create-artifact:" + task_id_ + "/0"}};
  }

  v1::UploadArtifactHeader Header(const std::string& name) { return UploadHeader(task_id_, name); }

  // Staged uploads still in the store (the purge counts them).
  int Staged() { return *store_.PurgeUploads(absl::InfiniteFuture(), kForever); }

  absl::StatusCode Stored(const std::string& name) {
    return store_.GetArtifact(task_id_, 0, name, kForever).status().code();
  }

  std::string task_id_;
  Caller run_;
  Caller reader_{"reader", {"queue:get-artifact:*"}};
};

// Forwards to an InMemoryQueueStore and records the deadline of every call.
class DeadlineRecordingStore final : public QueueStore {
 public:
  std::vector<absl::Time> deadlines;
  InMemoryQueueStore inner;

#define BULWARK_RECORD(call)     \
  deadlines.push_back(deadline); \
  return inner.call
  absl::StatusOr<CreateResult> CreateTask(const Task& t, absl::Time now,
                                          absl::Time deadline) override {
    BULWARK_RECORD(CreateTask(t, now, deadline));
  }
  absl::StatusOr<Task> GetTask(const std::string& id, absl::Time deadline) override {
    BULWARK_RECORD(GetTask(id, deadline));
  }
  absl::StatusOr<std::vector<Task>> ListTaskGroup(const std::string& g, const std::string& a, int l,
                                                  absl::Time deadline) override {
    BULWARK_RECORD(ListTaskGroup(g, a, l, deadline));
  }
  absl::StatusOr<std::vector<ClaimedRun>> Claim(const std::string& q, const std::string& g,
                                                const std::string& w, int m, absl::Time now,
                                                absl::Time until, absl::Time deadline,
                                                const std::function<bool()>& cancelled) override {
    BULWARK_RECORD(Claim(q, g, w, m, now, until, deadline, cancelled));
  }
  absl::StatusOr<Task> Reclaim(const std::string& id, int r, absl::Time now, absl::Time until,
                               absl::Time deadline) override {
    BULWARK_RECORD(Reclaim(id, r, now, until, deadline));
  }
  absl::StatusOr<Task> Resolve(const std::string& id, int r, const Resolution& res, absl::Time now,
                               absl::Time deadline) override {
    BULWARK_RECORD(Resolve(id, r, res, now, deadline));
  }
  absl::StatusOr<int> ExpireClaims(absl::Time now, absl::Time deadline) override {
    BULWARK_RECORD(ExpireClaims(now, deadline));
  }
  absl::StatusOr<int> ExpireDeadlines(absl::Time now, absl::Time deadline) override {
    BULWARK_RECORD(ExpireDeadlines(now, deadline));
  }
  absl::StatusOr<Artifact> PutArtifact(const Artifact& a, const std::string& c, absl::Time now,
                                       absl::Time deadline) override {
    BULWARK_RECORD(PutArtifact(a, c, now, deadline));
  }
  absl::StatusOr<std::string> BeginUpload(const std::string& id, int r, const std::string& n,
                                          absl::Time now, absl::Time deadline) override {
    BULWARK_RECORD(BeginUpload(id, r, n, now, deadline));
  }
  absl::Status AppendUpload(const std::string& u, int i, const std::vector<absl::string_view>& c,
                            absl::Time now, absl::Time deadline) override {
    BULWARK_RECORD(AppendUpload(u, i, c, now, deadline));
  }
  absl::StatusOr<Artifact> FinishUpload(const std::string& u, const Artifact& a, absl::Time now,
                                        absl::Time deadline,
                                        const std::function<bool()>& cancelled) override {
    BULWARK_RECORD(FinishUpload(u, a, now, deadline, cancelled));
  }
  absl::Status AbortUpload(const std::string& u, absl::Time deadline) override {
    BULWARK_RECORD(AbortUpload(u, deadline));
  }
  absl::StatusOr<int> PurgeUploads(absl::Time idle, absl::Time deadline) override {
    BULWARK_RECORD(PurgeUploads(idle, deadline));
  }
  absl::StatusOr<Artifact> GetArtifact(const std::string& id, int r, const std::string& n,
                                       absl::Time deadline) override {
    BULWARK_RECORD(GetArtifact(id, r, n, deadline));
  }
  absl::StatusOr<std::vector<std::string>> ReadArtifactChunks(const std::string& id, int r,
                                                              const std::string& n, int f, int m,
                                                              absl::Time deadline) override {
    BULWARK_RECORD(ReadArtifactChunks(id, r, n, f, m, deadline));
  }
  absl::StatusOr<std::vector<Artifact>> ListArtifacts(const std::string& id, int r,
                                                      const std::string& a, int l,
                                                      absl::Time deadline) override {
    BULWARK_RECORD(ListArtifacts(id, r, a, l, deadline));
  }
#undef BULWARK_RECORD
};

TEST(StreamingDeadlineTest, EveryTransactionOfAStreamGetsTheCallsDeadlineAndNoMore) {
  SimulatedClock clock(absl::Now());
  SeededRandom random(3);
  DeadlineRecordingStore store;
  QueueService service(QueueService::Options(), store, TestIssuer("q"), clock, random);
  Caller root{"static/bulwark/root", {"*"}};
  v1::CreateTaskRequest create = NewTaskRequest(random, clock.Now());
  absl::Status claimed = CreateAndClaim(service, root, root, create);
  ASSERT_TRUE(claimed.ok()) << claimed;

  v1::UploadArtifactHeader header;
  header.set_task_id(create.task_id());
  header.set_name("public/a.bin");
  std::string content = testing::PseudoRandomBytes(9 * kMaxChunkBytes, 10);
  for (absl::Time call_deadline : {absl::Now() + absl::Seconds(7), absl::InfiniteFuture()}) {
    header.set_name(absl::StrCat("public/", absl::ToUnixNanos(call_deadline) % 1000, ".bin"));
    store.deadlines.clear();
    absl::Time started = absl::Now();
    MemoryUpload upload(UploadMessages(header, content));
    ASSERT_TRUE(service.UploadArtifact(root, upload, call_deadline).ok());
    v1::DownloadArtifactRequest request;
    request.set_task_id(create.task_id());
    request.set_name(header.name());
    MemoryDownload download;
    ASSERT_TRUE(service.DownloadArtifact(root, request, download, call_deadline).ok());
    absl::Time ended = absl::Now();
    // Task, begin, 3 appends (4 + 4 + 1 chunks), finish; latest run's task, metadata, 3 reads.
    ASSERT_EQ(store.deadlines.size(), 11u);
    for (absl::Time d : store.deadlines) {
      EXPECT_LE(d, call_deadline);
      EXPECT_LE(d, ended + QueueService::kMaxTransaction);
      EXPECT_GE(d, std::min(call_deadline, started + QueueService::kMaxTransaction));
    }
  }
}

TEST_F(StreamingArtifactTest, UploadHashesWhileStreamingAndDownloadSendsMetadataThenChunks) {
  std::string content = testing::PseudoRandomBytes(3 * kMaxChunkBytes + kMaxChunkBytes / 2, 1);
  v1::UploadArtifactHeader header = Header("public/build/app.tar");
  header.set_content_type("application/x-tar");
  header.set_sha256(Sha256Hex(content));
  header.set_size(static_cast<int64_t>(content.size()));
  MemoryUpload upload(UploadMessages(header, content, size_t{300} * 1000));
  auto artifact = service_.UploadArtifact(run_, upload, kForever);
  ASSERT_TRUE(artifact.ok()) << artifact.status();
  EXPECT_EQ(artifact->sha256(), Sha256Hex(content));
  EXPECT_EQ(artifact->size(), static_cast<int64_t>(content.size()));
  EXPECT_EQ(artifact->content_type(), "application/x-tar");
  EXPECT_EQ(Staged(), 0);
  // Client pieces of 300 kB were staged as 1 MiB chunks: the store holds four.
  auto chunks = store_.ReadArtifactChunks(task_id_, 0, header.name(), 0, 10, kForever);
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(chunks->size(), 4u);

  v1::DownloadArtifactRequest request;
  request.set_task_id(task_id_);
  request.set_name(header.name());  // no run: the latest
  MemoryDownload download;
  ASSERT_TRUE(service_.DownloadArtifact(reader_, request, download, kForever).ok());
  ASSERT_EQ(download.messages.size(), 5u);
  ASSERT_TRUE(download.messages[0].has_artifact());
  EXPECT_EQ(download.messages[0].artifact().sha256(), Sha256Hex(content));
  EXPECT_EQ(download.messages[0].artifact().size(), static_cast<int64_t>(content.size()));
  for (size_t i = 1; i < download.messages.size(); ++i) {
    EXPECT_LE(static_cast<int64_t>(download.messages[i].chunk().size()), kMaxChunkBytes);
  }
  EXPECT_EQ(download.Content(), content);
  // Small streamed artifacts are readable in one message too; undeclared size and hash are fine.
  MemoryUpload small(UploadMessages(Header("public/small.txt"), "hello"));
  ASSERT_TRUE(service_.UploadArtifact(run_, small, kForever).ok());
  auto got = service_.GetArtifact(reader_, task_id_, 0, "public/small.txt", kForever);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->content(), "hello");
  EXPECT_EQ(got->artifact().sha256(), Sha256Hex("hello"));
}

TEST_F(StreamingArtifactTest, ScopesAndTheHeaderAreCheckedBeforeAnythingIsStored) {
  std::string content = testing::PseudoRandomBytes(2 * kMaxChunkBytes, 2);
  Caller other_run{"task-client", {"queue:create-artifact:" + task_id_ + "/1"}};
  MemoryUpload denied(UploadMessages(Header("public/x"), content));
  absl::Status s = service_.UploadArtifact(other_run, denied, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_NE(s.message().find("queue:create-artifact:" + task_id_ + "/0"), std::string::npos) << s;
  EXPECT_EQ(denied.read(), 1u);  // the header only: no chunk was even read
  EXPECT_EQ(Staged(), 0);

  std::vector<v1::UploadArtifactRequest> headless = UploadMessages(Header("public/x"), content);
  headless.erase(headless.begin());
  MemoryUpload no_header(headless);
  EXPECT_EQ(service_.UploadArtifact(run_, no_header, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  MemoryUpload nothing({});
  EXPECT_EQ(service_.UploadArtifact(run_, nothing, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::UploadArtifactHeader bad = Header("/absolute");
  MemoryUpload bad_name(UploadMessages(bad, "x"));
  EXPECT_EQ(service_.UploadArtifact(run_, bad_name, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = Header("public/x");
  bad.set_sha256("ABC");
  MemoryUpload bad_sha(UploadMessages(bad, "x"));
  EXPECT_EQ(service_.UploadArtifact(run_, bad_sha, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = Header("public/x");
  *bad.mutable_expires() = ToProtoTimestamp(clock_.Now() + absl::Hours(24 * 400));
  MemoryUpload late(UploadMessages(bad, "x"));
  EXPECT_EQ(service_.UploadArtifact(run_, late, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Staged(), 0);
  EXPECT_EQ(Stored("public/x"), absl::StatusCode::kNotFound);
}

TEST_F(StreamingArtifactTest, ContentThatDoesNotMatchTheHeaderIsRefusedAndNothingStored) {
  std::string content = testing::PseudoRandomBytes(kMaxChunkBytes + 10, 3);
  v1::UploadArtifactHeader h = Header("public/a.bin");
  h.set_sha256(Sha256Hex("something else"));
  MemoryUpload wrong_hash(UploadMessages(h, content));
  absl::Status s = service_.UploadArtifact(run_, wrong_hash, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(Sha256Hex(content)), std::string::npos) << s;
  h = Header("public/a.bin");
  h.set_size(static_cast<int64_t>(content.size()) + 1);
  MemoryUpload short_content(UploadMessages(h, content));
  EXPECT_EQ(service_.UploadArtifact(run_, short_content, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  h.set_size(static_cast<int64_t>(content.size()) - 1);
  MemoryUpload long_content(UploadMessages(h, content));
  EXPECT_EQ(service_.UploadArtifact(run_, long_content, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<v1::UploadArtifactRequest> big_chunk(1);
  *big_chunk[0].mutable_header() = Header("public/a.bin");
  big_chunk.emplace_back().set_chunk(std::string(kMaxChunkBytes + 1, 'x'));
  MemoryUpload over_chunk(big_chunk);
  s = service_.UploadArtifact(run_, over_chunk, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  std::vector<v1::UploadArtifactRequest> two_headers = UploadMessages(Header("public/a.bin"), "ab");
  two_headers.push_back(two_headers[0]);
  MemoryUpload twice(two_headers);
  EXPECT_EQ(service_.UploadArtifact(run_, twice, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Staged(), 0);
  EXPECT_EQ(Stored("public/a.bin"), absl::StatusCode::kNotFound);
}

TEST_F(StreamingArtifactTest, TheSizeLimitIsEnforcedAsTheBytesArrive) {
  options_.max_artifact_bytes = kMaxChunkBytes + 100;
  QueueService limited(options_, store_, TestIssuer("q"), clock_, random_);
  std::string content = testing::PseudoRandomBytes(3 * kMaxChunkBytes, 4);
  MemoryUpload upload(UploadMessages(Header("public/big.bin"), content, kMaxChunkBytes));
  absl::Status s = limited.UploadArtifact(run_, upload, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find(absl::StrCat(kMaxChunkBytes + 100)), std::string::npos) << s;
  EXPECT_EQ(upload.read(), 3u);  // stopped at the chunk that went over, not at the end
  EXPECT_EQ(Staged(), 0);
  EXPECT_EQ(Stored("public/big.bin"), absl::StatusCode::kNotFound);
  // A declared size over the limit is refused before any chunk is read.
  v1::UploadArtifactHeader h = Header("public/big.bin");
  h.set_size(static_cast<int64_t>(content.size()));
  MemoryUpload declared(UploadMessages(h, content));
  EXPECT_EQ(limited.UploadArtifact(run_, declared, kForever).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(declared.read(), 1u);
  // Exactly at the limit is fine.
  std::string fits = testing::PseudoRandomBytes(kMaxChunkBytes + 100, 5);
  MemoryUpload ok(UploadMessages(Header("public/fits.bin"), fits));
  EXPECT_TRUE(limited.UploadArtifact(run_, ok, kForever).ok());
}

TEST_F(StreamingArtifactTest, ABrokenStreamStoresNothing) {
  std::string content = testing::PseudoRandomBytes(2 * kMaxChunkBytes + 1, 6);
  MemoryUpload broken(UploadMessages(Header("public/b.bin"), content, size_t{512} * 1024));
  broken.break_after_ = 4;  // header and three chunks: 1.5 MiB, one chunk staged
  EXPECT_EQ(service_.UploadArtifact(run_, broken, kForever).status().code(),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(Staged(), 0);
  EXPECT_EQ(Stored("public/b.bin"), absl::StatusCode::kNotFound);
  // Broken after the last chunk, while the artifact was being committed.
  MemoryUpload at_commit(UploadMessages(Header("public/b.bin"), content));
  at_commit.break_at_commit_ = true;
  EXPECT_EQ(service_.UploadArtifact(run_, at_commit, kForever).status().code(),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(Staged(), 0);
  EXPECT_EQ(Stored("public/b.bin"), absl::StatusCode::kNotFound);
}

TEST_F(StreamingArtifactTest, TheSameContentAgainIsFineOtherContentAlreadyExists) {
  std::string content = testing::PseudoRandomBytes(kMaxChunkBytes + 1, 7);
  MemoryUpload first(UploadMessages(Header("public/c.bin"), content));
  auto stored = service_.UploadArtifact(run_, first, kForever);
  ASSERT_TRUE(stored.ok());
  MemoryUpload again(UploadMessages(Header("public/c.bin"), content));
  auto second = service_.UploadArtifact(run_, again, kForever);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->created().seconds(), stored->created().seconds());
  MemoryUpload other(UploadMessages(Header("public/c.bin"), testing::PseudoRandomBytes(10, 8)));
  EXPECT_EQ(service_.UploadArtifact(run_, other, kForever).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Staged(), 0);
}

TEST_F(StreamingArtifactTest, DownloadChecksScopesAndStopsWhenTheCallBreaks) {
  std::string content = testing::PseudoRandomBytes(6 * kMaxChunkBytes, 9);
  MemoryUpload upload(UploadMessages(Header("private/key.bin"), content, kMaxChunkBytes));
  ASSERT_TRUE(service_.UploadArtifact(run_, upload, kForever).ok());
  v1::DownloadArtifactRequest request;
  request.set_task_id(task_id_);
  request.set_run_id(0);
  request.set_name("private/key.bin");
  Caller anonymous{"", {"queue:get-artifact:public/*"}};
  MemoryDownload denied;
  EXPECT_EQ(service_.DownloadArtifact(anonymous, request, denied, kForever).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(denied.messages.empty());
  MemoryDownload broken;
  broken.fail_after_ = 3;
  EXPECT_EQ(service_.DownloadArtifact(reader_, request, broken, kForever).code(),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(broken.messages.size(), 3u);
  request.set_run_id(-1);
  MemoryDownload negative;
  EXPECT_EQ(service_.DownloadArtifact(reader_, request, negative, kForever).code(),
            absl::StatusCode::kInvalidArgument);
  request.set_run_id(0);
  request.set_name("private/missing.bin");
  MemoryDownload missing;
  EXPECT_EQ(service_.DownloadArtifact(reader_, request, missing, kForever).code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(missing.messages.empty());
  // Too large for one message: GetArtifact says to stream it.
  options_.max_unary_artifact_bytes = kMaxChunkBytes;
  QueueService small(options_, store_, TestIssuer("q"), clock_, random_);
  absl::Status s = small.GetArtifact(reader_, task_id_, 0, "private/key.bin", kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("DownloadArtifact"), std::string::npos) << s;
}

TEST_F(StreamingArtifactTest, IdleUploadsArePurgedOnTheInjectedClock) {
  options_.upload_idle_timeout = absl::Minutes(30);
  QueueService service(options_, store_, TestIssuer("q"), clock_, random_);
  auto id = store_.BeginUpload(task_id_, 0, "public/stalled", clock_.Now(), kForever);
  ASSERT_TRUE(id.ok());
  clock_.Advance(absl::Minutes(29));
  EXPECT_EQ(*service.PurgeIdleUploads(kForever), 0);
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(*service.PurgeIdleUploads(kForever), 1);
  EXPECT_EQ(store_.AppendUpload(*id, 0, {"x"}, clock_.Now(), kForever).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace bulwark::queue
