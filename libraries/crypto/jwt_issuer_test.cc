#include "libraries/crypto/jwt_issuer.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/jwt.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

using nlohmann::json;

class JwtIssuerTest : public ::testing::Test {
 protected:
  JwtIssuerTest()
      : random_(13),
        keyring_(SigningKeyring::Create({{"sa-1", Ed25519PrivateKey::Generate(random_).value()},
                                         {"sa-2", Ed25519PrivateKey::Generate(random_).value()}})
                     .value()),
        clock_(absl::FromUnixSeconds(1700000000) + absl::Milliseconds(750)) {}

  JwtRequest Request() const {
    JwtRequest request;
    request.issuer = "https://auth.bulwark.example";
    request.subject = "release-uploader";
    request.audience = "//iam.googleapis.com/projects/1/pools/p/providers/bulwark";
    request.lifetime = absl::Hours(1);
    return request;
  }

  SeededRandom random_;
  SigningKeyring keyring_;
  SimulatedClock clock_;
};

TEST_F(JwtIssuerTest, IssuesVerifiableTokensWithTheRequestedClaims) {
  absl::StatusOr<IssuedJwt> issued = IssueJwt(Request(), keyring_, clock_);
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(issued->kid, "sa-2");
  EXPECT_EQ(issued->issued_at,
            absl::FromUnixSeconds(1700000000));  // rounded down
  EXPECT_EQ(issued->expires, absl::FromUnixSeconds(1700000000 + 3600));

  JwtVerifyOptions options;
  options.audience = Request().audience;
  options.issuer = Request().issuer;
  options.max_lifetime = absl::Hours(1);
  absl::StatusOr<VerifiedJwt> jwt =
      VerifyJwt(issued->token, keyring_.public_keys(), clock_, options);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->header["kid"], "sa-2");
  EXPECT_EQ(jwt->claims, json({{"iss", Request().issuer},
                               {"sub", "release-uploader"},
                               {"aud", Request().audience},
                               {"iat", 1700000000},
                               {"exp", 1700003600}}));

  clock_.Advance(absl::Hours(1) + absl::Minutes(1));
  EXPECT_EQ(VerifyJwt(issued->token, keyring_.public_keys(), clock_, options).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(JwtIssuerTest, JwtIdAndExtraClaims) {
  JwtRequest request = Request();
  request.jwt_id = "abc";
  request.extra_claims = {{"repository", "bulwark"}};
  absl::StatusOr<IssuedJwt> issued = IssueJwt(request, keyring_, clock_);
  ASSERT_TRUE(issued.ok()) << issued.status();
  absl::StatusOr<VerifiedJwt> jwt =
      VerifyJwt(issued->token, keyring_.public_keys(), clock_, request.audience);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->claims["jti"], "abc");
  EXPECT_EQ(jwt->claims["repository"], "bulwark");
  EXPECT_EQ(jwt->claims["sub"], "release-uploader");
}

TEST_F(JwtIssuerTest, RefusesIncompleteOrConflictingRequests) {
  auto code = [&](const JwtRequest& request) {
    return IssueJwt(request, keyring_, clock_).status().code();
  };
  JwtRequest r = Request();
  r.issuer.clear();
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r = Request();
  r.subject.clear();
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r = Request();
  r.audience.clear();
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r = Request();
  r.lifetime = absl::Milliseconds(999);
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r.lifetime = absl::InfiniteDuration();
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r = Request();
  r.extra_claims = {{"sub", "root"}};
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  r.extra_claims = json::array({1});
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
}

TEST_F(JwtIssuerTest, ConcurrentIssueAndVerifyShareOneKeyring) {
  // The keyring and its OpenSSL keys are shared by every request thread.
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        JwtRequest request = Request();
        request.subject = "account-" + std::to_string(t) + "-" + std::to_string(i);
        absl::StatusOr<IssuedJwt> issued = IssueJwt(request, keyring_, clock_);
        if (!issued.ok()) continue;
        absl::StatusOr<VerifiedJwt> jwt =
            VerifyJwt(issued->token, keyring_.public_keys(), clock_, request.audience);
        if (jwt.ok() && jwt->claims["sub"] == request.subject) ++verified;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(verified.load(), 200);
}

}  // namespace
}  // namespace bulwark::crypto
