// TaskRunner with real processes and a fake queue: what a run uploads, signs and reports, for
// each way a run can end. As root, commands run as `nobody` (as the worker runs them).
#include "services/worker/service/task_runner.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/process/identity.h"
#include "libraries/proto/message_json.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::worker {
namespace {

using queue::v1::TaskState;

std::string Sha256Hex(const std::string& data) {
  crypto::Sha256Stream s;
  s.Update(data);
  return s.FinishHex();
}

// Records what the runner asks of the queue.
class FakeQueue final : public WorkerQueue {
 public:
  absl::StatusOr<std::vector<Claim>> ClaimWork(int, absl::Duration, absl::Time) override {
    return std::vector<Claim>{};
  }
  absl::StatusOr<Claim> Reclaim(const std::string& task_id, int run_id,
                                const TaskCredentials& credentials, absl::Time) override {
    absl::MutexLock lock(&mu);
    reclaims.push_back(credentials.client_id);
    if (!reclaim_status.ok()) return reclaim_status;
    Claim c;
    c.task_id = task_id;
    c.run_id = run_id;
    c.credentials = {"renewed-" + std::to_string(reclaims.size()), "token", "{}"};
    c.taken_until = renewed_until;
    return c;
  }
  absl::StatusOr<queue::v1::Artifact> UploadArtifact(const UploadHeader& header,
                                                     const ContentReader& content,
                                                     const TaskCredentials& credentials,
                                                     absl::Time) override {
    std::string data;
    std::string buffer(1 << 20, '\0');
    while (true) {
      absl::StatusOr<size_t> n = content(buffer.data(), buffer.size());
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      EXPECT_LE(*n, size_t{1} << 20);
      data.append(buffer.data(), *n);
    }
    absl::MutexLock lock(&mu);
    uploads[header.name] = data;
    upload_credentials.push_back(credentials.client_id);
    queue::v1::Artifact a;
    a.set_name(header.name);
    a.set_size(static_cast<int64_t>(data.size()));
    a.set_sha256(Sha256Hex(data));
    return a;
  }
  absl::StatusOr<queue::v1::Artifact> DownloadArtifact(const std::string& task_id,
                                                       const std::string& name,
                                                       const ContentWriter& write,
                                                       const TaskCredentials& credentials,
                                                       absl::Time) override {
    std::string content;
    {
      absl::MutexLock lock(&mu);
      download_credentials.push_back(credentials.client_id);
      if (!download_status.ok()) return download_status;
      auto it = upstream.find(task_id + "/" + name);
      if (it == upstream.end()) {
        return absl::NotFoundError(absl::StrCat("no artifact ", name, " in task ", task_id));
      }
      content = it->second;
    }
    // In two pieces, as a stream would deliver it.
    size_t half = content.size() / 2;
    absl::Status s = write(absl::string_view(content).substr(0, half));
    if (s.ok()) s = write(absl::string_view(content).substr(half));
    if (!s.ok()) return s;
    queue::v1::Artifact a;
    a.set_task_id(task_id);
    a.set_name(name);
    a.set_size(static_cast<int64_t>(content.size()));
    a.set_sha256(Sha256Hex(content));
    return a;
  }
  absl::Status Resolve(const std::string&, int, TaskState state, queue::v1::ExceptionReason reason,
                       const TaskCredentials& credentials, absl::Time) override {
    absl::MutexLock lock(&mu);
    resolutions.push_back({state, reason, credentials.client_id});
    return absl::OkStatus();
  }

