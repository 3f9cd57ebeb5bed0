#include "libraries/crypto/ed25519.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

using nlohmann::json;

// RFC 8037 appendix A: the Ed25519 example key, thumbprint and JWS signature.
constexpr char kRfc8037D[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr char kRfc8037X[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr char kRfc8037Thumbprint[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
constexpr char kRfc8037SigningInput[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr char kRfc8037Signature[] =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-"
    "09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 8410 §10.3 private key and §10.1 public key (the same pair).
constexpr char kRfc8410PrivatePem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kRfc8410PublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "-----END PUBLIC KEY-----\n";

// Keys of the wrong kind (throwaway, test only).
constexpr char kP256PublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZo6l7zM+51cNhZa0hNIiSrz2BYDG\n"
    "koo1ojoxd7LEcxBUN8GyrOZF6YTq2AKrFnJDrzzDsMBY5Scbgr9RI4VULw==\n"
    "-----END PUBLIC KEY-----\n";
constexpr char kP256PrivatePem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgq2HHvdYakWy59zuj\n"
    "ej7ojRN6DZ4MNAnqaRySAEHwMmqhRANCAAR8Ht74NDAAEY6CiT5wz+WoV4sSu9bq\n"
    "pkeqEbiVl2k795Uxmww8xlFeQPkC2GnkwEHObnzVBo1/OJcRZI9lJPxa\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kEncryptedPem[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgTjOmCV+aANgICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEDxeC6I/O5ml/dhTQ9pZzYwEQMuU\n"
    "FPzwpG35sKpnBdNHw4ZdTt8xoS/lvuUYBa4U1o1H9ZcvQ5ZWzLKYYgPFf3j0okL3\n"
    "V/BAtjpc5xzfr355dwE=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

std::string Decoded(const std::string& b64url) {
  std::string out;
  EXPECT_TRUE(Base64UrlDecode(b64url, &out)) << b64url;
  return out;
}

Ed25519PrivateKey Rfc8037Key() {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromSeed(Decoded(kRfc8037D));
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(Ed25519Test, Rfc8037KnownAnswers) {
  Ed25519PrivateKey key = Rfc8037Key();
  Ed25519PublicKey pub = key.PublicKey();
  EXPECT_EQ(Base64UrlEncode(pub.Raw()), kRfc8037X);
  EXPECT_EQ(pub.Thumbprint(), kRfc8037Thumbprint);
  EXPECT_EQ(pub.ToJwk(), json({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kRfc8037X}}));
  absl::StatusOr<std::string> signature = key.Sign(kRfc8037SigningInput);
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(signature->size(), 64u);
  EXPECT_EQ(Base64UrlEncode(*signature), kRfc8037Signature);
  EXPECT_TRUE(pub.Verify(kRfc8037SigningInput, Decoded(kRfc8037Signature)));
}

TEST(Ed25519Test, Rfc8410PemPairLoads) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromPem(kRfc8410PrivatePem);
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromPem(kRfc8410PublicPem);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(key->PublicKey(), *pub);
  EXPECT_EQ(pub->ToPem(), kRfc8410PublicPem);
  EXPECT_EQ(key->ToPem().value_or(""), kRfc8410PrivatePem);
}

TEST(Ed25519Test, PemRoundTrips) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::Generate(Random::Secure());
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<std::string> pem = key->ToPem();
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_TRUE(absl::StartsWith(*pem, "-----BEGIN PRIVATE KEY-----\n")) << "PKCS#8 expected";
  absl::StatusOr<Ed25519PrivateKey> again = Ed25519PrivateKey::FromPem(*pem);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->PublicKey(), key->PublicKey());
  // Ed25519 is deterministic: the reloaded key makes the very same signature.
  EXPECT_EQ(again->Sign("message").value_or("a"), key->Sign("message").value_or("b"));

  std::string public_pem = key->PublicKey().ToPem();
  EXPECT_TRUE(absl::StartsWith(public_pem, "-----BEGIN PUBLIC KEY-----\n"));
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromPem(public_pem);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(*pub, key->PublicKey());
}

TEST(Ed25519Test, PemFilesLoad) {
  Ed25519PrivateKey key = Rfc8037Key();
  std::string private_path = TempPath("signing.pem");
  std::string public_path = TempPath("signing.pub.pem");
  std::ofstream(private_path) << key.ToPem().value();
  std::ofstream(public_path) << key.PublicKey().ToPem();
  absl::StatusOr<Ed25519PrivateKey> loaded = Ed25519PrivateKey::FromPemFile(private_path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->PublicKey(), key.PublicKey());
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromPemFile(public_path);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(*pub, key.PublicKey());

  absl::Status missing = Ed25519PrivateKey::FromPemFile(TempPath("absent.pem")).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
  EXPECT_TRUE(absl::StrContains(missing.message(), "absent.pem")) << missing;
  // A public key where a private one is expected: the message names the file,
  // not its bytes.
  absl::Status wrong = Ed25519PrivateKey::FromPemFile(public_path).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument) << wrong;
  EXPECT_TRUE(absl::StrContains(wrong.message(), "signing.pub.pem")) << wrong;
}

