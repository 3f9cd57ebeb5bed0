#include "services/verifier/tests/chain_cluster.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "libraries/crypto/encoding.h"
#include "nlohmann/json.hpp"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/tests/hooks_cluster.h"
#include "services/verifier/schema/migrations.h"

namespace bulwark::verifier {
namespace {

nlohmann::json Policy(const std::vector<worker::WorkerCluster::Worker*>& workers) {
  nlohmann::json keys = nlohmann::json::array();
  for (const worker::WorkerCluster::Worker* w : workers) {
    keys.push_back({{"id", "test-" + w->worker_id},
                    {"publicKey", crypto::Base64Encode(w->public_key->Raw())},
                    {"pools", {w->pool}},
                    {"notBefore", "2026-01-01T00:00:00Z"},
                    {"notAfter", "2099-01-01T00:00:00Z"}});
  }
  return {{"version", "chain-test-1"},
          {"maxChainLength", 10},
          {"maxLinks", 100},
          {"workerKeys", keys},
          {"decisionPools", {kDecisionPool}},
          {"taskTypes",
           {{"decision", {{"pools", {kDecisionPool}}}},
            {"build", {{"pools", {kBuildPool}}}},
            {"signing", {{"pools", {kSigningPool}}}}}},
          {"hooks",
           {{"demo/release",
             {{"repository", {{"pointer", "/payload/repository"}}},
              {"revision", {{"pointer", "/payload/revision"}}}}}}},
          {"trustedRepositories", {{{"prefix", kTrustedRepository}, {"path", "demo/app"}}}},
          {"restrictedScopes", {{"project:demo:signing:*", "release-trees"}}},
          {"aliases", {{"release-trees", {kTrustedRepository}}}}};
}

absl::Status Install(const std::string& from, const std::string& to) {
  std::error_code error;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, error);
  if (error) return absl::FailedPreconditionError("copy " + from + ": " + error.message());
  chmod(to.c_str(), 0755);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChainCluster>> ChainCluster::Start() {
  std::unique_ptr<ChainCluster> cluster(new ChainCluster());
  auto workers =
      worker::WorkerCluster::Start({}, {&schema::HooksMigrations(), &schema::VerifierMigrations()});
  if (!workers.ok()) return workers.status();
  cluster->workers_ = std::move(*workers);
  worker::WorkerCluster& w = *cluster->workers_;

  auto hooks = hooks::HooksCluster::StartHooks(w.queue());
  if (!hooks.ok()) return hooks.status();
  cluster->hooks_ = std::move(*hooks);

  auto decision = w.PrepareWorker(kDecisionPool, "decision-1");
  if (!decision.ok()) return decision.status();
  auto build = w.PrepareWorker(kBuildPool, "build-1");
  if (!build.ok()) return build.status();
  auto signing = w.PrepareWorker(kSigningPool, "signing-1", {"verifier:verify-task:signing"});
  if (!signing.ok()) return signing.status();

  const std::string base = absl::StrCat(testing::OutputDir(), "/chain-", getpid());
  nlohmann::json policy = Policy({*decision, *build, *signing});
  cluster->policy_version_ = policy["version"];
  std::ofstream(base + "-policy.json") << policy.dump(2);
  hawk::Credentials creds = w.queue().auth().Static("verifier");
  std::ofstream(base + "-verifier-credentials.json")
      << nlohmann::json{{"clientId", creds.client_id}, {"accessToken", creds.access_token}}.dump();
  auto verifier = testing::ServiceProcess::Start(
      "services/verifier/server/verifier_server",
      {"--database=" + w.queue().auth().database().RuntimeDsn("verifier"),
       "--auth=" + w.queue().auth().process(0).address(), "--queue=" + w.queue().queue(0).address(),
       "--hooks=" + cluster->hooks_->address(),
       "--credentials=" + base + "-verifier-credentials.json",
       "--policy=" + base + "-policy.json"});
  if (!verifier.ok()) return verifier.status();
  absl::Status serving = testing::WaitForServing((*verifier)->Channel());
  if (!serving.ok()) return serving;
  cluster->verifier_ = std::move(*verifier);

  // The tools the workers offer their tasks, where the task user can read them.
  const std::string tools = w.work_root() + "/tools";
  if (mkdir(tools.c_str(), 0755) != 0) return absl::InternalError("mkdir " + tools);
  chmod(tools.c_str(), 0755);
  absl::Status s = Install(testing::RunfilePath("tools/cli/bulwark"), tools + "/bulwark");
  if (s.ok()) {
    s = Install(testing::RunfilePath("docs/examples/release-decision.sh"),
                tools + "/release-decision");
  }
  if (!s.ok()) return s;
  const std::string tools_flag = "--task-tools=" + tools;
  for (worker::WorkerCluster::Worker* worker : {*decision, *build}) {
    if (absl::Status l = w.LaunchWorker(*worker, {tools_flag}); !l.ok()) return l;
  }
  absl::Status l = w.LaunchWorker(**signing, {tools_flag, "--verify-task-type=signing",
                                              "--verifier=" + cluster->verifier_->address()});
  if (!l.ok()) return l;
  return cluster;
}

std::unique_ptr<hooks::v1::Hooks::Stub> ChainCluster::Hooks() const {
  return hooks::v1::Hooks::NewStub(hooks_->Channel());
}

std::unique_ptr<v1::Verifier::Stub> ChainCluster::Verifier() const {
  return v1::Verifier::NewStub(verifier_->Channel());
}

}  // namespace bulwark::verifier
