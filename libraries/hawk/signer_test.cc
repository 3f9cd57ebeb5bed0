#include "libraries/hawk/signer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/hawk/certificate.h"
#include "libraries/hawk/header.h"
#include "libraries/hawk/test_fixture.h"

namespace bulwark::hawk {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

class SignRequestTest : public ::testing::Test {
 protected:
  SignRequestTest() {
    request_.resource = "/bulwark.hooks.v1.Hooks/TriggerHook";
    request_.host = "hooks";
    request_.port = 50053;
  }

  AuthResult Verify(const std::string& header) {
    Request request = request_;
    request.authorization = header;
    absl::StatusOr<AuthResult> result = fixture_->authenticator->Authenticate(request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(AuthResult());
  }

  std::unique_ptr<AuthenticatorFixture> fixture_ = AuthenticatorFixture::Create(
      {{"static/bulwark/hooks", {"hooks-token", {"assume:hook-id:*"}, kNow + absl::Hours(24)}}},
      {{"hook-id:g/h", {"queue:create-task:g/*"}}}, kNow);
  Credentials hooks_{"static/bulwark/hooks", "hooks-token", "", std::nullopt};
  Request request_;
  SimulatedClock clock_{kNow};
  SeededRandom random_{1};
};

TEST_F(SignRequestTest, PermanentCredentials) {
  absl::StatusOr<std::string> header = SignRequest(hooks_, request_, clock_, random_);
  ASSERT_TRUE(header.ok()) << header.status();
  absl::StatusOr<HeaderAttributes> attributes = ParseAuthorizationHeader(*header);
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(attributes->ts, "1700000000");
  EXPECT_EQ(attributes->ext, "");
  const AuthResult result = Verify(*header);
  EXPECT_EQ(result.outcome, AuthResult::Outcome::kSuccess) << result.message;
  EXPECT_EQ(result.client_id, "static/bulwark/hooks");
}

TEST_F(SignRequestTest, HooksActForTheHookThroughAuthorizedScopes) {
  // ARCHITECTURE invariant 4: hooks call with authorizedScopes =
  // [assume:hook-id:G/H].
  Credentials as_hook = hooks_;
  as_hook.authorized_scopes = std::vector<std::string>{"assume:hook-id:g/h"};
  const AuthResult result = Verify(SignRequest(as_hook, request_, clock_, random_).value());
  ASSERT_EQ(result.outcome, AuthResult::Outcome::kSuccess) << result.message;
  EXPECT_EQ(result.scopes, (std::vector<std::string>{"assume:anonymous", "assume:hook-id:g/h",
                                                     "queue:create-task:g/*"}));
  EXPECT_EQ(result.authorized_scopes,
            std::optional<std::vector<std::string>>({"assume:hook-id:g/h"}));
}

TEST_F(SignRequestTest, TemporaryCredentials) {
  TemporaryCredentialsOptions options;
  options.start = kNow;
  options.expiry = kNow + absl::Hours(1);
  options.scopes = {"assume:hook-id:g/*"};
  Credentials temp = CreateTemporaryCredentials(hooks_, options, random_).value();
  temp.authorized_scopes = std::vector<std::string>{"queue:create-task:g/x"};
  const AuthResult result = Verify(SignRequest(temp, request_, clock_, random_).value());
  ASSERT_EQ(result.outcome, AuthResult::Outcome::kSuccess) << result.message;
  EXPECT_TRUE(result.temporary);
  EXPECT_EQ(result.expires, kNow + absl::Hours(1));
  EXPECT_EQ(result.scopes, (std::vector<std::string>{"assume:anonymous", "queue:create-task:g/x"}));
}

TEST_F(SignRequestTest, EachCallHasAFreshNonce) {
  const std::string first = SignRequest(hooks_, request_, clock_, random_).value();
  const std::string second = SignRequest(hooks_, request_, clock_, random_).value();
  EXPECT_NE(ParseAuthorizationHeader(first)->nonce, ParseAuthorizationHeader(second)->nonce);
  EXPECT_TRUE(Verify(first).ok());
  EXPECT_TRUE(Verify(second).ok());
  EXPECT_EQ(Verify(first).message, "Unauthorized: replayed request");
}

TEST_F(SignRequestTest, RefusesHeadersServersWouldRefuse) {
  Credentials many = hooks_;
  many.authorized_scopes = std::vector<std::string>();
  for (int i = 0; i < 300; ++i) {
    many.authorized_scopes->push_back(absl::StrCat("assume:hook-id:g/", i));
  }
  EXPECT_EQ(SignRequest(many, request_, clock_, random_).status().code(),
            absl::StatusCode::kInvalidArgument);
  Credentials bad_certificate = hooks_;
  bad_certificate.certificate = "not json";
  EXPECT_EQ(SignRequest(bad_certificate, request_, clock_, random_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NewNonceTest, ElevenUrlSafeCharacters) {
  SeededRandom random(3);
  const std::string nonce = NewNonce(random);
  EXPECT_EQ(nonce.size(), 11u);
  EXPECT_TRUE(ValidAttributeValue(nonce));
  EXPECT_EQ(
      nonce.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

}  // namespace
}  // namespace bulwark::hawk
