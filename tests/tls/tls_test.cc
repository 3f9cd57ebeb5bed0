// TLS between everything (issue 13 item 2), against the real auth and queue binaries: a CA and
// certificates made in the test, auth accepting AuthenticateRequest only from the queue's
// certificate, and the queue bound to the host names it answers to.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "bulwark/auth/v1/replicas.grpc.pb.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libraries/authn/auth_replica_router.h"
#include "libraries/authn/remote_authenticator.h"
#include "libraries/client/call_credentials.h"
#include "libraries/client/channel.h"
#include "libraries/hawk/replay_partition.h"
#include "libraries/pg/pg_test_database.h"
#include "libraries/testing/service_process.h"
#include "libraries/tls/test_certificates.h"
#include "libraries/tls/tls_config.h"
#include "nlohmann/json.hpp"
#include "services/auth/schema/migrations.h"
#include "services/auth/tests/auth_cluster.h"
#include "services/queue/schema/migrations.h"

namespace bulwark {
namespace {

using testing::ServiceProcess;

std::string Dir() { return testing::OutputDir(); }

// Writes a certificate and key for `name` (SANs: name, localhost, 127.0.0.1); returns the
// --tls-cert/--tls-key flags.
std::vector<std::string> IssueFiles(const tls::TestCertificateAuthority& ca,
                                    const std::string& name) {
  auto issued = ca.Issue(name, {name, "localhost"}, {"127.0.0.1"});
  EXPECT_TRUE(issued.ok()) << issued.status();
  std::string cert = absl::StrCat(Dir(), "/", name, ".crt");
  std::string key = absl::StrCat(Dir(), "/", name, ".key");
  EXPECT_TRUE(tls::WriteTestFile(cert, issued->cert_pem).ok());
  EXPECT_TRUE(tls::WriteTestFile(key, issued->key_pem).ok());
  return {"--tls-cert=" + cert, "--tls-key=" + key};
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ca = tls::TestCertificateAuthority::Create("Bulwark TLS test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = new tls::TestCertificateAuthority(*ca);
    ca_path_ = new std::string(Dir() + "/ca.pem");
    ASSERT_TRUE(tls::WriteTestFile(*ca_path_, ca_->cert_pem()).ok());

    auto db = pg::PgTestDatabase::Create({&schema::AuthMigrations(), &schema::QueueMigrations()});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = db->release();
    auto config = auth::AuthCluster::GenerateConfig();
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = new nlohmann::json(*config);
    std::string config_path = auth::AuthCluster::WriteConfig(*config_);

    std::vector<std::string> auth_args = {"--database=" + db_->RuntimeDsn("auth"),
                                          "--config=" + config_path, "--tls-ca=" + *ca_path_,
                                          "--tls-client-names=queue"};
    for (const std::string& f : IssueFiles(*ca_, "auth")) auth_args.push_back(f);
    auto auth = ServiceProcess::Start("services/auth/server/auth_server", auth_args);
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = auth->release();
    ASSERT_TRUE(testing::WaitForServing(Channel(auth_->address(), CaOnly())).ok())
        << auth_->LogTail();

    queue_creds_path_ = new std::string(Dir() + "/queue-credentials.json");
    hawk::Credentials queue = Static("queue");
    std::ofstream(*queue_creds_path_) << nlohmann::json{
        {"clientId", queue.client_id},
        {"accessToken", queue.access_token}}.dump();
    queue_ = StartQueue("queue", {"--hostnames=queue,127.0.0.1"}).release();
    ASSERT_NE(queue_, nullptr);
  }

  static void TearDownTestSuite() {
    delete queue_;
    delete auth_;
    delete db_;
    delete config_;
    delete ca_;
    delete ca_path_;
    delete queue_creds_path_;
  }

  // A queue presenting a certificate named `cert_name`.
  static std::unique_ptr<ServiceProcess> StartQueue(const std::string& cert_name,
                                                    std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "--database=" + db_->RuntimeDsn("queue"), "--auth=" + auth_->address(),
        "--credentials=" + *queue_creds_path_, "--tls-ca=" + *ca_path_};
    for (const std::string& f : IssueFiles(*ca_, cert_name)) args.push_back(f);
    args.insert(args.end(), extra.begin(), extra.end());
    auto queue = ServiceProcess::Start("services/queue/server/queue_server", args);
    EXPECT_TRUE(queue.ok()) << queue.status();
    if (!queue.ok()) return nullptr;
    absl::Status serving = testing::WaitForServing(Channel((*queue)->address(), CaOnly()));
    EXPECT_TRUE(serving.ok()) << serving << (*queue)->LogTail();
    return std::move(*queue);
  }

