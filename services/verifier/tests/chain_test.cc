#include "services/verifier/tests/chain_test.h"

#include "libraries/process/identity.h"
#include "nlohmann/json.hpp"

namespace bulwark::verifier {

ChainCluster* ChainTest::cluster_ = nullptr;

void ChainTest::StartCluster(const ChainCluster::Options& options) {
  if (!process::IsRoot()) return;
  auto cluster = ChainCluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  cluster_ = cluster->release();
  absl::Status installed = cluster_->InstallReleaseHook();
  ASSERT_TRUE(installed.ok()) << installed;
}

void ChainTest::TearDownTestSuite() {
  delete cluster_;
  cluster_ = nullptr;
}

void ChainTest::SetUp() {
  if (!process::IsRoot()) GTEST_SKIP() << "workers run as root (tasks as nobody); run as root";
  ASSERT_NE(cluster_, nullptr);
}

std::string ChainTest::Artifact(const std::string& task_id, const std::string& name) {
  auto got = cluster_->workers().Download(task_id, name);
  EXPECT_TRUE(got.ok()) << name << ": " << got.status();
  return got.ok() ? got->second : "";
}

ChainTest::Release ChainTest::FireRelease(const std::string& repository,
                                          const std::string& revision) {
  Release r;
  auto fired = cluster_->Fire(repository, revision);
  EXPECT_TRUE(fired.ok()) << fired.status();
  if (!fired.ok()) return r;
  r.decision = *fired;
  auto decided = cluster_->workers().WaitResolved(r.decision, kTimeout);
  EXPECT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided.ok() ? decided->state() : queue::v1::TASK_STATE_UNSPECIFIED,
            queue::v1::TASK_STATE_COMPLETED)
      << Artifact(r.decision, "public/logs/live_backing.log");
  nlohmann::json graph =
      nlohmann::json::parse(Artifact(r.decision, "public/task-graph.json"), nullptr, false);
  EXPECT_TRUE(graph.is_object() && graph.size() == 2) << graph;
  if (!graph.is_object()) return r;
  for (const auto& [id, entry] : graph.items()) {
    (entry["task"]["taskQueueId"] == kSigningPool ? r.signing : r.build) = id;
  }
  return r;
}

void ChainTest::WaitResolved(const std::string& task_id) {
  auto status = cluster_->workers().WaitResolved(task_id, kTimeout);
  EXPECT_TRUE(status.ok()) << task_id << ": " << status.status();
}

v1::Verification ChainTest::Verify(const std::string& task_id, v1::RootMode mode) {
  auto verification = cluster_->Verify(task_id, "signing", mode);
  EXPECT_TRUE(verification.ok()) << verification.status();
  return verification.ok() ? *verification : v1::Verification();
}

}  // namespace bulwark::verifier
