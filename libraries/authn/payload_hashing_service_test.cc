// PayloadHashingService with the real gRPC server path: the client credentials hash the
// serialized request, the server computes the same hash over the bytes it received, and the
// input guard still checks requests that the handler reads as bytes.
#include "libraries/authn/payload_hashing_service.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libraries/client/call_credentials.h"
#include "libraries/grpc_server/input_guard.h"
#include "libraries/hawk/header.h"
#include "libraries/hawk/mac.h"

namespace bulwark {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// What the handler saw of one call.
struct Seen {
  std::optional<std::string> payload_hash;
  bool payload_hash_required = false;
  std::string authorization;
  std::string service;
};

// Health.Check as a state-changing method, recording what CallInfoFrom reports.
class RecordingHealth final : public PayloadHashingService<Health> {
 public:
  RecordingHealth() { HashPayload(&Service::Check, "Check", Body::kChanges); }

  grpc::Status Check(grpc::ServerContext* context, const HealthCheckRequest* request,
                     HealthCheckResponse* response) override {
    if (absl::Status refused = RejectedInput(context); !refused.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(refused.code()),
                          std::string(refused.message()));
    }
    CallInfo call = CallInfoFrom(*context, "/grpc.health.v1.Health/Check");
    absl::MutexLock lock(&mu_);
    seen_.push_back(
        {call.payload_hash, call.payload_hash_required, call.authorization, request->service()});
    response->set_status(HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

  std::vector<Seen> seen() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
};

// An adapter that names no method.
class UnnamedHealth final : public PayloadHashingService<Health> {};

class PayloadHashingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InputGuardOptions guard;
    guard.default_limit = 256;
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<InputGuardInterceptorFactory>(guard));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    builder.experimental().SetInterceptorCreators(std::move(creators));
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    stub_ = Health::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  grpc::Status Call(const std::string& service, bool signed_call) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (signed_call) context.set_credentials(HawkCallCredentials({"tester", "secret", "", {}}));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    return stub_->Check(&context, request, &response);
  }

  RecordingHealth service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Health::Stub> stub_;
};

TEST_F(PayloadHashingServiceTest, ClientAndServerHashTheSameBytes) {
  grpc::Status status = Call("bulwark", /*signed_call=*/true);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<Seen> seen = service_.seen();
  ASSERT_EQ(seen.size(), 1u);
  HealthCheckRequest request;
  request.set_service("bulwark");
  const std::string expected = hawk::GrpcPayloadHash(request.SerializeAsString());
  ASSERT_TRUE(seen[0].payload_hash.has_value());
  EXPECT_EQ(*seen[0].payload_hash, expected);
  EXPECT_TRUE(seen[0].payload_hash_required);
  EXPECT_EQ(seen[0].service, "bulwark");
  // The client signed the hash of what it sent.
  absl::StatusOr<hawk::HeaderAttributes> header =
      hawk::ParseAuthorizationHeader(seen[0].authorization);
  ASSERT_TRUE(header.ok()) << header.status() << " " << seen[0].authorization;
  EXPECT_EQ(header->hash, expected);
}

TEST_F(PayloadHashingServiceTest, AnUnsignedCallStillGetsTheServersHash) {
  ASSERT_TRUE(Call("x", /*signed_call=*/false).ok());
  std::vector<Seen> seen = service_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].authorization.empty());
  HealthCheckRequest request;
  request.set_service("x");
  EXPECT_EQ(seen[0].payload_hash, hawk::GrpcPayloadHash(request.SerializeAsString()));
}

// The input guard checks requests served as bytes as it checks typed ones (no crash, no
// handler run on refused input).
TEST_F(PayloadHashingServiceTest, TheInputGuardChecksRawRequests) {
  grpc::Status nul = Call(std::string("a\0b", 3), /*signed_call=*/true);
  EXPECT_EQ(nul.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << nul.error_message();
  grpc::Status big = Call(std::string(300, 'x'), /*signed_call=*/true);
  EXPECT_EQ(big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << big.error_message();
  EXPECT_NE(big.error_message().find("at most 256"), std::string::npos) << big.error_message();
  EXPECT_TRUE(service_.seen().empty());
  // The server is still serving.
  EXPECT_TRUE(Call("ok", /*signed_call=*/true).ok());
}

TEST(PayloadHashingServiceListTest, UnnamedUnaryMethodsAreListed) {
  RecordingHealth named;
  EXPECT_TRUE(named.UnhashedUnaryMethods().empty());
  UnnamedHealth unnamed;
  // Watch is server-streaming: not listed.
  EXPECT_EQ(unnamed.UnhashedUnaryMethods(), std::vector<std::string>{"Check"});
}

}  // namespace
}  // namespace bulwark
