// Format compatibility with an independent JOSE implementation (npm jose 6,
// run by node):
// - jose verifies, with createLocalJWKSet over our JWKS, a token IssueJwt
//   signed (iss, sub, aud, iat, exp and kid checked) and rejects tampered
//   ones; jose's RFC 7638 thumbprints equal ours;
// - we verify a token jose signed with a key it generated, given only its
//   public JWK; jose's PKCS#8 and SPKI exports load here and agree;
// - node's own AES-256-GCM opens a keyring value from its documented format.
// Needs node on PATH and BULWARK_NODE_MODULES (tools/npm/node_modules); fails
// when either is missing. Usage: jose_interop_test <path of jose_interop.mjs>.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/jwt.h"
#include "libraries/crypto/jwt_issuer.h"
#include "libraries/crypto/keyring.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

using nlohmann::json;

std::string script_path;  // from argv[1]

constexpr int64_t kNow = 1800000000;
constexpr char kIssuer[] = "https://auth.bulwark.example";
constexpr char kSubject[] = "release-uploader";
constexpr char kAudience[] = "//iam.example.com/pools/ci/providers/bulwark";

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

// Runs `node jose_interop.mjs <mode>` with `request` on stdin; returns its JSON
// output.
absl::StatusOr<json> RunNode(const std::string& mode, const json& request) {
  const char* modules = std::getenv("BULWARK_NODE_MODULES");
  if (modules == nullptr || *modules == '\0') {
    return absl::FailedPreconditionError(
        "BULWARK_NODE_MODULES is not set (run through ./dev test, or pass "
        "--test_env=BULWARK_NODE_MODULES=$PWD/tools/npm/node_modules); the "
        "interop test cannot "
        "run and must not pass");
  }
  if (!std::filesystem::is_directory(std::filesystem::path(modules) / "jose")) {
    return absl::FailedPreconditionError(absl::StrCat("no jose package in ", modules));
  }
  std::string in = absl::StrCat(TempDir(), "/", mode, ".request.json");
  std::string out = absl::StrCat(TempDir(), "/", mode, ".out.json");
  std::string err = absl::StrCat(TempDir(), "/", mode, ".err.txt");
  std::ofstream(in) << request.dump();
  std::string command =
      absl::StrCat("node '", script_path, "' ", mode, " < '", in, "' > '", out, "' 2> '", err, "'");
  int status = std::system(command.c_str());
  std::stringstream output, errors;
  output << std::ifstream(out).rdbuf();
  errors << std::ifstream(err).rdbuf();
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("`", command, "` failed (status ", status, "): ", errors.str()));
  }
  json result = json::parse(output.str(), nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded()) {
    return absl::InternalError(absl::StrCat("node printed no JSON: ", output.str()));
  }
  return result;
}

// Replaces the payload of `token` with `claims`, keeping header and signature.
std::string WithPayload(const std::string& token, const json& claims) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  return absl::StrCat(parts[0], ".", Base64UrlEncode(claims.dump()), ".", parts[2]);
}

