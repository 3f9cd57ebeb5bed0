#include "libraries/scopes/scope_set.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulwark::scopes {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Scopes = std::vector<std::string>;

TEST(NormalizeScopeSetTest, UpstreamVectors) {
  EXPECT_THAT(NormalizeScopeSet({}), IsEmpty());
  EXPECT_THAT(NormalizeScopeSet({"a*", "b*"}), ElementsAre("a*", "b*"));
  EXPECT_THAT(SortAndNormalize({"abc", "abx*", "ab*", "b", "b*"}), ElementsAre("ab*", "b*"));
  EXPECT_THAT(SortAndNormalize({"abc", "abx*", "ab*", "b", "b*", "abc*"}),
              ElementsAre("ab*", "b*"));
  EXPECT_THAT(SortAndNormalize({"abc", "abx*", "ab*", "b", "b*", "abc*", "b*", "b*", "b*", "b*"}),
              ElementsAre("ab*", "b*"));
}

TEST(NormalizeScopeSetTest, EdgeCases) {
  EXPECT_THAT(SortAndNormalize({"*", "", "anything"}), ElementsAre("*"));
  EXPECT_THAT(SortAndNormalize({"", ""}), ElementsAre(""));
  EXPECT_THAT(SortAndNormalize({"a**", "a*"}), ElementsAre("a*"));
  EXPECT_THAT(SortAndNormalize({"a**", "a*x", "a"}), ElementsAre("a", "a**"));
  // Unsorted input is walked as given, like upstream.
  EXPECT_THAT(NormalizeScopeSet({"b", "a*", "ab", "a"}), ElementsAre("b", "a*"));
}

struct MergeCase {
  Scopes a, b, expected;
};

// Upstream's merge vectors (inputs sorted, not always normalized), shuffled 50
// times.
TEST(MergeScopeSetsTest, UpstreamVectors) {
  const Scopes tr = {"assume:tr-0", "assume:tr-1", "assume:tr-10", "assume:tr-2",
                     "assume:tr-3", "assume:tr-4", "assume:tr-5",  "assume:tr-6",
                     "assume:tr-7", "assume:tr-8", "assume:tr-9",  "special-scope"};
  const std::vector<MergeCase> cases = {
      {{"a", "b", "c"}, {}, {"a", "b", "c"}},
      {{"a*", "b", "c"}, {}, {"a*", "b", "c"}},
      {tr, {}, tr},
      {{"b*", "ab", "aa", "a", "a*"}, {}, {"a*", "b*"}},
      {{"b*", "ab", "aa", "a*"}, {}, {"a*", "b*"}},
      {{"assume:tr-10", "assume:tr-9", "special-scope"},
       {},
       {"assume:tr-10", "assume:tr-9", "special-scope"}},
      {{},
       {"assume:tr-10", "assume:tr-9", "special-scope"},
       {"assume:tr-10", "assume:tr-9", "special-scope"}},
      {{"b*", "ab", "aa", "a*", "c", "ca", "da*"},
       {"b*", "ab", "aa", "a*", "abc", "ab*", "ca", "daa"},
       {"a*", "b*", "c", "ca", "da*"}},
  };
  std::mt19937 rng(11);
  for (MergeCase c : cases) {
    for (int i = 0; i < 50; ++i) {
      std::shuffle(c.a.begin(), c.a.end(), rng);
      std::shuffle(c.b.begin(), c.b.end(), rng);
      SortScopes(c.a);
      SortScopes(c.b);
      EXPECT_EQ(MergeScopeSets(c.a, c.b), c.expected);
    }
  }
}