  struct Resolution {
    TaskState state;
    queue::v1::ExceptionReason reason;
    std::string client_id;
  };
  absl::Mutex mu;
  std::map<std::string, std::string> uploads;
  std::vector<std::string> upload_credentials;
  std::vector<Resolution> resolutions;
  std::vector<std::string> reclaims;
  absl::Status reclaim_status;
  // "<taskId>/<name>" -> content, for DownloadArtifact.
  std::map<std::string, std::string> upstream;
  std::vector<std::string> download_credentials;
  absl::Status download_status;
  absl::Time renewed_until = absl::InfiniteFuture();
};

// Answers VerifyTask with a fixed verdict (or status), recording what it was asked.
class FakeVerifier final : public ChainVerifier {
 public:
  absl::StatusOr<verifier::v1::Verification> VerifyTask(const std::string& task_id,
                                                        const std::string& task_type,
                                                        verifier::v1::RootMode mode,
                                                        absl::Time) override {
    asked.push_back(absl::StrCat(task_id, " as ", task_type,
                                 mode == verifier::v1::ROOT_MODE_COMPLETED    ? " after the run"
                                 : mode == verifier::v1::ROOT_MODE_BEFORE_RUN ? " before the run"
                                                                              : " (auto)"));
    if (!status.ok()) return status;
    verifier::v1::Verification v;
    v.set_verification_id("v-1");
    v.set_task_id(task_id);
    v.set_task_type(task_type);
    v.set_policy_version("test-1");
    v.set_verdict(verdict);
    verifier::v1::ChainLink* link = v.add_links();
    link->set_name(task_type);
    link->set_task_id(task_id);
    link->set_passed(verdict == verifier::v1::VERDICT_PASS);
    verifier::v1::Check* check = link->add_checks();
    check->set_name("cot.signature");
    check->set_passed(verdict == verifier::v1::VERDICT_PASS);
    check->set_reason(verdict == verifier::v1::VERDICT_PASS ? "signed by build-key"
                                                            : "signed by a key of another pool");
    return v;
  }
  verifier::v1::Verdict verdict = verifier::v1::VERDICT_PASS;
  absl::Status status;
  std::vector<std::string> asked;
};

class TaskRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/task-runner-test.XXXXXX";  // reachable by the task user, unlike $HOME
    ASSERT_NE(mkdtemp(dir), nullptr);
    work_ = dir;
    chmod(work_.c_str(), 0711);
    if (process::IsRoot()) {
      absl::StatusOr<process::Identity> nobody = process::LookupUser("nobody");
      ASSERT_TRUE(nobody.ok()) << nobody.status();
      task_user_ = *nobody;
    }
    key_ = std::make_unique<crypto::Ed25519PrivateKey>(
        *crypto::Ed25519PrivateKey::Generate(Random::Secure()));
    clock_ = std::make_unique<SimulatedClock>(absl::Now());
  }
  void TearDown() override { std::filesystem::remove_all(work_); }

  TaskRunner Runner() {
    TaskRunner::Options o;
    o.work_directory = work_;
    o.task_user = task_user_;
    o.worker_group = "wg";
    o.worker_id = "w1";
    o.queue_address_for_tasks = "127.0.0.1:50052";
    o.environment = {"proj/ci", "test", "host"};
    o.cancel_grace = absl::Milliseconds(200);
    o.verify_task_type = verify_task_type_;
    o.verifier = &verifier_;
    return TaskRunner(o, queue_, *key_, *clock_);
  }

  Claim MakeClaim(const nlohmann::json& payload) {
    Claim c;
    c.task_id = "fN1UJiTYQ9-P-_lQ1B5y1A";
    c.run_id = 0;
    c.task.set_task_queue_id("proj/ci");
    c.task.mutable_metadata()->set_name("test task");
    *c.task.mutable_payload() = *StructFromJson(payload);
    c.credentials = {"task-client/0", "token", "{}"};
    c.taken_until = clock_->Now() + absl::Minutes(20);
    return c;
  }

  RunOutcome RunTask(const nlohmann::json& payload) {
    auto control = RunControl::Create();
    EXPECT_TRUE(control.ok());
    return Runner().Run(MakeClaim(payload), **control);
  }

  std::string Log() {
    absl::MutexLock lock(&queue_.mu);
    return queue_.uploads["public/logs/live_backing.log"];
  }

  std::string work_;
  std::optional<process::Identity> task_user_;
  std::unique_ptr<crypto::Ed25519PrivateKey> key_;
  std::unique_ptr<SimulatedClock> clock_;
  FakeQueue queue_;
  FakeVerifier verifier_;
  std::string verify_task_type_;
};

nlohmann::json Shell(const std::string& script, int max_run_time = 30,
                     nlohmann::json artifacts = nlohmann::json::array()) {
  return {{"command", {"sh", "-c", script}},
          {"maxRunTime", max_run_time},
          {"artifacts", std::move(artifacts)}};
}

