// The server-side piece every other service uses, against the real auth server.
#include "libraries/authn/remote_authenticator.h"

#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/signer.h"
#include "services/auth/tests/auth_cluster.h"

namespace bulwark {
namespace {

TEST(RemoteAuthenticatorTest, TurnsAuthsAnswerIntoCallersAndStatuses) {
  auto cluster = auth::AuthCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  RemoteAuthenticator authenticator((*cluster)->process(0).Channel());
  const std::string method = "/bulwark.queue.v1.Queue/CreateTask";

  auto caller = authenticator.Authenticate(auth::SignedCall((*cluster)->Static("root"), method));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->client_id, "static/bulwark/root");
  EXPECT_EQ(caller->scopes, std::vector<std::string>{"*"});

  hawk::Credentials hooks = (*cluster)->Static("hooks");
  hooks.authorized_scopes = std::vector<std::string>{"assume:hook-id:g/h"};
  caller = authenticator.Authenticate(auth::SignedCall(hooks, method));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->authorized_scopes, std::vector<std::string>{"assume:hook-id:g/h"});
  EXPECT_EQ(caller->scopes, (std::vector<std::string>{"assume:anonymous", "assume:hook-id:g/h"}));
  EXPECT_EQ(Authorize(*caller, scopes::Expression("queue:x"), "CreateTask").code(),
            absl::StatusCode::kPermissionDenied);

  // The body under the MAC: another body than the one signed is refused, and so is a header
  // without a hash for a method that changes state (payload_hash_required by default); a
  // read-only method accepts it.
  absl::StatusOr<Caller> other = authenticator.Authenticate(
      auth::SignedCall((*cluster)->Static("root"), method, "\n\001x", "\n\001y"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(other.status().message().find("Bad payload hash"), std::string::npos) << other.status();
  {
    hawk::Request request;
    request.resource = method;
    request.host = "127.0.0.1";
    request.port = 50052;
    CallInfo call;
    call.method = method;
    call.authority = "127.0.0.1:50052";
    call.authorization =
        *hawk::SignRequest((*cluster)->Static("root"), request, Clock::Real(), Random::Secure());
    call.payload_hash = hawk::GrpcPayloadHash("");
    EXPECT_EQ(authenticator.Authenticate(call).status().code(), absl::StatusCode::kUnauthenticated);
    call.authorization =
        *hawk::SignRequest((*cluster)->Static("root"), request, Clock::Real(), Random::Secure());
    call.payload_hash_required = false;
    EXPECT_TRUE(authenticator.Authenticate(call).ok());
  }

  CallInfo anonymous{method, "127.0.0.1:50052", "", "", absl::InfiniteFuture()};
  caller = authenticator.Authenticate(anonymous);
  ASSERT_TRUE(caller.ok());
  EXPECT_TRUE(caller->anonymous());

  hawk::Credentials wrong = (*cluster)->Static("root");
  wrong.access_token = std::string(44, 'x');
  EXPECT_EQ(authenticator.Authenticate(auth::SignedCall(wrong, method)).status().code(),
            absl::StatusCode::kUnauthenticated);

  RemoteAuthenticator unreachable(
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
      absl::Milliseconds(500));
  EXPECT_EQ(unreachable.Authenticate(anonymous).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace bulwark
