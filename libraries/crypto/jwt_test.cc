#include "libraries/crypto/jwt.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1700000000;
constexpr char kAudience[] = "sts.example.com";

class JwtTest : public ::testing::Test {
 protected:
  JwtTest()
      : random_(5),
        key_(Ed25519PrivateKey::Generate(random_).value()),
        other_(Ed25519PrivateKey::Generate(random_).value()),
        keys_(JwkSet::FromKeys({{"k1", key_.PublicKey()}, {"k2", other_.PublicKey()}}).value()),
        clock_(absl::FromUnixSeconds(kNow)) {}

  json Claims() const {
    return {{"iss", "bulwark-auth"},
            {"sub", "release-uploader"},
            {"aud", kAudience},
            {"iat", kNow},
            {"exp", kNow + 600}};
  }
  std::string Sign(const json& claims, const std::string& kid = "k1") const {
    absl::StatusOr<std::string> token = SignJwt(claims, kid == "k2" ? other_ : key_, kid);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }
  // A token with any header at all, signed by key_.
  std::string SignRaw(const json& header, const std::string& payload) const {
    std::string input = absl::StrCat(Base64UrlEncode(header.dump()), ".", Base64UrlEncode(payload));
    return absl::StrCat(input, ".", Base64UrlEncode(key_.Sign(input).value()));
  }
  absl::Status Verify(const std::string& token, JwtVerifyOptions options = {}) const {
    if (options.audience.empty()) options.audience = kAudience;
    return VerifyJwt(token, keys_, clock_, options).status();
  }
  // Expects UNAUTHENTICATED with `why` in the message.
  void ExpectRejected(const std::string& token, const std::string& why,
                      const JwtVerifyOptions& options = {}) const {
    absl::Status status = Verify(token, options);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), why)) << "wanted \"" << why << "\": " << status;
  }

  SeededRandom random_;
  Ed25519PrivateKey key_;
  Ed25519PrivateKey other_;
  JwkSet keys_;
  SimulatedClock clock_;
};

TEST_F(JwtTest, SignsTheDocumentedShapeAndVerifies) {
  std::string token = Sign(Claims());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string header, payload, signature;
  ASSERT_TRUE(Base64UrlDecode(parts[0], &header));
  ASSERT_TRUE(Base64UrlDecode(parts[1], &payload));
  ASSERT_TRUE(Base64UrlDecode(parts[2], &signature));
  EXPECT_EQ(header, R"({"alg":"EdDSA","kid":"k1","typ":"JWT"})");
  EXPECT_EQ(json::parse(payload), Claims());
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(key_.PublicKey().Verify(parts[0] + "." + parts[1], signature));

  absl::StatusOr<VerifiedJwt> jwt = VerifyJwt(token, keys_, clock_, kAudience);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->claims, Claims());
  EXPECT_EQ(jwt->header["kid"], "k1");
}

TEST_F(JwtTest, ExpiryHonoursTheLeewayAndNothingMore) {
  std::string token = Sign(Claims());  // exp = now + 600
  clock_.Advance(absl::Seconds(600 + 29));
  EXPECT_TRUE(Verify(token).ok());
  clock_.Advance(absl::Seconds(1));
  ExpectRejected(token, "expired");
  JwtVerifyOptions strict;
  strict.leeway = absl::ZeroDuration();
  clock_.Set(absl::FromUnixSeconds(kNow + 600));
  ExpectRejected(token, "expired", strict);
}

TEST_F(JwtTest, NotBeforeAndIssuedAtInTheFutureAreRefused) {
  json claims = Claims();
  claims["nbf"] = kNow + 120;
  ExpectRejected(Sign(claims), "nbf");
  claims["nbf"] = kNow + 20;  // within the leeway
  EXPECT_TRUE(Verify(Sign(claims)).ok());

  claims = Claims();
  claims["iat"] = kNow + 120;
  ExpectRejected(Sign(claims), "issued in the future");
}

TEST_F(JwtTest, ExpIsRequiredAndDatesMustBeNumbers) {
  json claims = Claims();
  claims.erase("exp");
  ExpectRejected(Sign(claims), "no \"exp\"");
  claims["exp"] = std::to_string(kNow + 600);
  ExpectRejected(Sign(claims), "\"exp\" is not a number");
  claims["exp"] = kNow + 600;
  claims["iat"] = true;
  ExpectRejected(Sign(claims), "\"iat\" is not a number");
  claims["iat"] = static_cast<double>(kNow) + 0.5;  // fractional NumericDates are allowed
  claims["exp"] = static_cast<double>(kNow) + 600.25;
  EXPECT_TRUE(Verify(Sign(claims)).ok());
  claims["exp"] = static_cast<uint64_t>(18446744073709551615ull);  // far future, no overflow
  EXPECT_TRUE(Verify(Sign(claims)).ok());
}