TEST_F(TaskRunnerTest, ACompletedRunUploadsItsArtifactsLogAndASignedChainOfTrust) {
  RunOutcome outcome =
      RunTask(Shell("echo hello; echo oops >&2; mkdir out; printf data > out/a.txt", 30,
                    {{{"name", "public/build/a.txt"}, {"path", "out/a.txt"}, {"type", "file"}}}));
  EXPECT_TRUE(outcome.reported) << outcome.summary;
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_COMPLETED) << outcome.summary;
  EXPECT_EQ(queue_.uploads["public/build/a.txt"], "data");
  std::string log = Log();
  EXPECT_TRUE(absl::StrContains(log, "[output] hello")) << log;
  EXPECT_TRUE(absl::StrContains(log, "[output] oops")) << log;
  EXPECT_LT(log.find("hello"), log.find("oops")) << "lines out of order";

  const std::string body = queue_.uploads["public/chain-of-trust.json"];
  const std::string signature = queue_.uploads["public/chain-of-trust.json.sig"];
  ASSERT_EQ(signature.size(), 64u);
  // The signature verifies with OpenSSL directly, against the raw public key.
  std::string raw = key_->PublicKey().Raw();
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  ASSERT_NE(pkey, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), 64,
                             reinterpret_cast<const unsigned char*>(body.data()), body.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);

  nlohmann::json cot = nlohmann::json::parse(body);
  EXPECT_EQ(cot["chainOfTrustVersion"], 1);
  EXPECT_EQ(cot["taskId"], "fN1UJiTYQ9-P-_lQ1B5y1A");
  EXPECT_EQ(cot["runId"], 0);
  EXPECT_EQ(cot["workerGroup"], "wg");
  EXPECT_EQ(cot["workerId"], "w1");
  EXPECT_EQ(cot["task"]["metadata"]["name"], "test task");
  EXPECT_EQ(cot["environment"]["workerPool"], "proj/ci");
  EXPECT_EQ(cot["artifacts"]["public/build/a.txt"]["sha256"], Sha256Hex("data"));
  EXPECT_EQ(cot["artifacts"]["public/logs/live_backing.log"]["sha256"], Sha256Hex(log));
  EXPECT_FALSE(cot["artifacts"].contains("public/chain-of-trust.json"));
  // The run directory is gone.
  EXPECT_TRUE(std::filesystem::is_empty(work_));
}

TEST_F(TaskRunnerTest, TheSignedTaskIsTheClaimedDefinitionInItsJsonForm) {
  Claim claim = MakeClaim(Shell("true"));
  auto control = RunControl::Create();
  ASSERT_TRUE(control.ok());
  Runner().Run(claim, **control);
  nlohmann::json cot = nlohmann::json::parse(queue_.uploads["public/chain-of-trust.json"]);
  EXPECT_EQ(cot["task"], *MessageToJson(claim.task));
}

TEST_F(TaskRunnerTest, AFailingCommandFailsTheRunAndLaterCommandsDoNotRun) {
  nlohmann::json payload = {{"command", {{"sh", "-c", "exit 3"}, {"sh", "-c", "echo second"}}},
                            {"maxRunTime", 30}};
  RunTask(payload);
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_FAILED);
  std::string log = Log();
  EXPECT_TRUE(absl::StrContains(log, "[worker] exited with code 3")) << log;
  EXPECT_TRUE(absl::StrContains(log, "[worker] resolving the run as failed")) << log;
  EXPECT_FALSE(absl::StrContains(log, "[output] second")) << log;
  EXPECT_EQ(queue_.uploads.count("public/chain-of-trust.json"), 1u);
}

TEST_F(TaskRunnerTest, APayloadThatBreaksTheSchemaIsMalformedAndSaysWhy) {
  RunTask({{"command", {"true"}}, {"maxRunTime", 0}});
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_EXCEPTION);
  EXPECT_EQ(queue_.resolutions[0].reason, queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD);
  EXPECT_TRUE(absl::StrContains(Log(), "invalid task payload: /maxRunTime")) << Log();
}

TEST_F(TaskRunnerTest, MaxRunTimeKillsTheWholeTreeAndFailsTheRun) {
  absl::Time start = absl::Now();
  // A grandchild that ignores SIGTERM and writes its pid.
  RunTask(Shell("(trap '' TERM; sleep 60) & echo $! > pid; sleep 60", 1));
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_FAILED);
  EXPECT_TRUE(absl::StrContains(Log(), "maxRunTime")) << Log();
}

TEST_F(TaskRunnerTest, ArtifactsOutsideTheTaskDirectoryAreRefusedAndFailTheRun) {
  RunTask(Shell("ln -s /etc/passwd leak", 30,
                {{{"name", "public/leak"}, {"path", "leak"}, {"type", "file"}}}));
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_FAILED);
  EXPECT_EQ(queue_.uploads.count("public/leak"), 0u);
  EXPECT_TRUE(absl::StrContains(Log(), "artifact refused: ")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "public/leak")) << Log();
}

