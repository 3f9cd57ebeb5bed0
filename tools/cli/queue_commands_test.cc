// The queue commands of the `bulwark` binary (task-status, task-log, artifact get), run as a
// process against real auth and queue servers on PostgreSQL.
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/proto/timestamp.h"
#include "libraries/testing/pseudo_random_bytes.h"
#include "nlohmann/json.hpp"
#include "services/queue/client/artifact_transfer.h"
#include "services/queue/tests/queue_cluster.h"

extern char** environ;

namespace bulwark::cli {
namespace {

using auth::SignedContext;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class QueueCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = queue::QueueCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = cluster->release();
    hawk::Credentials root = cluster_->Root();
    dir_ = testing::OutputDir();
    credentials_ = dir_ + "/root-credentials.json";
    std::ofstream(credentials_)
        << nlohmann::json{{"clientId", root.client_id}, {"accessToken", root.access_token}}.dump();
    task_id_ = new std::string(NewClaimedTask());
  }

  // A new task on proj/linux, created and claimed (run 0 running) with root's credentials.
  static std::string NewClaimedTask() {
    hawk::Credentials root = cluster_->Root();
    auto stub = cluster_->Stub();
    queue::v1::CreateTaskRequest request;
    request.set_task_id(NiceSlugid(Random::Secure()));
    queue::v1::TaskDefinition* t = request.mutable_task();
    t->set_task_queue_id("proj/linux");
    *t->mutable_created() = ToProtoTimestamp(absl::Now());
    *t->mutable_deadline() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
    t->mutable_metadata()->set_name("build");
    t->mutable_metadata()->set_description("builds");
    t->mutable_metadata()->set_owner("dev@example.com");
    t->mutable_metadata()->set_source("https://github.com/org/app");
    queue::v1::CreateTaskResponse created;
    EXPECT_TRUE(stub->CreateTask(SignedContext(&root).get(), request, &created).ok());
    queue::v1::ClaimWorkRequest claim;
    claim.set_task_queue_id("proj/linux");
    claim.set_worker_group("wg");
    claim.set_worker_id("w1");
    claim.set_tasks(1);
    queue::v1::ClaimWorkResponse claimed;
    EXPECT_TRUE(stub->ClaimWork(SignedContext(&root).get(), claim, &claimed).ok());
    EXPECT_EQ(claimed.tasks_size(), 1);
    return request.task_id();
  }

  static void TearDownTestSuite() {
    delete task_id_;  // LeakSanitizer (./dev test --asan) reported it
    task_id_ = nullptr;
    delete cluster_;
    cluster_ = nullptr;
  }

