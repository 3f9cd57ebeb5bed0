// The worker for real: worker processes (as root, running tasks as `nobody`) on real auth, queue
// and PostgreSQL, over gRPC. Each way a run ends, what it uploads and signs, the signing key out
// of the task's reach, a 300 MB artifact, and a worker killed mid-task.
#include <unistd.h>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/process/identity.h"
#include "services/worker/tests/worker_cluster.h"

namespace bulwark::worker {
namespace {

constexpr absl::Duration kTaskTimeout = absl::Seconds(60);

std::string Sha256Hex(const std::string& data) {
  crypto::Sha256Stream s;
  s.Update(data);
  return s.FinishHex();
}

class WorkerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!process::IsRoot()) GTEST_SKIP() << "workers run as root (tasks as nobody); run as root";
    auto cluster = WorkerCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    auto worker = cluster_->StartWorker("proj-test/ci", "ci-1");
    ASSERT_TRUE(worker.ok()) << worker.status();
    worker_ = *worker;
  }

  queue::v1::TaskStatus Run(const nlohmann::json& payload) {
    auto task_id = cluster_->CreateTask("proj-test/ci", payload);
    EXPECT_TRUE(task_id.ok()) << task_id.status();
    task_id_ = task_id.value_or("");
    auto status = cluster_->WaitResolved(task_id_, kTaskTimeout);
    EXPECT_TRUE(status.ok()) << status.status() << "\n" << worker_->process->LogTail();
    return status.value_or(queue::v1::TaskStatus());
  }

  std::string Artifact(const std::string& name) {
    auto got = cluster_->Download(task_id_, name);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? got->second : "";
  }

  std::unique_ptr<WorkerCluster> cluster_;
  WorkerCluster::Worker* worker_ = nullptr;
  std::string task_id_;
};

nlohmann::json Shell(const std::string& script, int max_run_time = 60,
                     nlohmann::json artifacts = nlohmann::json::array()) {
  return {{"command", {"sh", "-c", script}},
          {"maxRunTime", max_run_time},
          {"artifacts", std::move(artifacts)}};
}

