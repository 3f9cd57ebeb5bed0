// In-process tests of the bootstrap: health reflects readiness, shutdown drains.
#include "libraries/grpc_server/server.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
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

std::unique_ptr<Health::Stub> StubFor(const GrpcServer& server) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  return Health::NewStub(grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server.port()),
                                                   grpc::InsecureChannelCredentials(), args));
}

TEST(GrpcServerTest, RefusesOversizedAndMalformedRequestsAndKeepsServing) {
  GrpcServer::Options options;
  options.service_name = "test";
  options.input.method_limits["/grpc.health.v1.Health/Check"] = 100;
  auto server = GrpcServer::Start(options, {}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = StubFor(**server);

  grpc::Status status;
  CheckOnce(*stub, std::string(5 << 20, 'a'), &status);  // over the transport's 4 MiB
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  CheckOnce(*stub, std::string("svc\0name", 8), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("field service contains a NUL byte"), std::string::npos)
      << status.error_message();
  CheckOnce(*stub, "svc\nname", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  CheckOnce(*stub, "svc\xC3", &status);  // proto3 refuses to parse it: not INTERNAL
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();

  // A method's own limit.
  CheckOnce(*stub, std::string(200, 'a'), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("accepts at most 100"), std::string::npos);

  EXPECT_EQ(CheckOnce(*stub, "", &status), HealthCheckResponse::SERVING);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST(GrpcServerTest, EachMethodHasAReceiveLimit) {
  GrpcServer::Options options;
  options.service_name = "test";
  auto server = GrpcServer::Start(options, {}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = StubFor(**server);
  grpc::Status status;
  CheckOnce(*stub, std::string(2 << 20, 'a'), &status);  // over the 1 MiB per-method default
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("accepts at most 1048576"), std::string::npos)
      << status.error_message();
}

TEST(GrpcServerTest, ABurstCannotTakeEveryThread) {
  GrpcServer::Options options;
  options.service_name = "test";
  options.max_threads = 4;
  auto server = GrpcServer::Start(options, {}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = StubFor(**server);

  // Watch streams hold a thread each until cancelled.
  constexpr int kStreams = 12;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<HealthCheckResponse>>> readers;
  int refused = 0;
  int answered = 0;
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    HealthCheckRequest request;
    readers.push_back(stub->Watch(contexts.back().get(), request));
    HealthCheckResponse response;
    if (readers.back()->Read(&response)) {
      ++answered;
    } else {
      grpc::Status s = readers.back()->Finish();
      EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
      ++refused;
      readers.back().reset();
    }
  }
  EXPECT_LE(answered, options.max_threads);
  EXPECT_GT(refused, 0);

  // A unary call meanwhile is refused at once rather than queued forever.
  grpc::ClientContext check_context;
  check_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckResponse check;
  grpc::Status during = stub->Check(&check_context, HealthCheckRequest(), &check);
  EXPECT_EQ(during.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << during.error_message();

  for (size_t i = 0; i < readers.size(); ++i) {
    if (readers[i] == nullptr) continue;
    contexts[i]->TryCancel();
    readers[i]->Finish();
  }
  // The threads come back: the server answers again (bounded poll).
  grpc::Status after;
  HealthCheckResponse::ServingStatus serving = HealthCheckResponse::UNKNOWN;
  for (int i = 0; i < 500 && serving != HealthCheckResponse::SERVING; ++i) {
    serving = CheckOnce(*stub, "", &after);
    if (serving != HealthCheckResponse::SERVING) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(serving, HealthCheckResponse::SERVING) << after.error_message();
}

// Polls health (bounded by `timeout`) until it reports `want`; returns what it last saw.
HealthCheckResponse::ServingStatus WaitForHealth(Health::Stub& stub,
                                                 HealthCheckResponse::ServingStatus want,
                                                 absl::Duration timeout) {
  absl::Time until = absl::Now() + timeout;
  HealthCheckResponse::ServingStatus status = CheckOnce(stub, "");
  while (status != want && absl::Now() < until) {
    absl::Notification tick;
    tick.WaitForNotificationWithTimeout(absl::Milliseconds(20));
    status = CheckOnce(stub, "");
  }
  return status;
}

// Issue 14 item 4: a readiness check that hangs (a frozen database) turns health NOT_SERVING
// within about the readiness timeout, not when (if ever) the check returns.
TEST(GrpcServerTest, AHungReadinessCheckReportsNotServing) {
  std::atomic<bool> hang{false};
  absl::Notification release;
  GrpcServer::Options options;
  options.service_name = "test";
  options.readiness_interval = absl::Milliseconds(20);
  options.readiness_timeout = absl::Milliseconds(500);
  auto server = GrpcServer::Start(options, {}, [&]() -> absl::Status {
    if (hang) release.WaitForNotification();
    return absl::OkStatus();
  });
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Health::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                                  grpc::InsecureChannelCredentials()));
  ASSERT_EQ(WaitForHealth(*stub, HealthCheckResponse::SERVING, absl::Seconds(10)),
            HealthCheckResponse::SERVING);
  hang = true;
  EXPECT_EQ(WaitForHealth(*stub, HealthCheckResponse::NOT_SERVING, absl::Seconds(10)),
            HealthCheckResponse::NOT_SERVING);
  hang = false;
  release.Notify();
  EXPECT_EQ(WaitForHealth(*stub, HealthCheckResponse::SERVING, absl::Seconds(10)),
            HealthCheckResponse::SERVING);
  (*server)->Shutdown();
}

// Issue 14 item 6: in the lame-duck period the server reports NOT_SERVING but still answers
// calls; the runtime's hook runs at its start; afterwards the server is gone.
TEST(GrpcServerTest, LameDuckKeepsServingWhileNotServingThenStops) {
  GrpcServer::Options options;
  options.service_name = "test";
  options.readiness_interval = absl::Milliseconds(20);
  options.lame_duck = absl::Seconds(2);
  options.drain_deadline = absl::Seconds(1);
  auto server = GrpcServer::Start(options, {}, [] { return absl::OkStatus(); });
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Health::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                                  grpc::InsecureChannelCredentials()));
  ASSERT_EQ(WaitForHealth(*stub, HealthCheckResponse::SERVING, absl::Seconds(10)),
            HealthCheckResponse::SERVING);
  absl::Notification lame_duck_started;
  absl::Notification stopped;
  std::thread shutdown([&] {
    (*server)->LameDuckThenShutdown([&] { lame_duck_started.Notify(); });
    stopped.Notify();
  });
  ASSERT_TRUE(lame_duck_started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  grpc::Status status;
  EXPECT_EQ(CheckOnce(*stub, "", &status), HealthCheckResponse::NOT_SERVING);
  EXPECT_TRUE(status.ok()) << "refused a call during the lame-duck period: "
                           << status.error_message();
  EXPECT_FALSE(stopped.HasBeenNotified()) << "stopped before the lame-duck period ended";
  ASSERT_TRUE(stopped.WaitForNotificationWithTimeout(absl::Seconds(20)));
  shutdown.join();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  HealthCheckResponse response;
  EXPECT_FALSE(stub->Check(&context, HealthCheckRequest(), &response).ok());
}

}  // namespace
}  // namespace bulwark
