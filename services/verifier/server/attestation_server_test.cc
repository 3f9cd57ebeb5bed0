// The verifier binary's attestation wiring, over gRPC against PostgreSQL: with --attestation-keys
// it publishes the keyring's public keys (no credentials needed) and the read methods exist;
// without it they are FAILED_PRECONDITION; an unreadable keyring stops the process at start with
// a message naming the file.

#include <fstream>
#include <string>
#include <vector>

#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "gtest/gtest.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/random.h"
#include "libraries/pg/pg_test_database.h"
#include "libraries/testing/service_process.h"
#include "nlohmann/json.hpp"
#include "services/verifier/schema/migrations.h"

namespace bulwark::verifier {
namespace {

using ::bulwark::testing::OutputDir;
using ::bulwark::testing::RunfilePath;
using ::bulwark::testing::ServiceProcess;
using ::bulwark::testing::WaitForServing;

std::vector<std::string> Args(const std::string& dsn, const std::string& keys_file) {
  std::string credentials = OutputDir() + "/verifier-credentials.json";
  std::ofstream(credentials) << R"({"clientId": "static/bulwark/verifier", "accessToken": ")"
                             << std::string(44, 'q') << "\"}";
  std::vector<std::string> args = {
      "--database=" + dsn, "--credentials=" + credentials,
      "--policy=" + RunfilePath("services/verifier/policy/testdata/demo_policy.json")};
  if (!keys_file.empty()) args.push_back("--attestation-keys=" + keys_file);
  return args;
}

std::string KeyringFile(const std::string& name) {
  SeededRandom random(9);
  nlohmann::json ring = nlohmann::json::array();
  for (const char* id : {"verifier-old", "verifier-new"}) {
    crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate(random).value();
    ring.push_back({{"id", id}, {"privateKeyPem", key.ToPem().value()}});
  }
  std::string path = OutputDir() + "/" + name;
  std::ofstream(path) << ring.dump();
  return path;
}

class AttestationServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::PgTestDatabase::Create({&schema::VerifierMigrations()});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  std::unique_ptr<pg::PgTestDatabase> db_;
};

TEST_F(AttestationServerTest, PublishesTheAttestationKeys) {
  auto process = ServiceProcess::Start(RunfilePath("services/verifier/server/verifier_server"),
                                       Args(db_->RuntimeDsn("verifier"), KeyringFile("keys.json")));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(WaitForServing((*process)->Channel()).ok()) << (*process)->LogTail();
  auto stub = v1::Verifier::NewStub((*process)->Channel());
  grpc::ClientContext context;
  v1::GetAttestationKeysResponse keys;
  grpc::Status status = stub->GetAttestationKeys(&context, v1::GetAttestationKeysRequest(), &keys);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(keys.current_key_id(), "verifier-new");
  const auto& list = keys.jwks().fields().at("keys").list_value();
  ASSERT_EQ(list.values_size(), 2);
  EXPECT_EQ(list.values(0).struct_value().fields().at("kid").string_value(), "verifier-old");
  EXPECT_EQ(list.values(1).struct_value().fields().at("crv").string_value(), "Ed25519");
  EXPECT_TRUE(keys.needed_until().empty());
  // Reads need credentials with their scope: an anonymous caller is refused, not UNIMPLEMENTED.
  grpc::ClientContext get_context;
  v1::GetAttestationRequest get;
  get.set_task_id("nosuchtaskAAAAAAAAAAAA");
  v1::Attestation attestation;
  grpc::Status get_status = stub->GetAttestation(&get_context, get, &attestation);
  EXPECT_NE(get_status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(get_status.error_code(), grpc::StatusCode::OK);
}

TEST_F(AttestationServerTest, WithoutAKeyringNoAttestations) {
  auto process = ServiceProcess::Start(RunfilePath("services/verifier/server/verifier_server"),
                                       Args(db_->RuntimeDsn("verifier"), ""));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(WaitForServing((*process)->Channel()).ok()) << (*process)->LogTail();
  auto stub = v1::Verifier::NewStub((*process)->Channel());
  grpc::ClientContext context;
  v1::GetAttestationKeysResponse keys;
  grpc::Status status = stub->GetAttestationKeys(&context, v1::GetAttestationKeysRequest(), &keys);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("--attestation-keys"), std::string::npos)
      << status.error_message();
}

TEST_F(AttestationServerTest, AnUnreadableKeyringStopsTheStart) {
  std::string bad = OutputDir() + "/bad-keys.json";
  std::ofstream(bad) << R"([{"id": "k", "privateKeyPem": "not a key"}])";
  auto process = ServiceProcess::Start(RunfilePath("services/verifier/server/verifier_server"),
                                       Args(db_->RuntimeDsn("verifier"), bad));
  ASSERT_FALSE(process.ok());
  EXPECT_NE(std::string(process.status().message()).find("attestation keyring"), std::string::npos)
      << process.status();
}

}  // namespace
}  // namespace bulwark::verifier
