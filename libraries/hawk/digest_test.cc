#include "libraries/hawk/digest.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace bulwark::hawk {
namespace {

TEST(DigestTest, HmacSha256MatchesKnownVectors) {
  // The Wikipedia HMAC example and Node's crypto.createHmac('sha256', '').
  EXPECT_EQ(
      absl::BytesToHexString(HmacSha256("key", "The quick brown fox jumps over the lazy dog")),
      "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  EXPECT_EQ(Base64(HmacSha256("", "abc")), "/XrbFSwF74Dcz1Ch+kwF1aPsbalVdfwxKufF0JGDY1E=");
}

TEST(DigestTest, HmacSha256IsRekeyedOnEveryCallInEveryThread) {
  const std::string expected = Base64(HmacSha256("", "abc"));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        // Alternate keys so that a context keeping the previous key would show.
        if (Base64(HmacSha256(std::string(i % 3, 'k'), "abc")) !=
            Base64(HmacSha256(std::string(i % 3, 'k'), "abc"))) {
          ++mismatches[t];
        }
        if (Base64(HmacSha256("", "abc")) != expected) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : mismatches) EXPECT_EQ(count, 0);
  EXPECT_NE(HmacSha256("a", "abc"), HmacSha256("b", "abc"));
}

TEST(DigestTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(absl::BytesToHexString(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, Base64Forms) {
  const std::string bytes("\xfb\xff\xfe", 3);
  EXPECT_EQ(Base64(bytes), "+//+");
  EXPECT_EQ(Base64UrlNoPadding(bytes), "-__-");
  EXPECT_EQ(Base64("a"), "YQ==");
  EXPECT_EQ(Base64UrlNoPadding("a"), "YQ");
  EXPECT_EQ(Base64UrlNoPadding(HmacSha256("k", "d")).size(), 43u);
}

TEST(DigestTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace bulwark::hawk
