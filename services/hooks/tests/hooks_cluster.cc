#include "services/hooks/tests/hooks_cluster.h"

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"
#include "services/hooks/schema/migrations.h"

namespace bulwark::hooks {

absl::StatusOr<std::unique_ptr<HooksCluster>> HooksCluster::Start(
    int replicas, const std::vector<std::string>& hooks_args) {
  std::unique_ptr<HooksCluster> cluster(new HooksCluster());
  auto queue = queue::QueueCluster::Start(1, {}, {&schema::HooksMigrations()});
  if (!queue.ok()) return queue.status();
  cluster->queue_ = std::move(*queue);
  for (int i = 0; i < replicas; ++i) {
    auto process = StartHooks(*cluster->queue_, hooks_args);
    if (!process.ok()) return process.status();
    cluster->hooks_.push_back(std::move(*process));
  }
  return cluster;
}

absl::StatusOr<std::unique_ptr<testing::ServiceProcess>> HooksCluster::StartHooks(
    queue::QueueCluster& queue, const std::vector<std::string>& hooks_args) {
  static int counter = 0;
  hawk::Credentials hooks_creds = queue.auth().Static("hooks");
  std::string base = absl::StrCat(testing::OutputDir(), "/hooks-", getpid(), "-", counter++);
  std::ofstream(base + "-credentials.json") << nlohmann::json{
      {"clientId", hooks_creds.client_id},
      {"accessToken", hooks_creds.access_token}}.dump();
  std::ofstream(base + "-token-keys.json")
      << nlohmann::json::array(
             {{{"id", "test-1"}, {"key", absl::Base64Escape(Random::Secure().Bytes(32))}}})
             .dump();
  std::vector<std::string> args = {
      "--database=" + queue.auth().database().RuntimeDsn("hooks"),
      "--auth=" + queue.auth().process(0).address(), "--queue=" + queue.queue(0).address(),
      "--credentials=" + base + "-credentials.json", "--token-keys=" + base + "-token-keys.json"};
  args.insert(args.end(), hooks_args.begin(), hooks_args.end());
  auto process = testing::ServiceProcess::Start("services/hooks/server/hooks_server", args);
  if (!process.ok()) return process.status();
  absl::Status serving = testing::WaitForServing((*process)->Channel());
  if (!serving.ok()) return serving;
  return process;
}

std::unique_ptr<v1::Hooks::Stub> HooksCluster::Stub(int replica) const {
  return v1::Hooks::NewStub(hooks_[replica]->Channel());
}

}  // namespace bulwark::hooks
