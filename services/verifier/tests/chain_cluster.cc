#include "services/verifier/tests/chain_cluster.h"

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/struct_json.h"
#include "nlohmann/json.hpp"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/tests/hooks_cluster.h"
#include "services/verifier/schema/migrations.h"

namespace bulwark::verifier {
namespace {

nlohmann::json Policy(const std::vector<worker::WorkerCluster::Worker*>& workers,
                      const crypto::Ed25519PublicKey& expired_build_key) {
  nlohmann::json keys = nlohmann::json::array();
  for (const worker::WorkerCluster::Worker* w : workers) {
    keys.push_back({{"id", "test-" + w->worker_id},
                    {"publicKey", crypto::Base64Encode(w->public_key->Raw())},
                    {"pools", {w->pool}},
                    {"notBefore", "2026-01-01T00:00:00Z"},
                    {"notAfter", "2099-01-01T00:00:00Z"}});
  }
  keys.push_back({{"id", "test-build-2020"},
                  {"publicKey", crypto::Base64Encode(expired_build_key.Raw())},
                  {"pools", {kBuildPool}},
                  {"notBefore", "2020-01-01T00:00:00Z"},
                  {"notAfter", "2021-01-01T00:00:00Z"}});
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

absl::StatusOr<std::unique_ptr<ChainCluster>> ChainCluster::Start(const Options& options) {
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

  cluster->build_ = *build;
  cluster->signing_ = *signing;
  auto expired = crypto::Ed25519PrivateKey::Generate(Random::Secure());
  if (!expired.ok()) return expired.status();
  cluster->expired_build_key_ = std::make_unique<crypto::Ed25519PrivateKey>(*std::move(expired));

  const std::string base = absl::StrCat(testing::OutputDir(), "/chain-", getpid());
  cluster->policy_ =
      Policy({*decision, *build, *signing}, cluster->expired_build_key_->PublicKey());
  cluster->policy_version_ = cluster->policy_["version"];
  cluster->policy_file_ = base + "-policy.json";
  std::ofstream(cluster->policy_file_) << cluster->policy_.dump(2);
  // The verifier's attestation keyring (a crypto::SigningKeyring list), root's, mode 0600.
  auto attestation_key = crypto::Ed25519PrivateKey::Generate(Random::Secure());
  if (!attestation_key.ok()) return attestation_key.status();
  auto attestation_pem = attestation_key->ToPem();
  if (!attestation_pem.ok()) return attestation_pem.status();
  const std::string attestation_keys = base + "-attestation-keys.json";
  std::ofstream(attestation_keys) << nlohmann::json::array(
      {{{"id", "chain-attestation-1"}, {"privateKeyPem", *attestation_pem}}});
  chmod(attestation_keys.c_str(), 0600);
  hawk::Credentials creds = w.queue().auth().Static("verifier");
  std::ofstream(base + "-verifier-credentials.json")
      << nlohmann::json{{"clientId", creds.client_id}, {"accessToken", creds.access_token}}.dump();
  auto verifier = testing::ServiceProcess::Start(
      "services/verifier/server/verifier_server",
      {"--database=" + w.queue().auth().database().RuntimeDsn("verifier"),
       "--auth=" + w.queue().auth().process(0).address(), "--queue=" + w.queue().queue(0).address(),
       "--hooks=" + cluster->hooks_->address(),
       "--credentials=" + base + "-verifier-credentials.json", "--policy=" + cluster->policy_file_,
       "--attestation-keys=" + attestation_keys});
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
  if (absl::Status l = w.LaunchWorker(**decision, {tools_flag}); !l.ok()) return l;
  if (options.launch_build_worker) {
    if (absl::Status l = w.LaunchWorker(**build, {tools_flag}); !l.ok()) return l;
  }
  absl::Status l = w.LaunchWorker(**signing, {tools_flag, "--verify-task-type=signing",
                                              "--verifier=" + cluster->verifier_->address()});
  if (!l.ok()) return l;
  return cluster;
}

absl::Status ChainCluster::InstallReleaseHook() {
  hawk::Credentials root = Root();
  auth::v1::CreateRoleRequest role;
  if (!google::protobuf::util::JsonStringToMessage(
           testing::ReadFile(testing::RunfilePath("docs/examples/demo-release-role.json")), &role)
           .ok()) {
    return absl::InternalError("docs/examples/demo-release-role.json does not parse");
  }
  auth::v1::Role created_role;
  grpc::Status s = auth().Stub()->CreateRole(auth::SignedContext(&root).get(), role, &created_role);
  if (!s.ok()) return absl::InternalError("CreateRole: " + s.error_message());
  hooks::v1::CreateHookRequest hook;
  if (!google::protobuf::util::JsonStringToMessage(
           testing::ReadFile(testing::RunfilePath("docs/examples/demo-release-hook.json")),
           hook.mutable_hook())
           .ok()) {
    return absl::InternalError("docs/examples/demo-release-hook.json does not parse");
  }
  hooks::v1::Hook created_hook;
  s = Hooks()->CreateHook(auth::SignedContext(&root).get(), hook, &created_hook);
  if (!s.ok()) return absl::InternalError("CreateHook: " + s.error_message());
  return absl::OkStatus();
}

absl::StatusOr<std::string> ChainCluster::Fire(const std::string& repository,
                                               const std::string& revision) {
  hawk::Credentials root = Root();
  hooks::v1::TriggerHookRequest request;
  request.set_hook_group_id("demo");
  request.set_hook_id("release");
  auto payload = StructFromJson({{"repository", repository}, {"revision", revision}});
  if (!payload.ok()) return payload.status();
  *request.mutable_payload() = *std::move(payload);
  hooks::v1::TriggerHookResponse response;
  grpc::Status s = Hooks()->TriggerHook(auth::SignedContext(&root).get(), request, &response);
  if (!s.ok()) return absl::InternalError("TriggerHook: " + s.error_message());
  return response.task_id();
}

absl::StatusOr<v1::Verification> ChainCluster::Verify(const std::string& task_id,
                                                      const std::string& type, v1::RootMode mode) {
  hawk::Credentials root = Root();
  v1::VerifyTaskRequest request;
  request.set_task_id(task_id);
  request.set_task_type(type);
  request.set_root_mode(mode);
  v1::Verification verification;
  grpc::Status s = Verifier()->VerifyTask(auth::SignedContext(&root).get(), request, &verification);
  if (!s.ok()) return absl::InternalError("VerifyTask: " + s.error_message());
  return verification;
}

std::set<std::string> ChainCluster::FailedChecks(const v1::Verification& v) {
  std::set<std::string> out;
  for (const v1::ChainLink& link : v.links()) {
    for (const v1::Check& c : link.checks()) {
      if (!c.passed()) out.insert(link.name() + "/" + c.name());
    }
  }
  for (const v1::Check& c : v.checks()) {
    if (!c.passed()) out.insert("/" + c.name());
  }
  return out;
}

absl::Status ChainCluster::ReloadPolicy(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json policy = policy_;
  if (edit) edit(policy);
  const std::string version = absl::StrCat(policy_["version"].get<std::string>(), "-r", ++reloads_);
  policy["version"] = version;
  std::ofstream(policy_file_, std::ios::trunc) << policy.dump(2);
  verifier_->Signal(SIGHUP);
  hawk::Credentials root = Root();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    v1::GetPolicyRequest request;
    v1::Policy current;
    grpc::Status s = Verifier()->GetPolicy(auth::SignedContext(&root).get(), request, &current);
    if (s.ok() && current.version() == version) {
      policy_version_ = version;
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("the verifier did not load policy " + version + "\n" +
                                     verifier_->LogTail());
}

std::unique_ptr<hooks::v1::Hooks::Stub> ChainCluster::Hooks() const {
  return hooks::v1::Hooks::NewStub(hooks_->Channel());
}

std::unique_ptr<v1::Verifier::Stub> ChainCluster::Verifier() const {
  return v1::Verifier::NewStub(verifier_->Channel());
}

}  // namespace bulwark::verifier
