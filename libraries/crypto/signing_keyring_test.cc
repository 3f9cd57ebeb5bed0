#include "libraries/crypto/signing_keyring.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/jwt.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

using nlohmann::json;

class SigningKeyringTest : public ::testing::Test {
 protected:
  SigningKeyringTest()
      : random_(9),
        a_(Ed25519PrivateKey::Generate(random_).value()),
        b_(Ed25519PrivateKey::Generate(random_).value()),
        a_pem_(a_.ToPem().value()),
        b_pem_(b_.ToPem().value()) {}

  std::string WriteFile(const std::string& name, const std::string& contents) {
    const char* dir = std::getenv("TEST_TMPDIR");
    std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  SeededRandom random_;
  Ed25519PrivateKey a_, b_;
  std::string a_pem_, b_pem_;
};

TEST_F(SigningKeyringTest, LastEntryIsCurrentAndAllArePublished) {
  absl::StatusOr<SigningKeyring> ring = SigningKeyring::FromJson(
      {{{"id", "sa-1"}, {"privateKeyPem", a_pem_}}, {{"id", "sa-2"}, {"privateKeyPem", b_pem_}}});
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->current().id, "sa-2");
  EXPECT_EQ(ring->current().key.PublicKey(), b_.PublicKey());
  ASSERT_NE(ring->Find("sa-1"), nullptr);
  EXPECT_EQ(ring->Find("sa-1")->key.PublicKey(), a_.PublicKey());
  EXPECT_EQ(ring->Find("sa-3"), nullptr);

  json jwks = ring->Jwks();
  EXPECT_EQ(jwks, ToJwks({{"sa-1", a_.PublicKey()}, {"sa-2", b_.PublicKey()}}));
  EXPECT_FALSE(absl::StrContains(jwks.dump(), "\"d\"")) << "no private members in the JWKS";
  EXPECT_EQ(ring->public_keys().size(), 2u);
  EXPECT_EQ(*ring->public_keys().Find("sa-1"), a_.PublicKey());
}

TEST_F(SigningKeyringTest, TokensSignedBeforeARotationStillVerify) {
  SimulatedClock clock;
  int64_t now = absl::ToUnixSeconds(clock.Now());
  json claims = {{"sub", "x"}, {"aud", "a"}, {"exp", now + 60}};
  SigningKeyring before =
      SigningKeyring::FromJson({{{"id", "sa-1"}, {"privateKeyPem", a_pem_}}}).value();
  std::string old_token = SignJwt(claims, before.current().key, before.current().id).value();

  SigningKeyring after = SigningKeyring::FromJson({{{"id", "sa-1"}, {"privateKeyPem", a_pem_}},
                                                   {{"id", "sa-2"}, {"privateKeyPem", b_pem_}}})
                             .value();
  std::string new_token = SignJwt(claims, after.current().key, after.current().id).value();
  absl::StatusOr<VerifiedJwt> old_ok = VerifyJwt(old_token, after.public_keys(), clock, "a");
  ASSERT_TRUE(old_ok.ok()) << old_ok.status();
  absl::StatusOr<VerifiedJwt> new_ok = VerifyJwt(new_token, after.public_keys(), clock, "a");
  ASSERT_TRUE(new_ok.ok()) << new_ok.status();
  EXPECT_EQ(new_ok->header["kid"], "sa-2");

  SigningKeyring retired =
      SigningKeyring::FromJson({{{"id", "sa-2"}, {"privateKeyPem", b_pem_}}}).value();
  EXPECT_EQ(VerifyJwt(old_token, retired.public_keys(), clock, "a").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(SigningKeyringTest, FilesAndThumbprintIds) {
  std::string a_path = WriteFile("a.pem", a_pem_);
  std::string b_path = WriteFile("b.pem", b_pem_);
  absl::StatusOr<SigningKeyring> ring = SigningKeyring::FromPemFiles({a_path, b_path});
  ASSERT_TRUE(ring.ok()) << ring.status();
  ASSERT_EQ(ring->keys().size(), 2u);
  EXPECT_EQ(ring->keys()[0].id, a_.PublicKey().Thumbprint());
  EXPECT_EQ(ring->current().id, b_.PublicKey().Thumbprint());

  absl::StatusOr<SigningKeyring> mixed = SigningKeyring::FromJson(
      {{{"privateKeyFile", a_path}}, {{"id", "sa-2"}, {"privateKeyPem", b_pem_}}});
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(mixed->keys()[0].id, a_.PublicKey().Thumbprint());
  EXPECT_EQ(mixed->current().id, "sa-2");

  absl::Status missing = SigningKeyring::FromPemFiles({a_path, "/nonexistent/k.pem"}).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
  EXPECT_TRUE(absl::StrContains(missing.message(), "signing keyring[1]")) << missing;
}

TEST_F(SigningKeyringTest, BadConfigurationIsRefusedNamingTheEntry) {
  struct Case {
    const char* name;
    json config;
    const char* expected;
  };
  json a = {{"id", "sa-1"}, {"privateKeyPem", a_pem_}};
  std::vector<Case> cases = {
      {"not a list", a, "expected a JSON list"},
      {"empty", json::array(), "at least one key"},
      {"not an object", {"sa-1"}, "signing keyring[0]: expected an object"},
      {"no key", {{{"id", "sa-1"}}}, "signing keyring[0] (id \"sa-1\"): give exactly one"},
      {"both sources",
       {{{"id", "sa-1"}, {"privateKeyPem", a_pem_}, {"privateKeyFile", "/x"}}},
       "give exactly one"},
      {"bad id", {{{"id", "sa 1"}, {"privateKeyPem", a_pem_}}}, "signing keyring[0]: \"id\""},
      {"duplicate id",
       {a, {{"id", "sa-1"}, {"privateKeyPem", b_pem_}}},
       "signing keyring[1] (id \"sa-1\"): duplicate key id"},
      {"same key twice",
       {a, {{"id", "sa-2"}, {"privateKeyPem", a_pem_}}},
       "signing keyring[1] (id \"sa-2\"): the same key"},
      {"public key",
       {{{"id", "sa-1"}, {"privateKeyPem", a_.PublicKey().ToPem()}}},
       "signing keyring[0] (id \"sa-1\"): not a PEM private key"},
      {"pem not a string", {{{"id", "sa-1"}, {"privateKeyPem", 5}}}, "must be a string"},
      {"unknown field",
       {{{"id", "sa-1"}, {"privateKeyPem", a_pem_}, {"kid", "x"}}},
       "unknown field \"kid\""},
  };
  for (const Case& c : cases) {
    absl::Status status = SigningKeyring::FromJson(c.config).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name << ": " << status;
    EXPECT_TRUE(absl::StrContains(status.message(), c.expected)) << c.name << ": " << status;
    EXPECT_FALSE(absl::StrContains(status.message(), "PRIVATE KEY-----\n")) << c.name;
  }
  EXPECT_EQ(SigningKeyring::Create({}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::crypto