TEST(JoseInteropTest, JoseVerifiesOurTokensAgainstOurJwks) {
  SeededRandom random(21);
  SigningKeyring keyring =
      SigningKeyring::Create({{"sa-2026-05", Ed25519PrivateKey::Generate(random).value()},
                              {"sa-2026-11", Ed25519PrivateKey::Generate(random).value()}})
          .value();
  SimulatedClock clock(absl::FromUnixSeconds(kNow));
  JwtRequest request;
  request.issuer = kIssuer;
  request.subject = kSubject;
  request.audience = kAudience;
  request.lifetime = absl::Hours(1);
  absl::StatusOr<IssuedJwt> issued = IssueJwt(request, keyring, clock);
  ASSERT_TRUE(issued.ok()) << issued.status();
  // A token signed by the retired-but-published key must verify too.
  std::string old_token = SignJwt({{"iss", kIssuer},
                                   {"sub", kSubject},
                                   {"aud", kAudience},
                                   {"iat", kNow - 60},
                                   {"exp", kNow + 600}},
                                  keyring.keys()[0].key, keyring.keys()[0].id)
                              .value();

  json forged_claims = {
      {"iss", kIssuer}, {"sub", "root"}, {"aud", kAudience}, {"iat", kNow}, {"exp", kNow + 3600}};
  std::string forged = WithPayload(issued->token, forged_claims);
  std::string signature_flipped = issued->token;
  signature_flipped[signature_flipped.size() - 5] =
      signature_flipped[signature_flipped.size() - 5] == 'A' ? 'B' : 'A';
  std::string wrong_kid =
      SignJwt(forged_claims, keyring.keys()[0].key, keyring.keys()[1].id).value();

  // A keyring value for node to open from the documented format.
  Keyring token_keys =
      Keyring::FromJson({{{"id", "2026.11"}, {"key", Base64Encode(std::string(32, 'K'))}}}, random)
          .value();
  std::string sealed = token_keys.Encrypt("an-access-token", "client:alice").value();

  absl::StatusOr<json> result = RunNode(
      "verify", {{"jwks", keyring.Jwks()},
                 {"tokens", {issued->token, old_token, forged, signature_flipped, wrong_kid}},
                 {"issuer", kIssuer},
                 {"subject", kSubject},
                 {"audience", kAudience},
                 {"now", kNow + 10},
                 {"sealed",
                  {{"value", sealed},
                   {"key", Base64Encode(std::string(32, 'K'))},
                   {"associatedData", "client:alice"}}},
                 {"tamperedSealed",
                  {{"value", sealed},
                   {"key", Base64Encode(std::string(32, 'K'))},
                   {"associatedData", "client:bob"}}}});
  ASSERT_TRUE(result.ok()) << result.status();
  const json& results = (*result)["results"];
  ASSERT_EQ(results.size(), 5u) << result->dump();

  const json& ours = results[0];
  ASSERT_EQ(ours["ok"], true) << ours.dump();
  EXPECT_EQ(ours["protectedHeader"],
            json({{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", "sa-2026-11"}}));
  EXPECT_EQ(ours["payload"]["iss"], kIssuer);
  EXPECT_EQ(ours["payload"]["sub"], kSubject);
  EXPECT_EQ(ours["payload"]["aud"], kAudience);
  EXPECT_EQ(ours["payload"]["iat"], kNow);
  EXPECT_EQ(ours["payload"]["exp"], kNow + 3600);

  ASSERT_EQ(results[1]["ok"], true) << results[1].dump();
  EXPECT_EQ(results[1]["protectedHeader"]["kid"], "sa-2026-05");

  for (size_t i = 2; i < results.size(); ++i) {
    EXPECT_EQ(results[i]["ok"], false) << i << ": " << results[i].dump();
    EXPECT_EQ(results[i]["code"], "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") << i;
  }

  // RFC 7638 thumbprints agree.
  EXPECT_EQ((*result)["thumbprints"], json({keyring.keys()[0].key.PublicKey().Thumbprint(),
                                            keyring.keys()[1].key.PublicKey().Thumbprint()}));
  // The keyring format, opened by node's AES-256-GCM; the wrong row's AD does
  // not open.
  EXPECT_EQ((*result)["sealed"]["plaintext"], "an-access-token");
  EXPECT_EQ((*result)["tamperedSealed"]["ok"], false) << (*result)["tamperedSealed"].dump();
}

TEST(JoseInteropTest, WeVerifyJoseTokensFromItsPublicJwk) {
  absl::StatusOr<json> result = RunNode("sign", {{"kid", "jose-key"},
                                                 {"issuer", kIssuer},
                                                 {"subject", kSubject},
                                                 {"audience", kAudience},
                                                 {"now", kNow}});
  ASSERT_TRUE(result.ok()) << result.status();
  absl::StatusOr<JwkSet> keys = JwkSet::FromJson({{"keys", {(*result)["jwk"]}}});
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);

  SimulatedClock clock(absl::FromUnixSeconds(kNow + 5));
  JwtVerifyOptions options;
  options.audience = kAudience;
  options.issuer = kIssuer;
  options.max_lifetime = absl::Hours(1);
  std::string token = (*result)["token"];
  absl::StatusOr<VerifiedJwt> jwt = VerifyJwt(token, *keys, clock, options);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->header["kid"], "jose-key");
  EXPECT_EQ(jwt->claims["sub"], kSubject);
  EXPECT_EQ(jwt->claims["scope"], "interop");
  EXPECT_EQ(jwt->claims["iat"], kNow);
  EXPECT_EQ(jwt->claims["exp"], kNow + 600);

  // Tampered, expired and wrong-audience variants of jose's token are refused.
  json claims = jwt->claims;
  claims["sub"] = "root";
  EXPECT_EQ(VerifyJwt(WithPayload(token, claims), *keys, clock, options).status().code(),
            absl::StatusCode::kUnauthenticated);
  clock.Advance(absl::Minutes(11));
  EXPECT_EQ(VerifyJwt(token, *keys, clock, options).status().code(),
            absl::StatusCode::kUnauthenticated);
  clock.Set(absl::FromUnixSeconds(kNow + 5));
  options.audience = "someone-else";
  EXPECT_EQ(VerifyJwt(token, *keys, clock, options).status().code(),
            absl::StatusCode::kUnauthenticated);

  // jose's PKCS#8 and SPKI exports load here, match its JWK, and (Ed25519 being
  // deterministic) our signature over jose's signing input is byte for byte
  // jose's.
  absl::StatusOr<Ed25519PrivateKey> private_key =
      Ed25519PrivateKey::FromPem((*result)["pkcs8"].get<std::string>());
  ASSERT_TRUE(private_key.ok()) << private_key.status();
  absl::StatusOr<Ed25519PublicKey> public_key =
      Ed25519PublicKey::FromPem((*result)["spki"].get<std::string>());
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_EQ(private_key->PublicKey(), *keys->Find("jose-key"));
  EXPECT_EQ(*public_key, *keys->Find("jose-key"));
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  EXPECT_EQ(Base64UrlEncode(private_key->Sign(parts[0] + "." + parts[1]).value()), parts[2]);
}

}  // namespace
}  // namespace bulwark::crypto

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    fprintf(stderr, "usage: %s <path of jose_interop.mjs>\n", argv[0]);
    return 2;
  }
  bulwark::crypto::script_path = argv[1];
  return RUN_ALL_TESTS();
}