TEST_F(TaskRunnerTest, AMissingDeclaredArtifactFailsTheRunAndSaysSo) {
  RunTask(Shell("true", 30, {{{"name", "public/out.bin"}, {"path", "out.bin"}, {"type", "file"}}}));
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_FAILED);
  EXPECT_TRUE(absl::StrContains(Log(), "public/out.bin")) << Log();
}

TEST_F(TaskRunnerTest, TheTaskSeesAScrubbedEnvironment) {
  setenv("WORKER_SECRET_FOR_TEST", "must-not-leak", 1);
  nlohmann::json payload = Shell(
      "env > env.txt", 30, {{{"name", "public/env.txt"}, {"path", "env.txt"}, {"type", "file"}}});
  payload["env"] = {{"GREETING", "hi"}};
  RunTask(payload);
  std::string env = queue_.uploads["public/env.txt"];
  EXPECT_TRUE(absl::StrContains(env, "GREETING=hi")) << env;
  EXPECT_TRUE(absl::StrContains(env, "TASK_ID=fN1UJiTYQ9-P-_lQ1B5y1A")) << env;
  EXPECT_TRUE(absl::StrContains(env, "RUN_ID=0")) << env;
  EXPECT_TRUE(absl::StrContains(env, "TASKCLUSTER_CLIENT_ID=task-client/0")) << env;
  EXPECT_TRUE(absl::StrContains(env, "TASKCLUSTER_QUEUE_ADDRESS=127.0.0.1:50052")) << env;
  EXPECT_FALSE(absl::StrContains(env, "WORKER_SECRET_FOR_TEST")) << env;
  unsetenv("WORKER_SECRET_FOR_TEST");
}

TEST_F(TaskRunnerTest, TheClaimIsRenewedWhileTheTaskRunsAndTheNewCredentialsAreUsed) {
  Claim claim = MakeClaim(Shell("touch started; sleep 2"));
  claim.taken_until = clock_->Now() + absl::Seconds(20);
  queue_.renewed_until = clock_->Now() + absl::Hours(1);
  auto control = RunControl::Create();
  ASSERT_TRUE(control.ok());
  TaskRunner runner = Runner();
  std::thread run([&] { runner.Run(claim, **control); });
  const std::string started = work_ + "/" + claim.task_id + "-0/task/started";
  for (absl::Time give_up = absl::Now() + absl::Seconds(10);
       !std::filesystem::exists(started) && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  clock_->Advance(absl::Seconds(10));  // half-way to takenUntil: time to reclaim
  run.join();
  absl::MutexLock lock(&queue_.mu);
  ASSERT_GE(queue_.reclaims.size(), 1u);
  EXPECT_EQ(queue_.reclaims[0], "task-client/0");
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(queue_.resolutions[0].client_id, "renewed-1");
}

TEST_F(TaskRunnerTest, ALostClaimStopsTheTaskAndNothingIsReported) {
  queue_.reclaim_status = absl::FailedPreconditionError("run 0 is not the running run");
  Claim claim = MakeClaim(Shell("touch started; sleep 60"));
  claim.taken_until = clock_->Now() + absl::Seconds(20);
  auto control = RunControl::Create();
  ASSERT_TRUE(control.ok());
  TaskRunner runner = Runner();
  RunOutcome outcome;
  std::thread run([&] { outcome = runner.Run(claim, **control); });
  const std::string started = work_ + "/" + claim.task_id + "-0/task/started";
  for (absl::Time give_up = absl::Now() + absl::Seconds(10);
       !std::filesystem::exists(started) && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  absl::Time start = absl::Now();
  clock_->Advance(absl::Seconds(10));
  run.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_FALSE(outcome.reported);
  EXPECT_TRUE(queue_.resolutions.empty());
}

TEST_F(TaskRunnerTest, ShutdownCancelsTheTaskAndResolvesWorkerShutdown) {
  Claim claim = MakeClaim(Shell("touch started; sleep 60"));
  auto control = RunControl::Create();
  ASSERT_TRUE(control.ok());
  TaskRunner runner = Runner();
  std::thread run([&] { runner.Run(claim, **control); });
  const std::string started = work_ + "/" + claim.task_id + "-0/task/started";
  for (absl::Time give_up = absl::Now() + absl::Seconds(10);
       !std::filesystem::exists(started) && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  (*control)->Cancel(RunControl::Reason::kShutdown);
  run.join();
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_EXCEPTION);
  EXPECT_EQ(queue_.resolutions[0].reason, queue::v1::EXCEPTION_REASON_WORKER_SHUTDOWN);
  EXPECT_TRUE(absl::StrContains(Log(), "cancel")) << Log();
}

TEST_F(TaskRunnerTest, APrivilegedWorkerRunsATaskWhoseChainPassesAndUploadsTheReport) {
  verify_task_type_ = "signing";
  RunOutcome outcome = RunTask(Shell("echo signing"));
  // Before the run, and once more after it completed (the verification the verifier attests).
  ASSERT_EQ(verifier_.asked,
            (std::vector<std::string>{"fN1UJiTYQ9-P-_lQ1B5y1A as signing before the run",
                                      "fN1UJiTYQ9-P-_lQ1B5y1A as signing after the run"}));
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_COMPLETED);
  EXPECT_TRUE(absl::StrContains(Log(), "[output] signing")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "chain of trust: PASS (verification v-1")) << Log();
  std::string report = queue_.uploads["public/logs/chain_of_trust.log"];
  EXPECT_TRUE(absl::StrContains(report, "as signing: PASS")) << report;
  EXPECT_TRUE(absl::StrContains(report, "\u2713 cot.signature: signed by build-key")) << report;
  // The report is signed with the rest of the run's artifacts.
  nlohmann::json cot = nlohmann::json::parse(queue_.uploads["public/chain-of-trust.json"]);
  EXPECT_EQ(cot["artifacts"]["public/logs/chain_of_trust.log"]["sha256"], Sha256Hex(report));
  EXPECT_TRUE(absl::StrContains(
      outcome.summary,
      "verified after the run: PASS (verification v-1; the verifier attests its artifacts)"))
      << outcome.summary;
}

