// In-process tests of the bootstrap: health reflects readiness, shutdown drains.
#include "libraries/grpc_server/server.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace bulwark {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus CheckOnce(Health::Stub& stub, const std::string& name,
                                             grpc::Status* status_out = nullptr) {
  grpc::ClientContext context;
  HealthCheckRequest request;
  request.set_service(name);
  HealthCheckResponse response;
  grpc::Status status = stub.Check(&context, request, &response);
  if (status_out != nullptr) *status_out = status;
  return response.status();
}

TEST(GrpcServerTest, HealthFollowsReadiness) {
  std::atomic<bool> ready{false};
  GrpcServer::Options options;
  options.service_name = "test";
  options.readiness_interval = absl::Milliseconds(20);
  auto server = GrpcServer::Start(options, {}, [&]() -> absl::Status {
    return ready ? absl::OkStatus() : absl::UnavailableError("database not reachable");
  });
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = Health::NewStub(channel);
  EXPECT_EQ(CheckOnce(*stub, ""), HealthCheckResponse::NOT_SERVING);
  ready = true;
  // Poll (bounded) until the readiness loop has run again.
  HealthCheckResponse::ServingStatus status = HealthCheckResponse::NOT_SERVING;
  for (int i = 0; i < 200 && status != HealthCheckResponse::SERVING; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    status = CheckOnce(*stub, "");
  }
  EXPECT_EQ(status, HealthCheckResponse::SERVING);

  grpc::Status unknown;
  CheckOnce(*stub, "no.such.Service", &unknown);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);

  (*server)->Shutdown();
  EXPECT_FALSE((*server)->health().serving());
}

TEST(GrpcServerTest, RejectsBadAddress) {
  GrpcServer::Options options;
  options.listen_address = "nonsense";
  EXPECT_EQ(GrpcServer::Start(options, {}, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(GrpcServerTest, ReportsAnAddressInUse) {
  GrpcServer::Options options;
  auto first = GrpcServer::Start(options, {}, nullptr);
  ASSERT_TRUE(first.ok());
  options.listen_address = "127.0.0.1:" + std::to_string((*first)->port());
  EXPECT_EQ(GrpcServer::Start(options, {}, nullptr).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace bulwark