// The k-way merge equals normalizing the concatenation, on random sets over a
// tiny alphabet.
TEST(MergeNormalizedSetsTest, EqualsNormalizeOfUnion) {
  std::mt19937 rng(5);
  const std::string alphabet = "ab*";
  const auto random_scope = [&] {
    std::string s;
    const int len = std::uniform_int_distribution<int>(0, 4)(rng);
    for (int i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  for (int round = 0; round < 2000; ++round) {
    const int k = std::uniform_int_distribution<int>(0, 5)(rng);
    std::vector<Scopes> sets(k);
    Scopes all;
    for (Scopes& set : sets) {
      const int n = std::uniform_int_distribution<int>(0, 6)(rng);
      for (int i = 0; i < n; ++i) set.push_back(random_scope());
      set = SortAndNormalize(set);
      all.insert(all.end(), set.begin(), set.end());
    }
    std::vector<absl::Span<const std::string>> spans(sets.begin(), sets.end());
    EXPECT_EQ(MergeNormalizedSets(spans), SortAndNormalize(all));
    if (k >= 2) {
      EXPECT_EQ(MergeScopeSets(sets[0], sets[1]), ScopeUnion(sets[0], sets[1]));
    }
  }
}

Scopes Sorted(Scopes s) {
  std::sort(s.begin(), s.end());
  return s;
}

// Upstream checks both argument orders, comparing plainly sorted results.
void ExpectUnion(const Scopes& a, const Scopes& b, const Scopes& expected) {
  EXPECT_EQ(Sorted(ScopeUnion(a, b)), Sorted(expected));
  EXPECT_EQ(Sorted(ScopeUnion(b, a)), Sorted(expected));
}

TEST(ScopeUnionTest, UpstreamVectors) {
  ExpectUnion({"abc", "d*", "xyzb*"}, {"abc", "d*", "xyzb*"}, {"abc", "d*", "xyzb*"});
  ExpectUnion({"abc", "a*", "d*", "xyzb*"}, {"abc", "a*", "d*", "xyzb*"}, {"a*", "d*", "xyzb*"});
  ExpectUnion({"a*"}, {"b*"}, {"a*", "b*"});
  ExpectUnion({"a*"}, {"abc", "d"}, {"a*", "d"});
  ExpectUnion({"a", "a*", "abc", "abc*"}, {"def", "d*", "defg*"}, {"a*", "d*"});
}

void ExpectIntersection(const Scopes& a, const Scopes& b, const Scopes& expected) {
  EXPECT_EQ(Sorted(ScopeIntersection(a, b)), Sorted(expected));
  EXPECT_EQ(Sorted(ScopeIntersection(b, a)), Sorted(expected));
}

TEST(ScopeIntersectionTest, UpstreamVectors) {
  ExpectIntersection({"foo:bar"}, {"foo:bar"}, {"foo:bar"});
  ExpectIntersection({"foo:bar"}, {""}, {});
  ExpectIntersection({"foo:bar"}, {"foo:*"}, {"foo:bar"});
  ExpectIntersection({"foo:bar:bing"}, {"foo:*:bing"}, {});
  ExpectIntersection({"foo:bar"}, {"*:bar"}, {});
  ExpectIntersection({"foo:bar"}, {"foo:"}, {});
  ExpectIntersection({"foo:bar:*"}, {"bar:bing"}, {});
  ExpectIntersection({"bar:*"}, {"foo:bar:bing"}, {});
  ExpectIntersection({"bar:*"}, {"foo:x", "bar:x"}, {"bar:x"});
  ExpectIntersection({"bar:y", "foo:x"}, {"bar:*", "foo:x"}, {"bar:y", "foo:x"});
  ExpectIntersection({""}, {"foo:bar"}, {});
  ExpectIntersection({}, {"foo:bar"}, {});
  ExpectIntersection({"foo:bar", "bar:bing"}, {"*"}, {"foo:bar", "bar:bing"});
  ExpectIntersection({"foo:bar"}, {}, {});
}

TEST(ScopeIntersectionTest, OrderAndRepeatsAsUpstream) {
  // Members of a first, then of b; repeats dropped, first occurrence kept; not
  // normalized.
  EXPECT_THAT(ScopeIntersection({"a*"}, {"ab*"}), ElementsAre("ab*"));
  EXPECT_THAT(ScopeIntersection({"x", "a*", "x"}, {"*", "x"}), ElementsAre("x", "a*"));
  EXPECT_THAT(ScopeIntersection({"b", "a"}, {"a", "b"}), ElementsAre("b", "a"));
}

TEST(SetSatisfiesTest, AnyMember) {
  EXPECT_TRUE(SetSatisfies({"x", "a*"}, "abc"));
  EXPECT_FALSE(SetSatisfies({"x", "a"}, "abc"));
  EXPECT_FALSE(SetSatisfies({}, ""));
}

}  // namespace
}  // namespace bulwark::scopes
