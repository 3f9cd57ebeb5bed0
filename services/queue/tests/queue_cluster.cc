#include "services/queue/tests/queue_cluster.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "services/queue/schema/migrations.h"

namespace bulwark::queue {

absl::StatusOr<std::unique_ptr<QueueCluster>> QueueCluster::Start(
    int replicas, const std::vector<std::string>& queue_args,
    const std::vector<const pg::MigrationSet*>& extra_sets) {
  std::unique_ptr<QueueCluster> cluster(new QueueCluster());
  std::vector<const pg::MigrationSet*> sets = {&schema::QueueMigrations()};
  sets.insert(sets.end(), extra_sets.begin(), extra_sets.end());
  auto auth = auth::AuthCluster::Start(1, nlohmann::json::object(), sets);
  if (!auth.ok()) return auth.status();
  cluster->auth_ = std::move(*auth);
  hawk::Credentials queue_creds = cluster->auth_->Static("queue");
  std::string creds_path =
      absl::StrCat(testing::OutputDir(), "/queue-credentials-", getpid(), ".json");
  std::ofstream(creds_path) << nlohmann::json{
      {"clientId", queue_creds.client_id},
      {"accessToken",
       queue_creds.access_token}}.dump();
  for (int i = 0; i < replicas; ++i) {
    std::vector<std::string> args = {"--database=" + cluster->auth_->database().RuntimeDsn("queue"),
                                     "--auth=" + cluster->auth_->process(0).address(),
                                     "--credentials=" + creds_path};
    args.insert(args.end(), queue_args.begin(), queue_args.end());
    auto process = testing::ServiceProcess::Start("services/queue/server/queue_server", args);
    if (!process.ok()) return process.status();
    absl::Status serving = testing::WaitForServing((*process)->Channel());
    if (!serving.ok()) return serving;
    cluster->queues_.push_back(std::move(*process));
  }
  return cluster;
}

std::unique_ptr<v1::Queue::Stub> QueueCluster::Stub(int replica) const {
  return v1::Queue::NewStub(queues_[replica]->Channel());
}

}  // namespace bulwark::queue
