#include "services/auth/tests/auth_cluster.h"

#include <atomic>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/client/call_credentials.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/signer.h"
#include "services/auth/schema/migrations.h"

namespace bulwark::auth {

absl::StatusOr<nlohmann::json> AuthCluster::GenerateConfig() {
  Random& random = Random::Secure();
  nlohmann::json clients = nlohmann::json::array();
  for (const char* name : {"root", "queue", "hooks", "verifier"}) {
    clients.push_back({{"clientId", std::string("static/bulwark/") + name},
                       {"accessToken", NewAccessToken(random)}});
  }
  auto key = crypto::Ed25519PrivateKey::Generate(random);
  if (!key.ok()) return key.status();
  auto pem = key->ToPem();
  if (!pem.ok()) return pem.status();
  return nlohmann::json{
      {"staticClients", clients},
      {"tokenKeys", {{{"id", "test-1"}, {"key", absl::Base64Escape(random.Bytes(32))}}}},
      {"auditKeys", {{{"id", "test-audit-1"}, {"key", absl::Base64Escape(random.Bytes(32))}}}},
      {"signingKeys", {{{"id", "test-sa"}, {"privateKeyPem", *pem}}}},
      {"serviceAccounts", {{"issuer", "bulwark-test"}, {"allowlist", {"uploader"}}}},
  };
}

std::string AuthCluster::WriteConfig(const nlohmann::json& config) {
  static std::atomic<int> counter{0};
  std::string path =
      absl::StrCat(testing::OutputDir(), "/auth-", getpid(), "-", counter++, ".json");
  std::ofstream(path) << config.dump(2);
  return path;
}

absl::StatusOr<std::unique_ptr<AuthCluster>> AuthCluster::Start(
    int replicas, const nlohmann::json& extra_config,
    const std::vector<const pg::MigrationSet*>& extra_sets) {
  std::unique_ptr<AuthCluster> cluster(new AuthCluster());
  std::vector<const pg::MigrationSet*> sets = {&schema::AuthMigrations()};
  sets.insert(sets.end(), extra_sets.begin(), extra_sets.end());
  auto db = pg::PgTestDatabase::Create(sets);
  if (!db.ok()) return db.status();
  cluster->db_ = std::move(*db);

  auto config = GenerateConfig();
  if (!config.ok()) return config.status();
  cluster->config_ = std::move(*config);
  cluster->config_.update(extra_config);
  cluster->config_path_ = WriteConfig(cluster->config_);

  for (int i = 0; i < replicas; ++i) {
    auto process = cluster->StartReplica({});
    if (!process.ok()) return process.status();
    cluster->processes_.push_back(std::move(*process));
  }
  return cluster;
}

absl::StatusOr<std::unique_ptr<testing::ServiceProcess>> AuthCluster::StartReplica(
    const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"--database=" + db_->RuntimeDsn("auth"),
                                   "--config=" + config_path_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto process = testing::ServiceProcess::Start("services/auth/server/auth_server", args);
  if (!process.ok()) return process.status();
  absl::Status serving = testing::WaitForServing((*process)->Channel());
  if (!serving.ok()) {
    return absl::Status(serving.code(),
                        absl::StrCat(serving.message(), "\n", (*process)->LogTail()));
  }
  return process;
}

absl::Status AuthCluster::Restart(int replica) {
  const int port = processes_[replica]->port();
  processes_[replica]->Kill();
  auto process = StartReplica({absl::StrCat("--listen=127.0.0.1:", port)});
  if (!process.ok()) return process.status();
  processes_[replica] = std::move(*process);
  return absl::OkStatus();
}

std::unique_ptr<v1::Auth::Stub> AuthCluster::Stub(int replica) const {
  return v1::Auth::NewStub(processes_[replica]->Channel());
}

hawk::Credentials AuthCluster::Static(const std::string& name) const {
  for (const nlohmann::json& c : config_["staticClients"]) {
    if (c["clientId"] == "static/bulwark/" + name) {
      return {c["clientId"], c["accessToken"], "", std::nullopt};
    }
  }
  return {};
}

std::unique_ptr<grpc::ClientContext> SignedContext(const hawk::Credentials* credentials) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  if (credentials != nullptr) context->set_credentials(HawkCallCredentials(*credentials));
  return context;
}

CallInfo SignedCall(const hawk::Credentials& credentials, const std::string& method,
                    const std::string& body, const std::string& received) {
  hawk::Request request;
  request.resource = method;
  request.host = "127.0.0.1";
  request.port = 50052;
  request.payload_hash = hawk::GrpcPayloadHash(body);
  CallInfo call;
  call.method = method;
  call.authority = "127.0.0.1:50052";
  call.authorization = *hawk::SignRequest(credentials, request, Clock::Real(), Random::Secure());
  call.payload_hash = hawk::GrpcPayloadHash(received);
  return call;
}

}  // namespace bulwark::auth