  static hawk::Credentials Static(const std::string& name) {
    for (const nlohmann::json& c : (*config_)["staticClients"]) {
      if (c["clientId"] == "static/bulwark/" + name) {
        return {c["clientId"], c["accessToken"], "", std::nullopt};
      }
    }
    ADD_FAILURE() << "no static client " << name;
    return {};
  }

  // Trusts the test CA, presents no certificate (as the CLI does).
  static tls::TlsConfig CaOnly() {
    tls::TlsConfig config;
    config.plaintext = false;
    config.ca_pem = ca_->cert_pem();
    return config;
  }
  // Trusts the test CA and presents a certificate the CA issued for `name`.
  static tls::TlsConfig WithCertificate(const std::string& name) {
    tls::TlsConfig config = CaOnly();
    auto issued = ca_->Issue(name, {name}, {});
    EXPECT_TRUE(issued.ok()) << issued.status();
    config.cert_pem = issued->cert_pem;
    config.key_pem = issued->key_pem;
    return config;
  }

  static std::shared_ptr<grpc::Channel> Channel(const std::string& target,
                                                const tls::TlsConfig& config,
                                                const std::string& authority = "") {
    grpc::ChannelArguments args;
    if (!authority.empty()) args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, authority);
    return grpc::CreateCustomChannel(target, tls::ChannelCredentials(config), args);
  }

  static grpc::Status Ping(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auth::v1::PingResponse response;
    return auth::v1::Auth::NewStub(channel)->Ping(&context, auth::v1::PingRequest(), &response);
  }

  static grpc::Status AuthenticateRequest(const tls::TlsConfig& config,
                                          auth::v1::AuthenticateRequestResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auth::v1::AuthenticateRequestRequest request;
    request.set_resource("/bulwark.queue.v1.Queue/GetTask");
    request.set_authority("127.0.0.1:1");
    return auth::v1::Auth::NewStub(Channel(auth_->address(), config))
        ->AuthenticateRequest(&context, request, response);
  }

  // GetTask of a task that does not exist, signed with `creds`, through `channel`.
  static grpc::Status GetMissingTask(const std::shared_ptr<grpc::Channel>& channel,
                                     const hawk::Credentials& creds) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.set_credentials(HawkCallCredentials(creds));
    queue::v1::GetTaskRequest request;
    request.set_task_id("fN1SbArXTPSVFNUvaOlinQ");
    queue::v1::TaskDefinition response;
    return queue::v1::Queue::NewStub(channel)->GetTask(&context, request, &response);
  }

  static tls::TestCertificateAuthority* ca_;
  static std::string* ca_path_;
  static pg::PgTestDatabase* db_;
  static nlohmann::json* config_;
  static std::string* queue_creds_path_;
  static ServiceProcess* auth_;
  static ServiceProcess* queue_;
};

tls::TestCertificateAuthority* TlsTest::ca_ = nullptr;
std::string* TlsTest::ca_path_ = nullptr;
pg::PgTestDatabase* TlsTest::db_ = nullptr;
nlohmann::json* TlsTest::config_ = nullptr;
std::string* TlsTest::queue_creds_path_ = nullptr;
ServiceProcess* TlsTest::auth_ = nullptr;
ServiceProcess* TlsTest::queue_ = nullptr;

