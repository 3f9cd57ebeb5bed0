#include "libraries/crypto/keygen.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/keyring.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

using nlohmann::json;

TEST(KeygenTest, TokenKeyEntriesLoadIntoAKeyring) {
  SeededRandom random(1);
  absl::StatusOr<std::string> a = RunKeygen({"token-key", "2026-05"}, random);
  absl::StatusOr<std::string> b = RunKeygen({"token-key", "2026-11"}, random);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  absl::StatusOr<Keyring> ring = Keyring::FromJson({json::parse(*a), json::parse(*b)}, random);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->current_key_id(), "2026-11");
  EXPECT_NE(json::parse(*a)["key"], json::parse(*b)["key"]);
}

TEST(KeygenTest, SigningKeyEntriesLoadIntoASigningKeyring) {
  SeededRandom random(2);
  absl::StatusOr<std::string> named = RunKeygen({"signing-key", "sa-1"}, random);
  absl::StatusOr<std::string> unnamed = RunKeygen({"signing-key"}, random);
  ASSERT_TRUE(named.ok() && unnamed.ok());
  absl::StatusOr<SigningKeyring> ring =
      SigningKeyring::FromJson({json::parse(*named), json::parse(*unnamed)});
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->keys()[0].id, "sa-1");
  EXPECT_EQ(ring->current().id, ring->current().key.PublicKey().Thumbprint());
}

TEST(KeygenTest, PemAndJwkOfAKeyFile) {
  SeededRandom random(3);
  absl::StatusOr<std::string> pem = RunKeygen({"private-pem"}, random);
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_TRUE(absl::StartsWith(*pem, "-----BEGIN PRIVATE KEY-----\n"));
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/key.pem";
  std::ofstream(path) << *pem;
  Ed25519PublicKey expected = Ed25519PrivateKey::FromPem(*pem)->PublicKey();

  absl::StatusOr<std::string> public_pem = RunKeygen({"public-pem", path}, random);
  ASSERT_TRUE(public_pem.ok()) << public_pem.status();
  EXPECT_EQ(*Ed25519PublicKey::FromPem(*public_pem), expected);

  absl::StatusOr<std::string> raw = RunKeygen({"public-raw", path}, random);
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::string decoded;
  ASSERT_TRUE(absl::EndsWith(*raw, "\n"));
  ASSERT_TRUE(Base64Decode(raw->substr(0, raw->size() - 1), &decoded)) << *raw;
  EXPECT_EQ(*Ed25519PublicKey::FromRaw(decoded), expected);

  absl::StatusOr<std::string> jwk = RunKeygen({"jwk", path}, random);
  ASSERT_TRUE(jwk.ok()) << jwk.status();
  json parsed = json::parse(*jwk);
  EXPECT_EQ(parsed["kid"], expected.Thumbprint());
  EXPECT_FALSE(parsed.contains("d"));
  EXPECT_EQ(*Ed25519PublicKey::FromJwk(parsed), expected);
}

TEST(KeygenTest, BadArgumentsPrintTheUsage) {
  SeededRandom random(4);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"token-key"},
                                             {"token-key", "bad id"},
                                             {"signing-key", "a", "b"},
                                             {"public-pem"},
                                             {"frobnicate"}}) {
    absl::Status status = RunKeygen(args, random).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  }
  EXPECT_TRUE(absl::StrContains(RunKeygen({}, random).status().message(), "usage: crypto_keygen"));
  EXPECT_EQ(RunKeygen({"jwk", "/nonexistent.pem"}, random).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace bulwark::crypto