TEST_F(TaskRunnerTest, APrivilegedTaskThatFailsIsNotVerifiedAgain) {
  verify_task_type_ = "signing";
  RunOutcome outcome = RunTask(Shell("exit 3"));
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_FAILED);
  EXPECT_EQ(verifier_.asked,
            std::vector<std::string>{"fN1UJiTYQ9-P-_lQ1B5y1A as signing before the run"});
  EXPECT_FALSE(absl::StrContains(outcome.summary, "after the run")) << outcome.summary;
}

TEST_F(TaskRunnerTest, AFailedChainNeverRunsTheCommandAndIsMalformedPayload) {
  verify_task_type_ = "signing";
  verifier_.verdict = verifier::v1::VERDICT_FAIL;
  RunTask(Shell("echo SHOULD-NOT-RUN; touch /tmp/should-not-run"));
  EXPECT_EQ(verifier_.asked,
            std::vector<std::string>{"fN1UJiTYQ9-P-_lQ1B5y1A as signing before the run"});
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_EXCEPTION);
  EXPECT_EQ(queue_.resolutions[0].reason, queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD);
  EXPECT_FALSE(absl::StrContains(Log(), "SHOULD-NOT-RUN")) << Log();
  EXPECT_FALSE(absl::StrContains(Log(), "running: ")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "the chain of trust failed")) << Log();
  std::string report = queue_.uploads["public/logs/chain_of_trust.log"];
  EXPECT_TRUE(absl::StrContains(report, "as signing: FAIL")) << report;
  EXPECT_TRUE(absl::StrContains(report, "\u2717 cot.signature: signed by a key of another pool"))
      << report;
  EXPECT_TRUE(absl::StrContains(report, "\"verdict\": \"VERDICT_FAIL\"")) << report;
}

TEST_F(TaskRunnerTest, AnUnreachableVerifierNeverRunsTheTaskAndIsResourceUnavailable) {
  verify_task_type_ = "signing";
  verifier_.status = absl::UnavailableError("verifier: connection refused");
  RunTask(Shell("echo SHOULD-NOT-RUN"));
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_EXCEPTION);
  EXPECT_EQ(queue_.resolutions[0].reason, queue::v1::EXCEPTION_REASON_RESOURCE_UNAVAILABLE);
  EXPECT_FALSE(absl::StrContains(Log(), "SHOULD-NOT-RUN")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "UNAVAILABLE: verifier: connection refused")) << Log();
  EXPECT_EQ(queue_.uploads.count("public/logs/chain_of_trust.log"), 0u);
}

TEST_F(TaskRunnerTest, AnOrdinaryWorkerDoesNotAskTheVerifier) {
  RunTask(Shell("true"));
  EXPECT_TRUE(verifier_.asked.empty());
  EXPECT_EQ(queue_.uploads.count("public/logs/chain_of_trust.log"), 0u);
}

