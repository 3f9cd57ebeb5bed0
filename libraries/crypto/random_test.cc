#include "libraries/crypto/random.h"

#include <set>

#include "gtest/gtest.h"

namespace bulwark {
namespace {

TEST(RandomTest, SlugidsHaveTaskclusterShape) {
  SeededRandom random(7);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string s = NiceSlugid(random);
    ASSERT_EQ(s.size(), 22u);
    EXPECT_TRUE(IsSlugid(s)) << s;
    EXPECT_NE(s[0], '-') << s;
    EXPECT_TRUE(seen.insert(s).second);
  }
  std::string token = NewAccessToken(Random::Secure());
  EXPECT_EQ(token.size(), 44u);
  EXPECT_TRUE(IsSlugid(token.substr(0, 22)));
  EXPECT_TRUE(IsSlugid(token.substr(22)));
}

TEST(RandomTest, IsSlugidRejectsOtherStrings) {
  EXPECT_FALSE(IsSlugid(""));
  EXPECT_FALSE(IsSlugid("abc"));
  EXPECT_FALSE(IsSlugid("AAAAAAAAAAAAAAAAAAAAAA"));  // not v4
  EXPECT_FALSE(IsSlugid(std::string(22, '/')));
}

TEST(RandomTest, SeededIsDeterministicAndSecureIsNot) {
  SeededRandom a(1), b(1);
  EXPECT_EQ(a.Bytes(32), b.Bytes(32));
  EXPECT_NE(Random::Secure().Bytes(32), Random::Secure().Bytes(32));
}

}  // namespace
}  // namespace bulwark
