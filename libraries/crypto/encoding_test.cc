#include "libraries/crypto/encoding.h"

#include <string>

#include "gtest/gtest.h"

namespace bulwark::crypto {
namespace {

TEST(EncodingTest, Base64UrlRoundTripsWithoutPadding) {
  std::string bytes("\xfb\xff\x00\x01\x3e", 5);
  std::string encoded = Base64UrlEncode(bytes);
  EXPECT_EQ(encoded, "-_8AAT4");
  std::string decoded;
  ASSERT_TRUE(Base64UrlDecode(encoded, &decoded));
  EXPECT_EQ(decoded, bytes);
}

TEST(EncodingTest, Base64UrlDecodeRejectsNonCanonicalText) {
  std::string out = "left over";
  EXPECT_FALSE(Base64UrlDecode("YQ==", &out));  // padding
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(Base64UrlDecode("YR", &out));     // stray bits: "YQ" is the spelling of "a"
  EXPECT_FALSE(Base64UrlDecode("+/8", &out));    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("YW Jj", &out));  // whitespace
  EXPECT_FALSE(Base64UrlDecode("Y", &out));      // impossible length
  EXPECT_TRUE(Base64UrlDecode("YQ", &out));
  EXPECT_EQ(out, "a");
  EXPECT_TRUE(Base64UrlDecode("", &out));
  EXPECT_EQ(out, "");
}

TEST(EncodingTest, Base64AcceptsPaddedOrUnpaddedCanonicalOnly) {
  std::string out;
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  ASSERT_TRUE(Base64Decode("YWI=", &out));
  EXPECT_EQ(out, "ab");
  ASSERT_TRUE(Base64Decode("YWI", &out));
  EXPECT_EQ(out, "ab");
  EXPECT_FALSE(Base64Decode("YWJ=", &out));  // stray bits
  EXPECT_FALSE(Base64Decode("YW I=", &out));
  EXPECT_FALSE(Base64Decode("-_8A", &out));  // URL-safe alphabet
  EXPECT_FALSE(Base64Decode("YWI=\n", &out));
}

TEST(EncodingTest, Sha256MatchesKnownAnswer) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(Base64UrlEncode(Sha256("abc")), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

TEST(EncodingTest, WipeEmptiesTheString) {
  std::string secret = "hunter2";
  Wipe(&secret);
  EXPECT_TRUE(secret.empty());
}

}  // namespace
}  // namespace bulwark::crypto