TEST(Ed25519Test, SignaturesBindMessageAndKey) {
  SeededRandom random(3);
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate(random).value();
  Ed25519PrivateKey other = Ed25519PrivateKey::Generate(random).value();
  const std::string message = R"({"chainOfTrustVersion":1,"taskId":"abc"})";
  std::string signature = key.Sign(message).value();
  ASSERT_EQ(signature.size(), kEd25519SignatureBytes);
  Ed25519PublicKey pub = key.PublicKey();
  EXPECT_TRUE(pub.Verify(message, signature));
  EXPECT_FALSE(pub.Verify(message + " ", signature));
  EXPECT_FALSE(pub.Verify("", signature));
  EXPECT_FALSE(other.PublicKey().Verify(message, signature));
  for (size_t i = 0; i < signature.size(); i += 7) {
    std::string flipped = signature;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_FALSE(pub.Verify(message, flipped)) << "byte " << i;
  }
  EXPECT_FALSE(pub.Verify(message, signature.substr(0, 63)));
  EXPECT_FALSE(pub.Verify(message, signature + "x"));
  EXPECT_FALSE(pub.Verify(message, ""));
  // Empty messages are signable too.
  EXPECT_TRUE(pub.Verify("", key.Sign("").value()));
}

TEST(Ed25519Test, GenerateUsesTheInjectedRandom) {
  SeededRandom a(11), b(11);
  EXPECT_EQ(Ed25519PrivateKey::Generate(a)->PublicKey(),
            Ed25519PrivateKey::Generate(b)->PublicKey());
  EXPECT_NE(Ed25519PrivateKey::Generate(Random::Secure())->PublicKey(),
            Ed25519PrivateKey::Generate(Random::Secure())->PublicKey());
}

TEST(Ed25519Test, JwkRoundTripsAndRejectsOtherKeys) {
  Ed25519PublicKey pub = Rfc8037Key().PublicKey();
  json jwk = pub.ToJwk();
  jwk["kid"] = "ignored";
  jwk["use"] = "sig";
  absl::StatusOr<Ed25519PublicKey> loaded = Ed25519PublicKey::FromJwk(jwk);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, pub);

  auto with = [&](const char* field, json value) {
    json copy = pub.ToJwk();
    copy[field] = std::move(value);
    return Ed25519PublicKey::FromJwk(copy).status();
  };
  EXPECT_EQ(with("kty", "EC").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(with("crv", "X25519").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(with("x", std::string(kRfc8037X) + "=").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(with("x", Base64UrlEncode(std::string(31, 'a'))).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(with("x", 5).code(), absl::StatusCode::kInvalidArgument);
  absl::Status private_jwk = with("d", kRfc8037D);
  EXPECT_EQ(private_jwk.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(absl::StrContains(private_jwk.message(), kRfc8037D)) << private_jwk;
  EXPECT_EQ(Ed25519PublicKey::FromJwk(json::array()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Ed25519Test, WrongKindsOfKeyAreRefusedWithoutEchoingThem) {
  struct Case {
    const char* name;
    absl::Status status;
    const char* expected;
  };
  Case cases[] = {
      {"P-256 public", Ed25519PublicKey::FromPem(kP256PublicPem).status(), "not an Ed25519"},
      {"P-256 private", Ed25519PrivateKey::FromPem(kP256PrivatePem).status(), "not an Ed25519"},
      {"encrypted", Ed25519PrivateKey::FromPem(kEncryptedPem).status(), "encrypted"},
      {"public as private", Ed25519PrivateKey::FromPem(kRfc8410PublicPem).status(),
       "not a PEM private key"},
      {"private as public", Ed25519PublicKey::FromPem(kRfc8410PrivatePem).status(),
       "not a PEM public key"},
      {"garbage", Ed25519PrivateKey::FromPem("hello").status(), "not a PEM private key"},
      {"empty", Ed25519PublicKey::FromPem("").status(), "not a PEM public key"},
      {"short raw", Ed25519PublicKey::FromRaw(std::string(31, 'a')).status(), "32 bytes"},
      {"short seed", Ed25519PrivateKey::FromSeed(std::string(33, 'a')).status(), "32 bytes"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), absl::StatusCode::kInvalidArgument) << c.name << ": " << c.status;
    EXPECT_TRUE(absl::StrContains(c.status.message(), c.expected)) << c.name << ": " << c.status;
    EXPECT_FALSE(absl::StrContains(c.status.message(), "MC4CAQAw")) << c.name;
    EXPECT_FALSE(absl::StrContains(c.status.message(), "MIGHAgEA")) << c.name;
  }
}

}  // namespace
}  // namespace bulwark::crypto