TEST_F(JwtTest, AudienceMustMatch) {
  json claims = Claims();
  ExpectRejected(Sign(claims), "audience", {"other.example.com"});
  claims["aud"] = json::array({"a", kAudience});
  EXPECT_TRUE(Verify(Sign(claims)).ok());
  claims["aud"] = json::array({"a", "b"});
  ExpectRejected(Sign(claims), "audience");
  claims["aud"] = json::array({1, kAudience});
  ExpectRejected(Sign(claims), "\"aud\" is not");
  claims["aud"] = 7;
  ExpectRejected(Sign(claims), "\"aud\" is not");
  claims.erase("aud");
  ExpectRejected(Sign(claims), "no \"aud\"");
  // The audience is never optional.
  EXPECT_EQ(VerifyJwt(Sign(Claims()), keys_, clock_, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, IssuerAndLifetimeOptions) {
  JwtVerifyOptions options;
  options.issuer = "bulwark-auth";
  EXPECT_TRUE(Verify(Sign(Claims()), options).ok());
  options.issuer = "someone-else";
  ExpectRejected(Sign(Claims()), "issuer", options);

  JwtVerifyOptions capped;
  capped.max_lifetime = absl::Minutes(10);
  EXPECT_TRUE(Verify(Sign(Claims()), capped).ok());
  json claims = Claims();
  claims["exp"] = kNow + 601;
  ExpectRejected(Sign(claims), "lifetime", capped);
  claims.erase("iat");
  claims["exp"] = kNow + 60;
  ExpectRejected(Sign(claims), "no \"iat\"", capped);
}

TEST_F(JwtTest, OnlyEdDsaHeadersAreAccepted) {
  std::string payload = Claims().dump();
  ExpectRejected(SignRaw({{"alg", "none"}, {"kid", "k1"}}, payload), "\"alg\"");
  ExpectRejected(SignRaw({{"alg", "HS256"}, {"kid", "k1"}}, payload), "\"alg\"");
  ExpectRejected(SignRaw({{"kid", "k1"}}, payload), "\"alg\"");
  ExpectRejected(SignRaw({{"alg", "EdDSA"}}, payload), "no \"kid\"");
  ExpectRejected(SignRaw({{"alg", "EdDSA"}, {"kid", 1}}, payload), "no \"kid\"");
  ExpectRejected(SignRaw({{"alg", "EdDSA"}, {"kid", "k9"}}, payload), "unknown key id \"k9\"");
  ExpectRejected(SignRaw({{"alg", "EdDSA"}, {"kid", "k1"}, {"crit", {"exp"}}}, payload), "crit");
  ExpectRejected(SignRaw({{"alg", "EdDSA"}, {"kid", "k1"}, {"typ", "at+jwt"}}, payload), "typ");
  // Accepted: no typ, lower-case typ, and the fully specified algorithm name of
  // RFC 9864.
  EXPECT_TRUE(Verify(SignRaw({{"alg", "EdDSA"}, {"kid", "k1"}}, payload)).ok());
  EXPECT_TRUE(Verify(SignRaw({{"alg", "EdDSA"}, {"kid", "k1"}, {"typ", "jwt"}}, payload)).ok());
  EXPECT_TRUE(Verify(SignRaw({{"alg", "Ed25519"}, {"kid", "k1"}}, payload)).ok());
  // The RFC 8037 example token has no kid, so a key set cannot pick its key.
  ExpectRejected(
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_"
      "MGCjP0JzlnLWG1PPOt7-"
      "09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
      "no \"kid\"");
}

TEST_F(JwtTest, TamperingIsDetected) {
  std::string token = Sign(Claims());
  std::vector<std::string> parts = absl::StrSplit(token, '.');

  json forged = Claims();
  forged["sub"] = "root";
  ExpectRejected(parts[0] + "." + Base64UrlEncode(forged.dump()) + "." + parts[2], "bad signature");
  // Naming another key of the set (k2) for k1's signature.
  std::string k2_header = Base64UrlEncode(R"({"alg":"EdDSA","kid":"k2","typ":"JWT"})");
  ExpectRejected(k2_header + "." + parts[1] + "." + parts[2], "bad signature");
  // Every signature byte matters.
  std::string signature;
  ASSERT_TRUE(Base64UrlDecode(parts[2], &signature));
  signature[10] = static_cast<char>(signature[10] ^ 0x40);
  ExpectRejected(parts[0] + "." + parts[1] + "." + Base64UrlEncode(signature), "bad signature");
  ExpectRejected(parts[0] + "." + parts[1] + "." + parts[2].substr(4), "signature is not");
  ExpectRejected(parts[0] + "." + parts[1] + "." + parts[2] + "==", "signature is not");
  ExpectRejected(parts[0] + "." + parts[1] + ".", "signature is not");
  // Structure.
  ExpectRejected(token + ".x", "compact JWS");
  ExpectRejected(parts[0] + "." + parts[1], "compact JWS");
  ExpectRejected("", "compact JWS");
  ExpectRejected("a.b.c", "header");
  ExpectRejected(Base64UrlEncode("[1]") + "." + parts[1] + "." + parts[2], "header");
  ExpectRejected(token + std::string(kMaxJwtBytes, 'A'), "too long");
}

TEST_F(JwtTest, PayloadMustBeAJsonObjectEvenWhenSigned) {
  ExpectRejected(SignRaw({{"alg", "EdDSA"}, {"kid", "k1"}}, "[1,2]"), "payload");
  ExpectRejected(SignRaw({{"alg", "EdDSA"}, {"kid", "k1"}}, "{\"exp\":"), "payload");
  ExpectRejected(SignRaw({{"alg", "EdDSA"}, {"kid", "k1"}}, ""), "payload");
}

TEST_F(JwtTest, SignJwtValidatesItsInput) {
  EXPECT_EQ(SignJwt(json::array(), key_, "k1").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignJwt(Claims(), key_, "").status().code(), absl::StatusCode::kInvalidArgument);
  json bad = Claims();
  bad["sub"] = std::string("\xff\xfe", 2);  // not UTF-8
  EXPECT_EQ(SignJwt(bad, key_, "k1").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, JwksHasTheDocumentedShape) {
  json jwks = ToJwks({{"k1", key_.PublicKey()}, {"k2", other_.PublicKey()}});
  ASSERT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(jwks["keys"][0], json({{"kty", "OKP"},
                                   {"crv", "Ed25519"},
                                   {"x", Base64UrlEncode(key_.PublicKey().Raw())},
                                   {"kid", "k1"},
                                   {"use", "sig"},
                                   {"alg", "EdDSA"}}));
  EXPECT_EQ(jwks["keys"][1]["kid"], "k2");
  absl::StatusOr<JwkSet> set = JwkSet::FromJson(jwks);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 2u);
  ASSERT_NE(set->Find("k2"), nullptr);
  EXPECT_EQ(*set->Find("k2"), other_.PublicKey());
  EXPECT_EQ(set->Find("k3"), nullptr);
}

TEST_F(JwtTest, JwkSetSkipsForeignKeysAndRefusesBrokenOnes) {
  json ours = ToJwks({{"k1", key_.PublicKey()}})["keys"][0];
  json rsa = {{"kty", "RSA"}, {"kid", "r1"}, {"n", "AQAB"}, {"e", "AQAB"}};
  json x25519 = ours;
  x25519["crv"] = "X25519";
  x25519["kid"] = "x1";
  json encryption = ours;
  encryption["use"] = "enc";
  encryption["kid"] = "e1";
  json other_alg = ours;
  other_alg["alg"] = "ES256";
  other_alg["kid"] = "a1";
  json no_kid = ours;
  no_kid.erase("kid");
  absl::StatusOr<JwkSet> set =
      JwkSet::FromJson({{"keys", {rsa, x25519, encryption, other_alg, no_kid, ours}}});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 1u);
  EXPECT_NE(set->Find("k1"), nullptr);

  auto error = [](const json& jwks) { return JwkSet::FromJson(jwks).status(); };
  EXPECT_EQ(error({{"keys", {ours, ours}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(error({{"keys", {ours, ours}}}).message(), "duplicate kid"));
  json with_private = ours;
  with_private["d"] = Base64UrlEncode(std::string(32, 'd'));
  absl::Status private_status = error({{"keys", {with_private}}});
  EXPECT_EQ(private_status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(private_status.message(), "keys[0] (kid \"k1\")"))
      << private_status;
  json bad_x = ours;
  bad_x["x"] = "short";
  EXPECT_EQ(error({{"keys", {bad_x}}}).code(), absl::StatusCode::kInvalidArgument);
  json empty_kid = ours;
  empty_kid["kid"] = "";
  EXPECT_EQ(error({{"keys", {empty_kid}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(error(json::array()).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(error({{"keys", "none"}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(error({{"keys", {1}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(JwkSet::FromJson({{"keys", json::array()}}).ok());
}

}  // namespace
}  // namespace bulwark::crypto
