#include "libraries/scopes/scope.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes {
namespace {

TEST(ValidScopeTest, UpstreamVectors) {
  EXPECT_TRUE(ValidScope("auth:credentials"));
  EXPECT_TRUE(ValidScope("queue:*"));
  EXPECT_TRUE(ValidScope("secrets:garbage:foo bar"));
  EXPECT_FALSE(ValidScope("some:garbage\nauth:credentials"));
  EXPECT_FALSE(ValidScope(std::string("some:garbage\0auth:credentials", 29)));
  EXPECT_FALSE(ValidScope("halt:\xf0\x9f\x9b\x87"));
  EXPECT_TRUE(ValidScope(""));
}

TEST(ValidScopeTest, Boundaries) {
  EXPECT_TRUE(ValidScope(" ~"));
  EXPECT_FALSE(ValidScope("\x1f"));
  EXPECT_FALSE(ValidScope("\x7f"));
  EXPECT_FALSE(ValidScope("a\tb"));
}

TEST(SatisfiesTest, TrailingStar) {
  EXPECT_TRUE(Satisfies("a*", "a"));
  EXPECT_TRUE(Satisfies("a*", "ab"));
  EXPECT_TRUE(Satisfies("a*", "a*"));
  EXPECT_TRUE(Satisfies("a*", "a**"));
  EXPECT_TRUE(Satisfies("*", ""));
  EXPECT_TRUE(Satisfies("*", "anything"));
  EXPECT_TRUE(Satisfies("", ""));
  EXPECT_TRUE(Satisfies("a**", "a*x"));
  EXPECT_FALSE(Satisfies("a**", "a"));
  EXPECT_FALSE(Satisfies("a", "a*"));
  EXPECT_FALSE(Satisfies("foo:", "foo:bar"));
  EXPECT_FALSE(Satisfies("*:bar", "foo:bar"));
  EXPECT_FALSE(Satisfies("foo:*:bing", "foo:bar:bing"));
  EXPECT_FALSE(Satisfies("", "a"));
}

// Upstream's "total order" vectors: every pair compares in list order.
void ExpectTotalOrder(const std::vector<std::string>& scopes) {
  for (size_t i = 0; i < scopes.size(); ++i) {
    for (size_t j = 0; j < scopes.size(); ++j) {
      const int c = ScopeCompare(scopes[i], scopes[j]);
      const int expected = i < j ? -1 : (i == j ? 0 : 1);
      EXPECT_EQ((c > 0) - (c < 0), expected) << scopes[i] << " vs " << scopes[j];
    }
  }
}

TEST(ScopeCompareTest, TotalOrders) {
  ExpectTotalOrder({"abc*", "abc", "abc%d"});
  ExpectTotalOrder(
      {"*", "", "**", "***", "****", "aaa*", "aaa", "aaa**", "aaa***", "aaa****", "aaa*****"});
  ExpectTotalOrder(
      {"x*", "x", "x%*", "x%", "x%%", "x%a", "x**", "x*%", "x*a", "xa*", "xa", "xa%", "xaa"});
}

// Upstream's sort vectors, each shuffled 50 times.
TEST(ScopeCompareTest, SortVectors) {
  const std::vector<std::vector<std::string>> sorted = {
      {"test-*", "test-1*", "test-1", "test-10", "test-11", "test-12", "test-13", "test-2",
       "test-3"},
      {"test*", "test", "test*a", "test*b", "testb"},
      {"ab", "abc*", "abc", "abc*d", "abcd"},
      {"*", "", "("},
      {"aa", "ab*", "ab("},
      {"*", "a*", "a", "aa", "aaa", "aab", "ab", "abb*", "abb", "abbc", "ca", "caa", "cab*", "cab",
       "cc*"},
      {"*", "", "**", "***", "****"},
      {"abc*", "abc", "abc%d"},
  };
  std::mt19937 rng(7);
  for (const auto& expected : sorted) {
    std::vector<std::string> scopes = expected;
    for (int i = 0; i < 50; ++i) {
      std::shuffle(scopes.begin(), scopes.end(), rng);
      SortScopes(scopes);
      EXPECT_EQ(scopes, expected);
    }
  }
}

TEST(ScopeCompareTest, ByteOrderBelowSpaceAndHighBytes) {
  EXPECT_LT(ScopeCompare("a\x1a", "a "), 0);
  EXPECT_LT(ScopeCompare("a~", "a\x80"), 0);  // bytes compare unsigned
  EXPECT_LT(ScopeCompare("a*", "a"), 0);
  EXPECT_GT(ScopeCompare("a", "a*"), 0);
  EXPECT_LT(ScopeCompare("a", "a**"), 0);  // "a" vs "a*" after stripping
}

}  // namespace
}  // namespace bulwark::scopes
