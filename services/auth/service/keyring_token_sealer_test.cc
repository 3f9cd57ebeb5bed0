// Access tokens at rest: sealed, bound to their client, and still readable after a key
// rotation while new tokens use the new key.
#include "services/auth/service/keyring_token_sealer.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"

namespace bulwark::auth {
namespace {

nlohmann::json Key(const std::string& id, char fill) {
  return {{"id", id}, {"key", absl::Base64Escape(std::string(32, fill))}};
}

TEST(KeyringTokenSealerTest, SealsBindsAndSurvivesRotation) {
  SeededRandom random(3);
  auto ring1 = crypto::Keyring::FromJson(nlohmann::json::array({Key("k1", 'a')}), random);
  ASSERT_TRUE(ring1.ok()) << ring1.status();
  KeyringTokenSealer before(std::move(*ring1));
  const std::string token = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
  auto sealed = before.Seal(token, "alice");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find(token), std::string::npos);
  EXPECT_EQ(*before.Unseal(*sealed, "alice"), token);
  // Moved onto another client's row, it does not open.
  EXPECT_FALSE(before.Unseal(*sealed, "mallory").ok());

  // Rotate: append k2. The old value opens; new ones use k2.
  auto ring2 = crypto::Keyring::FromJson({Key("k1", 'a'), Key("k2", 'b')}, random);
  ASSERT_TRUE(ring2.ok());
  KeyringTokenSealer after(std::move(*ring2));
  EXPECT_EQ(*after.Unseal(*sealed, "alice"), token);
  auto resealed = after.Seal(token, "alice");
  ASSERT_TRUE(resealed.ok());
  auto only_k2 = crypto::Keyring::FromJson(nlohmann::json::array({Key("k2", 'b')}), random);
  ASSERT_TRUE(only_k2.ok());
  KeyringTokenSealer retired(std::move(*only_k2));
  EXPECT_EQ(*retired.Unseal(*resealed, "alice"), token);
  absl::Status old = retired.Unseal(*sealed, "alice").status();
  EXPECT_EQ(old.code(), absl::StatusCode::kFailedPrecondition) << old;
  EXPECT_NE(old.message().find("k1"), std::string::npos) << old;
}

}  // namespace
}  // namespace bulwark::auth
