#include "libraries/authn/host_binding.h"

#include "gtest/gtest.h"

namespace bulwark {
namespace {

class AcceptAll final : public RequestAuthenticator {
 public:
  absl::StatusOr<Caller> Authenticate(const CallInfo&) const override {
    Caller caller;
    caller.client_id = "alice";
    return caller;
  }
};

CallInfo Signed(const std::string& authority) {
  CallInfo call;
  call.method = "/bulwark.queue.v1.Queue/GetTask";
  call.authority = authority;
  call.authorization = "Hawk id=\"alice\"";
  return call;
}

TEST(HostBindingTest, AcceptsOnlyConfiguredNames) {
  auto binding = HostBinding::Parse("Queue.Example.com, localhost:50052,127.0.0.1,::1");
  ASSERT_TRUE(binding.ok()) << binding.status();
  EXPECT_TRUE(binding->binds());
  EXPECT_TRUE(binding->CheckAuthority("queue.example.com:443").ok());
  EXPECT_TRUE(binding->CheckAuthority("QUEUE.EXAMPLE.COM:8443").ok());
  EXPECT_TRUE(binding->CheckAuthority("localhost:50052").ok());
  EXPECT_TRUE(binding->CheckAuthority("127.0.0.1:50052").ok());
  EXPECT_TRUE(binding->CheckAuthority("[::1]:50052").ok());
  EXPECT_EQ(binding->CheckAuthority("localhost:50051").code(), absl::StatusCode::kUnauthenticated);
  absl::Status other = binding->CheckAuthority("auth.example.com:443");
  EXPECT_EQ(other.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(other.message().find("auth.example.com:443"), std::string::npos);
  EXPECT_EQ(binding->CheckAuthority("bad host:1").code(), absl::StatusCode::kInvalidArgument);
}

TEST(HostBindingTest, RejectsMalformedEntries) {
  EXPECT_EQ(HostBinding::Parse("a,,b").status().code(), absl::StatusCode::kOk);  // skips empties
  EXPECT_EQ(HostBinding::Parse("a/b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HostBinding::Parse("host:99999").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HostBinding::Of({" "}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HostBindingTest, AnyBindsNothing) {
  EXPECT_FALSE(HostBinding::Any().binds());
  EXPECT_TRUE(HostBinding::Any().CheckAuthority("anything.example:1").ok());
}

TEST(HostBoundAuthenticatorTest, HeaderForAnotherHostIsUnauthenticated) {
  AcceptAll inner;
  HostBoundAuthenticator bound(inner, *HostBinding::Parse("queue.example.com"));
  EXPECT_TRUE(bound.Authenticate(Signed("queue.example.com:443")).ok());
  EXPECT_EQ(bound.Authenticate(Signed("hooks.example.com:443")).status().code(),
            absl::StatusCode::kUnauthenticated);
  CallInfo anonymous = Signed("hooks.example.com:443");
  anonymous.authorization.clear();
  EXPECT_TRUE(bound.Authenticate(anonymous).ok());
}

}  // namespace
}  // namespace bulwark