TEST_F(WorkerIntegrationTest, ATaskCompletesWithItsArtifactsAndAChainOfTrustThatVerifies) {
  queue::v1::TaskStatus status = Run(
      Shell("echo building; mkdir -p out/sub; printf one > out/a.txt; printf two > out/sub/b", 60,
            {{{"name", "public/build/a.txt"}, {"path", "out/a.txt"}, {"type", "file"}},
             {{"name", "public/dir"}, {"path", "out/sub"}, {"type", "directory"}}}));
  ASSERT_EQ(status.state(), queue::v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(status.runs(0).worker_id(), "ci-1");
  EXPECT_EQ(Artifact("public/build/a.txt"), "one");
  EXPECT_EQ(Artifact("public/dir/b"), "two");
  std::string log = Artifact("public/logs/live_backing.log");
  EXPECT_TRUE(absl::StrContains(log, "[output] building")) << log;

  const std::string body = Artifact("public/chain-of-trust.json");
  const std::string signature = Artifact("public/chain-of-trust.json.sig");
  EXPECT_TRUE(worker_->public_key->Verify(body, signature)) << "the signature does not verify";
  std::string tampered = body;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_FALSE(worker_->public_key->Verify(tampered, signature));
  nlohmann::json cot = nlohmann::json::parse(body);
  EXPECT_EQ(cot["taskId"], task_id_);
  EXPECT_EQ(cot["runId"], 0);
  EXPECT_EQ(cot["workerGroup"], "local");
  EXPECT_EQ(cot["workerId"], "ci-1");
  EXPECT_EQ(cot["task"]["taskQueueId"], "proj-test/ci");
  for (const char* name : {"public/build/a.txt", "public/dir/b", "public/logs/live_backing.log"}) {
    EXPECT_EQ(cot["artifacts"][name]["sha256"], Sha256Hex(Artifact(name))) << name;
  }
}

TEST_F(WorkerIntegrationTest, AFailingCommandIsFailed) {
  queue::v1::TaskStatus status = Run(Shell("echo about to fail; exit 7"));
  EXPECT_EQ(status.state(), queue::v1::TASK_STATE_FAILED);
  EXPECT_TRUE(absl::StrContains(Artifact("public/logs/live_backing.log"), "exited with code 7"));
}

TEST_F(WorkerIntegrationTest, APayloadThatBreaksTheSchemaIsMalformed) {
  queue::v1::TaskStatus status = Run({{"command", "not a list"}, {"maxRunTime", 10}});
  EXPECT_EQ(status.state(), queue::v1::TASK_STATE_EXCEPTION);
  EXPECT_EQ(status.runs(0).reason_resolved(), "malformed-payload");
  std::string log = Artifact("public/logs/live_backing.log");
  EXPECT_TRUE(absl::StrContains(log, "invalid task payload: /command: must be")) << log;
}

TEST_F(WorkerIntegrationTest, PastMaxRunTimeTheTaskIsKilledAndFailed) {
  absl::Time start = absl::Now();
  queue::v1::TaskStatus status = Run(Shell("(trap '' TERM; sleep 120) & sleep 120", 2));
  EXPECT_EQ(status.state(), queue::v1::TASK_STATE_FAILED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_TRUE(absl::StrContains(Artifact("public/logs/live_backing.log"), "maxRunTime"));
}

TEST_F(WorkerIntegrationTest, ATaskCannotReadTheSigningKey) {
  queue::v1::TaskStatus status = Run(Shell("cat " + worker_->key_file));
  EXPECT_EQ(status.state(), queue::v1::TASK_STATE_FAILED);
  std::string log = Artifact("public/logs/live_backing.log");
  EXPECT_TRUE(absl::StrContains(log, "Permission denied")) << log;
  EXPECT_FALSE(absl::StrContains(log, "PRIVATE KEY")) << log;
}

TEST_F(WorkerIntegrationTest, ATaskCannotMakeTheWorkerUploadTheSigningKey) {
  queue::v1::TaskStatus status =
      Run(Shell("ln -s " + worker_->key_file + " key.pem", 60,
                {{{"name", "public/key.pem"}, {"path", "key.pem"}, {"type", "file"}}}));
  EXPECT_EQ(status.state(), queue::v1::TASK_STATE_FAILED);
  EXPECT_EQ(cluster_->Download(task_id_, "public/key.pem").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(Artifact("public/logs/live_backing.log"), "artifact refused"));
}

TEST_F(WorkerIntegrationTest, A300MegabyteArtifactRoundTripsWithItsHash) {
  queue::v1::TaskStatus status =
      Run(Shell("head -c 314572800 /dev/urandom > big.bin", 300,
                {{{"name", "public/big.bin"}, {"path", "big.bin"}, {"type", "file"}}}));
  ASSERT_EQ(status.state(), queue::v1::TASK_STATE_COMPLETED);
  auto got = cluster_->Download(task_id_, "public/big.bin");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->second.size(), 314572800u);
  EXPECT_EQ(got->first.size(), 314572800);
  std::string hash = Sha256Hex(got->second);
  EXPECT_EQ(got->first.sha256(), hash);
  nlohmann::json cot = nlohmann::json::parse(Artifact("public/chain-of-trust.json"));
  EXPECT_EQ(cot["artifacts"]["public/big.bin"]["sha256"], hash);
}

// Waits (bounded) until the task's latest run is running.
void WaitRunning(WorkerCluster& cluster, const std::string& task_id) {
  for (absl::Time give_up = absl::Now() + absl::Seconds(30);;
       absl::SleepFor(absl::Milliseconds(50))) {
    auto status = cluster.Status(task_id);
    ASSERT_TRUE(status.ok());
    if (status->state() == queue::v1::TASK_STATE_RUNNING) return;
    ASSERT_LT(absl::Now(), give_up) << "no worker claimed the task";
  }
}

TEST(WorkerKillTest, AWorkerKilledMidTaskLosesNothingAndTheTaskRunsOnceElsewhere) {
  if (!process::IsRoot()) GTEST_SKIP() << "workers run as root (tasks as nobody); run as root";
  auto cluster = WorkerCluster::Start({"--claim-timeout=4s", "--sweep-interval=1s"});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto first = (*cluster)->StartWorker("proj-test/ci", "doomed");
  ASSERT_TRUE(first.ok()) << first.status();
  auto task_id = (*cluster)->CreateTask("proj-test/ci", Shell("sleep 3; echo finished"));
  ASSERT_TRUE(task_id.ok());
  // Wait until the first worker runs it, then kill it without warning.
  ASSERT_NO_FATAL_FAILURE(WaitRunning(**cluster, *task_id));
  (*first)->process->Kill();
  auto second = (*cluster)->StartWorker("proj-test/ci", "survivor");
  ASSERT_TRUE(second.ok()) << second.status();
  auto status = (*cluster)->WaitResolved(*task_id, kTaskTimeout);
  ASSERT_TRUE(status.ok()) << status.status();
  // One run may still be resolving when the task's state first reads completed: wait for 2.
  ASSERT_EQ(status->state(), queue::v1::TASK_STATE_COMPLETED) << status->DebugString();
  ASSERT_EQ(status->runs_size(), 2) << status->DebugString();
  EXPECT_EQ(status->runs(0).worker_id(), "doomed");
  EXPECT_EQ(status->runs(0).reason_resolved(), "claim-expired");
  EXPECT_EQ(status->runs(1).worker_id(), "survivor");
  EXPECT_EQ(status->runs(1).state(), queue::v1::TASK_STATE_COMPLETED);
  auto log = (*cluster)->Download(*task_id, "public/logs/live_backing.log");
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(absl::StrContains(log->second, "[output] finished"));
}

// SIGTERM: no new claims; a task that ends within the grace period completes; one that does not
// is killed and its run resolved exception/worker-shutdown, which the queue retries; the worker
// exits once its tasks are resolved.
TEST(WorkerShutdownTest, SigtermLetsShortTasksFinishAndResolvesTheRestWorkerShutdown) {
  if (!process::IsRoot()) GTEST_SKIP() << "workers run as root (tasks as nobody); run as root";
  auto cluster = WorkerCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto worker =
      (*cluster)->StartWorker("proj-test/ci", "stopping", {"--capacity=2", "--shutdown-grace=3s"});
  ASSERT_TRUE(worker.ok()) << worker.status();
  auto short_task = (*cluster)->CreateTask("proj-test/ci", Shell("sleep 1; echo done"));
  auto long_task = (*cluster)->CreateTask("proj-test/ci", Shell("sleep 300", 600));
  ASSERT_TRUE(short_task.ok() && long_task.ok());
  ASSERT_NO_FATAL_FAILURE(WaitRunning(**cluster, *short_task));
  ASSERT_NO_FATAL_FAILURE(WaitRunning(**cluster, *long_task));
  absl::Time signalled = absl::Now();
  auto exit_code = (*worker)->process->Terminate(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << (*worker)->process->LogTail();
  EXPECT_LT(absl::Now() - signalled, absl::Seconds(3 + 5)) << "the grace period is 3 s";

  auto done = (*cluster)->Status(*short_task);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state(), queue::v1::TASK_STATE_COMPLETED) << done->DebugString();
  auto cut = (*cluster)->Status(*long_task);
  ASSERT_TRUE(cut.ok());
  ASSERT_GE(cut->runs_size(), 1);
  EXPECT_EQ(cut->runs(0).state(), queue::v1::TASK_STATE_EXCEPTION) << cut->DebugString();
  EXPECT_EQ(cut->runs(0).reason_resolved(), "worker-shutdown") << cut->DebugString();
  // The queue retries a worker-shutdown: a new run waits for another worker.
  ASSERT_EQ(cut->runs_size(), 2) << cut->DebugString();
  EXPECT_EQ(cut->state(), queue::v1::TASK_STATE_PENDING) << cut->DebugString();
}

// A privileged worker whose verifier cannot be reached never runs the task unverified: the run is
// resolved exception/resource-unavailable and the command's output is nowhere in the log.
TEST(PrivilegedWorkerTest, AnUnreachableVerifierMeansTheTaskNeverRuns) {
  if (!process::IsRoot()) GTEST_SKIP() << "workers run as root (tasks as nobody); run as root";
  auto cluster = WorkerCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto worker = (*cluster)->StartWorker(
      "proj-test/signing", "signing-1",
      {"--verify-task-type=signing", "--verifier=127.0.0.1:1", "--verify-timeout=3s"});
  ASSERT_TRUE(worker.ok()) << worker.status();
  auto task_id = (*cluster)->CreateTask("proj-test/signing", Shell("echo SIGNED-UNVERIFIED"));
  ASSERT_TRUE(task_id.ok());
  auto status = (*cluster)->WaitResolved(*task_id, kTaskTimeout);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->state(), queue::v1::TASK_STATE_EXCEPTION) << status->DebugString();
  EXPECT_EQ(status->runs(0).reason_resolved(), "resource-unavailable") << status->DebugString();
  auto log = (*cluster)->Download(*task_id, "public/logs/live_backing.log");
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_FALSE(absl::StrContains(log->second, "SIGNED-UNVERIFIED")) << log->second;
  EXPECT_TRUE(absl::StrContains(log->second, "the task does not run unverified")) << log->second;
}

}  // namespace
}  // namespace bulwark::worker