  // Runs the bulwark binary with `args` (the queue's address and, unless `anonymous`, the root
  // credentials added).
  static Result Bulwark(std::vector<std::string> args, bool anonymous = false) {
    static int counter = 0;
    std::string out = absl::StrCat(dir_, "/bulwark-", counter, ".out");
    std::string err = absl::StrCat(dir_, "/bulwark-", counter++, ".err");
    std::vector<std::string> argv = {testing::RunfilePath("tools/cli/bulwark")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--authority=" + cluster_->queue().address());
    argv.push_back("--plaintext");  // the test cluster serves plaintext
    if (!anonymous) argv.push_back("--credentials=" + credentials_);
    std::vector<char*> raw;
    for (std::string& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    Result r;
    pid_t pid = -1;
    int rc = posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      ADD_FAILURE() << "cannot run " << raw[0] << ": errno " << rc;
      return r;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  // Uploads `content` as artifact `name` of run 0, with root's credentials.
  static void Upload(const std::string& name, const std::string& content) {
    UploadTo(*task_id_, name, content);
  }
  static void UploadTo(const std::string& task_id, const std::string& name,
                       const std::string& content) {
    hawk::Credentials root = cluster_->Root();
    queue::v1::UploadArtifactHeader header;
    header.set_task_id(task_id);
    header.set_run_id(0);
    header.set_name(name);
    size_t at = 0;
    auto stub = cluster_->Stub();
    auto uploaded = queue::UploadArtifactStream(*stub, *SignedContext(&root), header,
                                                [&](char* b, size_t n) -> absl::StatusOr<size_t> {
                                                  size_t take = std::min(n, content.size() - at);
                                                  content.copy(b, take, at);
                                                  at += take;
                                                  return take;
                                                });
    ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  }

  static queue::QueueCluster* cluster_;
  static std::string* task_id_;
  static std::string dir_;
  static std::string credentials_;
};

queue::QueueCluster* QueueCommandsTest::cluster_ = nullptr;
std::string* QueueCommandsTest::task_id_ = nullptr;
std::string QueueCommandsTest::dir_;
std::string QueueCommandsTest::credentials_;

TEST_F(QueueCommandsTest, TaskStatusPrintsASummaryOrJson) {
  Result text = Bulwark({"task-status", *task_id_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("task " + *task_id_ + ": running"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("run 0: running"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("on wg/w1"), std::string::npos) << text.out;
  Result json = Bulwark({"task-status", "--format=json", *task_id_});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json parsed = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << json.out;
  EXPECT_EQ(parsed["taskId"], *task_id_);
  EXPECT_EQ(parsed["state"], "TASK_STATE_RUNNING");
  EXPECT_EQ(parsed["runs"][0]["workerId"], "w1");
  Result missing = Bulwark({"task-status", NiceSlugid(Random::Secure())});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("NOT_FOUND"), std::string::npos) << missing.err;
  EXPECT_EQ(Bulwark({"task-status"}).exit_code, 2);
  EXPECT_EQ(Bulwark({"task-status", "--format=yaml", *task_id_}).exit_code, 2);
}

TEST_F(QueueCommandsTest, ArtifactGetStreamsToAFileOrStdoutAndChecksTheHash) {
  std::string content = testing::PseudoRandomBytes(3 * queue::kUploadChunkBytes + 17, 1);
  Upload("public/build/out.bin", content);
  std::string file = dir_ + "/out.bin";
  Result to_file = Bulwark({"artifact", "get", *task_id_, "public/build/out.bin", "-o", file});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(ReadFile(file), content);
  EXPECT_TRUE(to_file.out.empty());
  Result to_stdout = Bulwark({"artifact", "get", "--run=0", *task_id_, "public/build/out.bin"});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, content);

  Result missing = Bulwark({"artifact", "get", *task_id_, "public/none", "-o", dir_ + "/none"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("NOT_FOUND"), std::string::npos) << missing.err;
  EXPECT_FALSE(Exists(dir_ + "/none"));
  Result anonymous = Bulwark({"artifact", "get", *task_id_, "public/build/out.bin"}, true);
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find("PERMISSION_DENIED"), std::string::npos) << anonymous.err;
  EXPECT_EQ(Bulwark({"artifact", "get", *task_id_}).exit_code, 2);
  EXPECT_EQ(Bulwark({"artifact", "put", *task_id_, "x"}).exit_code, 2);
  EXPECT_EQ(Bulwark({"artifact", "get", "--run=-1", *task_id_, "x"}).exit_code, 2);
}

TEST_F(QueueCommandsTest, ArtifactGetRefusesContentThatDoesNotMatchAndWritesNoFile) {
  std::string content = testing::PseudoRandomBytes(2 * queue::kUploadChunkBytes + 5, 2);
  Upload("public/build/damaged.bin", content);
  {
    // Damage the stored content behind the queue's back.
    pqxx::connection admin(cluster_->auth().database().AdminDsn());
    pqxx::work txn(admin);
    pqxx::result r = txn.exec_params(
        "UPDATE queue.artifact_chunks SET data = set_byte(data, 7, (get_byte(data, 7) + 1) % 256) "
        "WHERE seq = 1 AND sha256 = (SELECT sha256 FROM queue.artifacts WHERE name = $1)",
        std::string("public/build/damaged.bin"));
    ASSERT_EQ(r.affected_rows(), 1u);
    txn.commit();
  }
  std::string file = dir_ + "/damaged.bin";
  Result r = Bulwark({"artifact", "get", *task_id_, "public/build/damaged.bin", "-o", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("DATA_LOSS"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SHA-256"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(file + " was not written"), std::string::npos) << r.err;
  EXPECT_FALSE(Exists(file));
  // No partial file is left beside it either.
  DIR* d = opendir(dir_.c_str());
  ASSERT_NE(d, nullptr);
  while (dirent* e = readdir(d)) {
    EXPECT_EQ(std::string(e->d_name).find("damaged.bin.partial"), std::string::npos) << e->d_name;
  }
  closedir(d);
  Result out = Bulwark({"artifact", "get", *task_id_, "public/build/damaged.bin"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("DATA_LOSS"), std::string::npos) << out.err;
}

TEST_F(QueueCommandsTest, TaskLogStreamsTheLogToStdout) {
  std::string log;
  for (int i = 0; log.size() < queue::kUploadChunkBytes + 1000; ++i) {
    absl::StrAppend(&log, "[taskcluster 2026-01-01T00:00:00Z] step ", i, " ok\n");
  }
  Upload("public/logs/live_backing.log", log);
  Result r = Bulwark({"task-log", *task_id_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, log);
  Result run = Bulwark({"task-log", "--run=0", *task_id_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, log);
  Result no_run = Bulwark({"task-log", "--run=3", *task_id_});
  EXPECT_EQ(no_run.exit_code, 1);
  EXPECT_NE(no_run.err.find("NOT_FOUND"), std::string::npos) << no_run.err;
}

// A run's chain of trust as a worker writes it: the body names the task and run and the digest
// of each artifact, and the signature is over the body's exact bytes.
struct SignedRun {
  std::string task_id;
  std::string public_key_file;
};

class VerifyCotTest : public QueueCommandsTest {
 protected:
  // Uploads `artifacts` and a chain of trust for `task_id` run 0 whose body is `body` (made
  // from the real digests unless the caller edits it), signed with a new key; returns the key's
  // public PEM file.
  static std::string SignRun(const std::string& task_id,
                             const std::map<std::string, std::string>& artifacts,
                             const std::function<void(nlohmann::json&)>& edit = nullptr) {
    nlohmann::json body = {{"chainOfTrustVersion", 1}, {"taskId", task_id}, {"runId", 0},
                           {"workerGroup", "wg"},      {"workerId", "w1"},  {"artifacts", {}}};
    for (const auto& [name, content] : artifacts) {
      UploadTo(task_id, name, content);
      body["artifacts"][name] = {{"sha256", HexSha256(content)}};
    }
    if (edit) edit(body);
    auto key = crypto::Ed25519PrivateKey::Generate(Random::Secure());
    EXPECT_TRUE(key.ok());
    std::string bytes = body.dump();
    auto signature = key->Sign(bytes);
    EXPECT_TRUE(signature.ok());
    UploadTo(task_id, "public/chain-of-trust.json", bytes);
    UploadTo(task_id, "public/chain-of-trust.json.sig", *signature);
    std::string pem_file = absl::StrCat(dir_, "/", task_id, ".pub.pem");
    std::ofstream(pem_file) << key->PublicKey().ToPem();
    return pem_file;
  }

  static std::string HexSha256(const std::string& content) {
    crypto::Sha256Stream sha;
    sha.Update(content);
    return sha.FinishHex();
  }
};

TEST_F(VerifyCotTest, ASignedRunVerifiesAndEachDigestIsChecked) {
  std::string task = NewClaimedTask();
  std::string key = SignRun(task, {{"public/build/app.bin", testing::PseudoRandomBytes(5000, 3)},
                                   {"public/logs/live_backing.log", "line\n"}});
  UploadTo(task, "public/extra.txt", "uploaded by the task itself");
  Result r = Bulwark({"verify-cot", task, "--public-key=" + key});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("chain of trust of task " + task + " run 0: signature valid"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\u2713 public/build/app.bin  sha256 " +
                       HexSha256(testing::PseudoRandomBytes(5000, 3))),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("- public/extra.txt  not signed"), std::string::npos) << r.out;
  EXPECT_EQ(Bulwark({"verify-cot", "--run=0", task, "--public-key=" + key}).exit_code, 0);
}

TEST_F(VerifyCotTest, AnotherKeysSignatureIsRefused) {
  std::string task = NewClaimedTask();
  SignRun(task, {{"public/build/app.bin", "app"}});
  std::string other = SignRun(NewClaimedTask(), {{"public/build/app.bin", "app"}});
  Result r = Bulwark({"verify-cot", task, "--public-key=" + other});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("DATA_LOSS"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not verify with key"), std::string::npos) << r.err;
}

TEST_F(VerifyCotTest, ADigestThatDiffersFromTheQueuesIsRefused) {
  std::string task = NewClaimedTask();
  std::string key = SignRun(task, {{"public/build/app.bin", "the real bytes"}}, [](auto& body) {
    body["artifacts"]["public/build/app.bin"]["sha256"] = HexSha256("other bytes");
  });
  Result r = Bulwark({"verify-cot", task, "--public-key=" + key});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("artifact public/build/app.bin: signed sha256 " + HexSha256("other bytes")),
            std::string::npos)
      << r.err;
}

TEST_F(VerifyCotTest, ASignedArtifactTheQueueDoesNotHaveIsRefused) {
  std::string task = NewClaimedTask();
  std::string key = SignRun(task, {{"public/build/app.bin", "app"}}, [](auto& body) {
    body["artifacts"]["public/build/ghost.bin"] = {{"sha256", HexSha256("ghost")}};
  });
  Result r = Bulwark({"verify-cot", task, "--public-key=" + key});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("public/build/ghost.bin is signed but the queue has no such artifact"),
            std::string::npos)
      << r.err;
}

TEST_F(VerifyCotTest, ABodyForAnotherTaskIsRefused) {
  std::string task = NewClaimedTask();
  std::string key = SignRun(task, {{"public/build/app.bin", "app"}},
                            [](auto& body) { body["taskId"] = *task_id_; });
  Result r = Bulwark({"verify-cot", task, "--public-key=" + key});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the signed body is for task " + *task_id_), std::string::npos) << r.err;
}

TEST_F(VerifyCotTest, ABadKeyFileOrARunWithoutAChainOfTrustFailsAndBadUsageIsTwo) {
  Result r = Bulwark({"verify-cot", NewClaimedTask(), "--public-key=/dev/null"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--public-key"), std::string::npos) << r.err;
  Result none = Bulwark({"verify-cot", NewClaimedTask(),
                         "--public-key=" + SignRun(NewClaimedTask(), {{"public/a", "a"}})});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("NOT_FOUND"), std::string::npos) << none.err;
  EXPECT_EQ(Bulwark({"verify-cot", NewClaimedTask()}).exit_code, 2);
}

}  // namespace
}  // namespace bulwark::cli