nlohmann::json Upstream(const std::string& task_id, std::vector<std::string> paths,
                        bool optional = false) {
  nlohmann::json u = {{"taskId", task_id}, {"taskType", "build"}, {"paths", paths}};
  if (optional) u["optional"] = true;
  return u;
}

constexpr char kBuildTask[] = "eMHx_qzPQSWAZjuRpdbOzg";

TEST_F(TaskRunnerTest, UpstreamArtifactsAreInTheTaskDirectoryBeforeTheCommandRuns) {
  queue_.upstream[std::string(kBuildTask) + "/public/build/app.tar.gz"] = "the build's bytes";
  queue_.upstream[std::string(kBuildTask) + "/public/build/notes.txt"] = "notes";
  nlohmann::json payload =
      Shell("cat cot/" + std::string(kBuildTask) +
            "/public/build/app.tar.gz; echo; "
            "ls -ln cot/" +
            std::string(kBuildTask) +
            "/public/build | tail -n +2 | wc -l; "
            "echo more >> cot/" +
            std::string(kBuildTask) + "/public/build/notes.txt && echo writable");
  payload["upstreamArtifacts"] = {
      Upstream(kBuildTask, {"public/build/app.tar.gz", "public/build/notes.txt"}),
      Upstream(kBuildTask, {"public/build/missing.txt"}, /*optional=*/true)};
  RunTask(payload);
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_COMPLETED) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "[output] the build's bytes")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "[output] 2")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "[output] writable")) << Log();  // the task user's files
  EXPECT_TRUE(absl::StrContains(
      Log(),
      "fetched upstream artifact public/build/app.tar.gz of task " + std::string(kBuildTask)))
      << Log();
  EXPECT_TRUE(
      absl::StrContains(Log(), "skipped optional upstream artifact public/build/missing.txt"))
      << Log();
  // Downloaded with the run's task credentials.
  for (const std::string& c : queue_.download_credentials) EXPECT_EQ(c, "task-client/0");
}

TEST_F(TaskRunnerTest, AMissingUpstreamArtifactIsMalformedPayloadAndTheCommandDoesNotRun) {
  nlohmann::json payload = Shell("echo SHOULD-NOT-RUN");
  payload["upstreamArtifacts"] = {Upstream(kBuildTask, {"public/build/app.tar.gz"})};
  RunTask(payload);
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].state, queue::v1::TASK_STATE_EXCEPTION);
  EXPECT_EQ(queue_.resolutions[0].reason, queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD);
  EXPECT_FALSE(absl::StrContains(Log(), "SHOULD-NOT-RUN")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "upstream artifact public/build/app.tar.gz of task " +
                                           std::string(kBuildTask) + ": no artifact"))
      << Log();
}

TEST_F(TaskRunnerTest, AnUnreachableQueueForUpstreamArtifactsIsResourceUnavailable) {
  queue_.download_status = absl::UnavailableError("queue: connection refused");
  nlohmann::json payload = Shell("true");
  payload["upstreamArtifacts"] = {Upstream(kBuildTask, {"public/build/app.tar.gz"})};
  RunTask(payload);
  ASSERT_EQ(queue_.resolutions.size(), 1u);
  EXPECT_EQ(queue_.resolutions[0].reason, queue::v1::EXCEPTION_REASON_RESOURCE_UNAVAILABLE);
}

TEST_F(TaskRunnerTest, UpstreamPathsThatEscapeOrCollideAreRefused) {
  queue_.upstream[std::string(kBuildTask) + "/public/a"] = "a";
  queue_.upstream[std::string(kBuildTask) + "/public/a/b"] = "b";
  for (const std::vector<std::string>& paths : std::vector<std::vector<std::string>>{
           {"../../etc/passwd"}, {"/etc/passwd"}, {"public//a"}, {"public/a", "public/a/b"}}) {
    queue_.resolutions.clear();
    nlohmann::json payload = Shell("echo SHOULD-NOT-RUN");
    payload["upstreamArtifacts"] = {Upstream(kBuildTask, paths)};
    RunTask(payload);
    ASSERT_EQ(queue_.resolutions.size(), 1u) << paths[0];
    EXPECT_EQ(queue_.resolutions[0].reason, queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD)
        << paths[0];
    EXPECT_FALSE(absl::StrContains(Log(), "SHOULD-NOT-RUN")) << Log();
  }
}

}  // namespace
}  // namespace bulwark::worker
