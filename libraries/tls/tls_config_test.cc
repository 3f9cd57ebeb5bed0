#include "libraries/tls/tls_config.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "libraries/grpc_server/health_service.h"
#include "libraries/tls/peer_allowlist.h"
#include "libraries/tls/test_certificates.h"

namespace bulwark::tls {
namespace {

std::string TmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

class TlsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = TestCertificateAuthority::Create("Bulwark test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::make_unique<TestCertificateAuthority>(*ca);
    dir_ = TmpDir();
    ASSERT_TRUE(WriteTestFile(dir_ + "/ca.pem", ca_->cert_pem()).ok());
    auto server = ca_->Issue("server", {"server", "localhost"}, {"127.0.0.1"});
    ASSERT_TRUE(server.ok()) << server.status();
    ASSERT_TRUE(WriteTestFile(dir_ + "/server.pem", server->cert_pem).ok());
    ASSERT_TRUE(WriteTestFile(dir_ + "/server-key.pem", server->key_pem).ok());
  }

  absl::StatusOr<TlsConfig> Load(const std::string& ca, const std::string& cert,
                                 const std::string& key) {
    auto path = [&](const std::string& f) { return f.empty() ? f : dir_ + "/" + f; };
    return LoadTlsConfig({false, path(ca), path(cert), path(key)});
  }

  std::unique_ptr<TestCertificateAuthority> ca_;
  std::string dir_;
};

TEST_F(TlsConfigTest, LoadsAndChecksFiles) {
  auto config = Load("ca.pem", "server.pem", "server-key.pem");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->plaintext);
  EXPECT_NE(config->cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_TRUE(CheckServerConfig(*config).ok());

  EXPECT_EQ(Load("missing.pem", "", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Load("ca.pem", "server.pem", "").status().code(), absl::StatusCode::kInvalidArgument);
  auto other = ca_->Issue("other", {"other"}, {});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(WriteTestFile(dir_ + "/other-key.pem", other->key_pem).ok());
  auto mismatched = Load("ca.pem", "server.pem", "other-key.pem");
  EXPECT_EQ(mismatched.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(mismatched.status().message().find("does not belong"), std::string::npos);

  auto client_only = Load("ca.pem", "", "");
  ASSERT_TRUE(client_only.ok());
  EXPECT_EQ(CheckServerConfig(*client_only).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(LoadTlsConfig({true, "", "", ""})->plaintext);
}

TEST_F(TlsConfigTest, CertificateHostNamesAreTheSans) {
  auto config = Load("ca.pem", "server.pem", "server-key.pem");
  ASSERT_TRUE(config.ok());
  auto names = CertificateHostNames(config->cert_pem);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"server", "localhost", "127.0.0.1"}));
  EXPECT_EQ(CertificateHostNames("nope").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsConfigTest, MutualTlsRoundTrip) {
  auto server_config = Load("ca.pem", "server.pem", "server-key.pem");
  ASSERT_TRUE(server_config.ok());
  HealthService health({""});
  health.SetServing(true);
  grpc::ServerBuilder builder;
  builder.RegisterService(&health);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", ServerCredentials(*server_config), &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  std::string target = absl::StrCat("127.0.0.1:", port);

  auto check = [&](const std::shared_ptr<grpc::ChannelCredentials>& creds) {
    auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(target, creds));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&context, request, &response);
  };
  // With the CA (and no client certificate, as the CLI): works.
  auto client = Load("ca.pem", "", "");
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(check(ChannelCredentials(*client)).ok());
  // With the CA and a client certificate it signed: works.
  auto queue = ca_->Issue("queue", {"queue"}, {});
  ASSERT_TRUE(queue.ok());
  TlsConfig mtls = *client;
  mtls.cert_pem = queue->cert_pem;
  mtls.key_pem = queue->key_pem;
  EXPECT_TRUE(check(ChannelCredentials(mtls)).ok());
  // Without the CA (system roots): the server's certificate is not trusted.
  EXPECT_EQ(check(ChannelCredentials(TlsConfig{false, "", "", ""})).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Plaintext against a TLS server: refused.
  EXPECT_EQ(check(ChannelCredentials(TlsConfig{})).error_code(), grpc::StatusCode::UNAVAILABLE);
  // A client certificate from another CA: the handshake fails.
  auto stranger_ca = TestCertificateAuthority::Create("stranger");
  ASSERT_TRUE(stranger_ca.ok());
  auto stranger = stranger_ca->Issue("queue", {"queue"}, {});
  ASSERT_TRUE(stranger.ok());
  TlsConfig forged = *client;
  forged.cert_pem = stranger->cert_pem;
  forged.key_pem = stranger->key_pem;
  EXPECT_EQ(check(ChannelCredentials(forged)).error_code(), grpc::StatusCode::UNAVAILABLE);
  health.Shutdown();
  server->Shutdown();
}

TEST(PeerAllowlistTest, ChecksNames) {
  PeerAllowlist allowed = PeerAllowlist::Of({"queue", "hooks"});
  EXPECT_TRUE(allowed.CheckNames({"localhost", "queue"}, "AuthenticateRequest").ok());
  EXPECT_EQ(allowed.CheckNames({}, "AuthenticateRequest").code(),
            absl::StatusCode::kUnauthenticated);
  absl::Status denied = allowed.CheckNames({"intruder", "localhost"}, "AuthenticateRequest");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("intruder"), std::string::npos);
  EXPECT_TRUE(PeerAllowlist::Anyone().CheckNames({}, "AuthenticateRequest").ok());
}

}  // namespace
}  // namespace bulwark::tls