TEST_F(TlsTest, ClientWithoutTheCaCannotConnect) {
  EXPECT_TRUE(Ping(Channel(auth_->address(), CaOnly())).ok());
  // The system roots do not know the deployment's CA.
  tls::TlsConfig system_roots;
  system_roots.plaintext = false;
  EXPECT_EQ(Ping(Channel(auth_->address(), system_roots)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Nor does a plaintext client get an answer.
  EXPECT_EQ(Ping(Channel(auth_->address(), tls::TlsConfig{})).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A client certificate from another CA fails the handshake.
  auto stranger = tls::TestCertificateAuthority::Create("stranger");
  ASSERT_TRUE(stranger.ok());
  auto forged = stranger->Issue("queue", {"queue"}, {});
  ASSERT_TRUE(forged.ok());
  tls::TlsConfig forged_config = CaOnly();
  forged_config.cert_pem = forged->cert_pem;
  forged_config.key_pem = forged->key_pem;
  EXPECT_EQ(Ping(Channel(auth_->address(), forged_config)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, AuthenticateRequestOnlyFromAllowedServiceCertificates) {
  auth::v1::AuthenticateRequestResponse response;
  // No client certificate (the CLI, grpcurl, anyone who can reach auth).
  grpc::Status none = AuthenticateRequest(CaOnly(), &response);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED) << none.error_message();
  // A certificate of the deployment's CA, but not one of the allowed services.
  grpc::Status intruder = AuthenticateRequest(WithCertificate("intruder"), &response);
  EXPECT_EQ(intruder.error_code(), grpc::StatusCode::PERMISSION_DENIED) << intruder.error_message();
  EXPECT_NE(intruder.error_message().find("intruder"), std::string::npos);
  // The queue's certificate.
  grpc::Status queue = AuthenticateRequest(WithCertificate("queue"), &response);
  EXPECT_TRUE(queue.ok()) << queue.error_message();
  EXPECT_EQ(response.status(), auth::v1::AUTHENTICATION_STATUS_NO_AUTH);
}

// The replay checks auth replicas forward to each other (AuthReplicas/RecordNonce) are
// answered only for auth's own certificate: any other service, or anyone, could otherwise burn
// nonces or fill the owner's memory.
TEST_F(TlsTest, RecordNonceOnlyFromAuthsOwnCertificate) {
  auto record = [](const tls::TlsConfig& config, const std::string& nonce) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auth::v1::RecordNonceRequest request;
    request.set_id("static/bulwark/root");
    request.set_ts(absl::StrCat(absl::ToUnixSeconds(absl::Now())));
    request.set_nonce(nonce);
    request.set_forget_after_micros(absl::ToUnixMicros(absl::Now() + absl::Minutes(15)));
    auth::v1::RecordNonceResponse response;
    return auth::v1::AuthReplicas::NewStub(Channel(auth_->address(), config))
        ->RecordNonce(&context, request, &response);
  };
  grpc::Status none = record(CaOnly(), "tls-n1");
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED) << none.error_message();
  grpc::Status queue = record(WithCertificate("queue"), "tls-n1");
  EXPECT_EQ(queue.error_code(), grpc::StatusCode::PERMISSION_DENIED) << queue.error_message();
  // auth's own (the lone replica owns every partition): recorded once, then a replay.
  grpc::Status auth = record(WithCertificate("auth"), "tls-n1");
  EXPECT_TRUE(auth.ok()) << auth.error_code() << ": " << auth.error_message();
  grpc::Status again = record(WithCertificate("auth"), "tls-n1");
  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS) << again.error_message();
  // The batched form replicas actually send: the same gate, before any triple is looked at.
  auto record_batch = [](const tls::TlsConfig& config) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auth::v1::RecordNoncesRequest request;
    auth::v1::RecordNonceRequest* nonce = request.add_nonces();
    nonce->set_id("static/bulwark/root");
    nonce->set_ts(absl::StrCat(absl::ToUnixSeconds(absl::Now())));
    nonce->set_nonce("tls-n2");
    nonce->set_forget_after_micros(absl::ToUnixMicros(absl::Now() + absl::Minutes(15)));
    auth::v1::RecordNoncesResponse response;
    grpc::Status s = auth::v1::AuthReplicas::NewStub(Channel(auth_->address(), config))
                         ->RecordNonces(&context, request, &response);
    return std::make_pair(s, response);
  };
  auto [unsigned_status, unused] = record_batch(CaOnly());
  EXPECT_EQ(unsigned_status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto [queue_status, nothing] = record_batch(WithCertificate("queue"));
  EXPECT_EQ(queue_status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(nothing.answers_size(), 0);
  auto [auth_status, answers] = record_batch(WithCertificate("auth"));
  ASSERT_TRUE(auth_status.ok()) << auth_status.error_message();
  ASSERT_EQ(answers.answers_size(), 1);
  EXPECT_EQ(answers.answers(0).code(), 0) << answers.answers(0).message();
  // Not recorded by the refused calls: auth's own first call was the one that recorded it.
  auto [replay_status, replayed] = record_batch(WithCertificate("auth"));
  ASSERT_TRUE(replay_status.ok());
  EXPECT_EQ(replayed.answers(0).code(), static_cast<int>(grpc::StatusCode::ALREADY_EXISTS));
}

// The services send each check to the auth replica auth names as its nonce partition's owner,
// dialling that address over mutual TLS and expecting auth's certificate there. A server at such
// an address presenting another certificate of the deployment (here the queue's) is never asked:
// the call fails UNAVAILABLE with nothing recorded, and the same header is then accepted once
// through the auth address, and refused as a replay after that.
TEST_F(TlsTest, RoutedChecksGoOnlyToAServerWithAuthsCertificate) {
  const tls::TlsConfig queue_tls = WithCertificate("queue");
  const std::string method = "/bulwark.queue.v1.Queue/GetTask";
  RemoteAuthenticator honest(Channel(auth_->address(), queue_tls), HostBinding(),
                             AuthReplicaDialer(queue_tls));
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<Caller> caller = honest.Authenticate(auth::SignedCall(Static("root"), method));
    ASSERT_TRUE(caller.ok()) << i << ": " << caller.status();
  }
  EXPECT_GT(honest.router().routed(), 0u);  // auth's own address, checked for "auth": accepted

  const AuthReplicaRouter::Dial dial = AuthReplicaDialer(queue_tls);
  RemoteAuthenticator misled(
      Channel(auth_->address(), queue_tls), HostBinding(),
      [dial, impostor = queue_->address()](const std::string&) { return dial(impostor); });
  const CallInfo first = auth::SignedCall(Static("root"), method);
  ASSERT_TRUE(misled.Authenticate(first).ok());  // through the auth address; names the owner
  const int partition = *hawk::ReplayPartitionOfHeader(first.authorization);
  CallInfo call = auth::SignedCall(Static("root"), method);
  while (hawk::ReplayPartitionOfHeader(call.authorization) != partition) {
    call = auth::SignedCall(Static("root"), method);
  }
  absl::StatusOr<Caller> refused = misled.Authenticate(call);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  absl::StatusOr<Caller> retried = misled.Authenticate(call);
  EXPECT_TRUE(retried.ok()) << retried.status();
  absl::StatusOr<Caller> replayed = misled.Authenticate(call);
  EXPECT_EQ(replayed.status().code(), absl::StatusCode::kUnauthenticated) << replayed.status();
  EXPECT_NE(replayed.status().message().find("replayed request"), std::string::npos);
}

TEST_F(TlsTest, MutualTlsEdgeWorksEndToEnd) {
  // CLI -> queue over TLS, queue -> auth over mutual TLS: the root client is authenticated
  // (the task is then simply not there), a wrong token is refused by auth.
  auto channel = Channel(queue_->address(), CaOnly());
  grpc::Status found = GetMissingTask(channel, Static("root"));
  EXPECT_EQ(found.error_code(), grpc::StatusCode::NOT_FOUND) << found.error_message();
  hawk::Credentials wrong = Static("root");
  wrong.access_token = "not-the-token-of-root-at-all-0000000000000";
  EXPECT_EQ(GetMissingTask(channel, wrong).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsTest, QueueWithACertificateAuthDoesNotAllowIsUnavailable) {
  std::unique_ptr<ServiceProcess> rogue = StartQueue("rogue", {});
  ASSERT_NE(rogue, nullptr);
  grpc::Status s = GetMissingTask(Channel(rogue->address(), CaOnly()), Static("root"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

TEST_F(TlsTest, HawkHeaderForAnotherHostIsUnauthenticated) {
  // The queue answers to "queue" and 127.0.0.1 (--hostnames); its certificate also names
  // localhost, so TLS accepts that authority, but a header signed for it is refused.
  std::string port = std::to_string(queue_->port());
  grpc::Status as_queue =
      GetMissingTask(Channel(queue_->address(), CaOnly(), "queue:" + port), Static("root"));
  EXPECT_EQ(as_queue.error_code(), grpc::StatusCode::NOT_FOUND) << as_queue.error_message();
  grpc::Status as_localhost =
      GetMissingTask(Channel(queue_->address(), CaOnly(), "localhost:" + port), Static("root"));
  EXPECT_EQ(as_localhost.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(as_localhost.error_message().find("localhost:" + port), std::string::npos)
      << as_localhost.error_message();
}

TEST_F(TlsTest, AuthOverTlsRefusesToStartWithoutClientNames) {
  std::string config_path = auth::AuthCluster::WriteConfig(*config_);
  std::vector<std::string> args = {"--database=" + db_->RuntimeDsn("auth"),
                                   "--config=" + config_path, "--tls-ca=" + *ca_path_};
  for (const std::string& f : IssueFiles(*ca_, "auth2")) args.push_back(f);
  auto auth = ServiceProcess::Start("services/auth/server/auth_server", args);
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(std::string(auth.status().message()).find("--tls-client-names"), std::string::npos)
      << auth.status();
}

TEST_F(TlsTest, ServerWithoutCertificateOrPlaintextRefusesToStart) {
  auto auth =
      ServiceProcess::Start("services/auth/server/auth_server",
                            {"--database=" + db_->RuntimeDsn("auth"), "--tls-ca=" + *ca_path_});
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(std::string(auth.status().message()).find("--plaintext"), std::string::npos)
      << auth.status();
}

}  // namespace
}  // namespace bulwark
