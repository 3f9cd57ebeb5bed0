// The entry primitives (scope_entries.h) against the string algebra
// (scope_set.h) on random lists built to collide: long shared prefixes (longer
// than one 8-byte key, several keys long), stars, repeats, zero and high
// bytes; and ExpandedScopes' own API.
#include "libraries/scopes/expanded_scopes.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_entries.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes {
namespace {

using internal::ScopeEntry;
using Scopes = std::vector<std::string>;

std::string RandomScope(std::mt19937_64& rng) {
  static const char* const kPrefixes[] = {"", "a", "queue:route:notify.proj7.",
                                          "queue:route:notify.proj7.12345678.", "assume:"};
  static const std::string kAlphabet = std::string("ab*:.") + '\0' + "\x7f\xff";
  std::string s = kPrefixes[rng() % 5];
  const int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) s += kAlphabet[rng() % kAlphabet.size()];
  if (rng() % 3 == 0) s += '*';
  return s;
}

Scopes RandomScopes(std::mt19937_64& rng, int max) {
  Scopes out;
  const int n = static_cast<int>(rng() % (max + 1));
  for (int i = 0; i < n; ++i) out.push_back(RandomScope(rng));
  // Repeats.
  if (!out.empty() && rng() % 2 == 0) out.push_back(out[rng() % out.size()]);
  return out;
}

std::vector<ScopeEntry> EntriesOf(const Scopes& scopes) {
  std::vector<ScopeEntry> out;
  for (const std::string& s : scopes) out.push_back(internal::MakeEntry(s, false));
  return out;
}

Scopes StringsOf(const std::vector<ScopeEntry>& entries) {
  Scopes out;
  for (const ScopeEntry& e : entries) out.emplace_back(e.view());
  return out;
}

TEST(ScopeEntriesTest, CompareEntriesIsScopeCompare) {
  std::mt19937_64 rng(1);
  int ties = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::string a = RandomScope(rng);
    const std::string b = rng() % 4 == 0 ? a + (rng() % 2 ? "*" : "") : RandomScope(rng);
    const int want = ScopeCompare(a, b);
    const int got =
        internal::CompareEntries(internal::MakeEntry(a, false), internal::MakeEntry(b, false));
    ASSERT_EQ((got > 0) - (got < 0), (want > 0) - (want < 0)) << "'" << a << "' vs '" << b << "'";
    ties += want == 0;
  }
  EXPECT_GT(ties, 1000);
}

TEST(ScopeEntriesTest, SortAndNormalizeMatchesStrings) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 20000; ++i) {
    const Scopes scopes = RandomScopes(rng, i % 100 == 0 ? 400 : 40);
    std::vector<ScopeEntry> entries = EntriesOf(scopes);
    internal::SortAndNormalizeEntries(entries);
    ASSERT_EQ(StringsOf(entries), SortAndNormalize(scopes)) << "case " << i;
  }
}

TEST(ScopeEntriesTest, MergeMatchesStrings) {
  std::mt19937_64 rng(3);
  internal::EntryMerger merger;
  for (int i = 0; i < 5000; ++i) {
    // Lists of very different sizes, so that merges gallop.
    const int k = 1 + static_cast<int>(rng() % 6);
    std::vector<Scopes> sets;
    for (int j = 0; j < k; ++j) {
      sets.push_back(SortAndNormalize(RandomScopes(rng, rng() % 3 == 0 ? 300 : 8)));
    }
    std::vector<std::vector<ScopeEntry>> entries;
    std::vector<absl::Span<const ScopeEntry>> lists;
    std::vector<absl::Span<const std::string>> string_lists;
    for (const Scopes& s : sets) entries.push_back(EntriesOf(s));
    for (size_t j = 0; j < sets.size(); ++j) {
      lists.push_back(entries[j]);
      string_lists.push_back(sets[j]);
    }
    std::vector<ScopeEntry> out;
    merger.Merge(lists, out);
    ASSERT_EQ(StringsOf(out), MergeNormalizedSets(string_lists)) << "case " << i;
  }
}

// Scopes sharing a prefix of every length from 0 to 40 bytes, with tails of
// 0 to 12 bytes: the sort's word-at-a-time common prefix, its keys of the
// last bytes of a stem, and the inline second key word of CompareEntries meet
// every alignment; groups of 2 to 99 scopes take every path of the key sort
// (insertion sort, the sorting networks of 9 to 64 items, std::sort).
std::string SharedPrefixScope(std::mt19937_64& rng, const std::string& prefix) {
  static const std::string kAlphabet = std::string("09.*") + '\0' + "\xff";
  std::string s = prefix.substr(0, rng() % (prefix.size() + 1));
  const int n = static_cast<int>(rng() % 13);
  for (int i = 0; i < n; ++i) s += kAlphabet[rng() % kAlphabet.size()];
  return s;
}

TEST(ScopeEntriesTest, SortAndNormalizeSharedPrefixesMatchesStrings) {
  std::mt19937_64 rng(5);
  const std::string base = "queue:route:notify.proj7.0123456789.abcdef";
  for (int i = 0; i < 20000; ++i) {
    const std::string prefix = base.substr(0, i % 41);
    Scopes scopes;
    const int n = 2 + static_cast<int>(rng() % 98);
    for (int j = 0; j < n; ++j) scopes.push_back(SharedPrefixScope(rng, prefix));
    std::vector<ScopeEntry> entries = EntriesOf(scopes);
    internal::SortAndNormalizeEntries(entries);
    ASSERT_EQ(StringsOf(entries), SortAndNormalize(scopes)) << "case " << i;
  }
}

TEST(ScopeEntriesTest, EqualAndCoversMatchStrings) {
  std::mt19937_64 rng(6);
  const std::string base = "queue:route:notify.proj7.0123456789.abcdef";
  int equal = 0, covers = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::string prefix = base.substr(0, i % 41);
    const std::string a = SharedPrefixScope(rng, prefix);
    const std::string b = rng() % 4 == 0 ? a : SharedPrefixScope(rng, prefix);
    const ScopeEntry ea = internal::MakeEntry(a, false), eb = internal::MakeEntry(b, false);
    ASSERT_EQ(internal::EqualEntries(ea, eb), a == b) << "'" << a << "' vs '" << b << "'";
    const bool want_covers = IsStar(a) && absl::StartsWith(b, WithoutStar(a));
    ASSERT_EQ(internal::Covers(ea, eb), want_covers) << "'" << a << "' vs '" << b << "'";
    equal += a == b;
    covers += want_covers;
  }
  EXPECT_GT(equal, 10000);
  EXPECT_GT(covers, 1000);
}

TEST(ExpandedScopesTest, FromScopesCopiesEveryLength) {
  // The block copies short strings with fixed-size moves: every length from
  // 0 to 130 bytes must come out whole.
  std::mt19937_64 rng(7);
  Scopes input;
  for (size_t n = 0; n <= 130; ++n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>('a' + rng() % 26);
    if (n > 0) s[0] = static_cast<char>('A' + n % 26);  // distinct, unsorted
    input.push_back(s);
  }
  const ExpandedScopes set = ExpandedScopes::FromScopes(input);
  EXPECT_EQ(set, SortAndNormalize(input));
  EXPECT_EQ(set.size(), input.size());
}

TEST(ExpandedScopesTest, FromScopesOwnsNormalizedCopies) {
  Scopes input = {"b", "a*", "ab", "c", "c"};
  const ExpandedScopes set = ExpandedScopes::FromScopes(input);
  input.assign(input.size(), std::string(40, 'x'));  // the copies do not depend on the input
  EXPECT_EQ(set, (Scopes{"a*", "b", "c"}));
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set[0], "a*");
  EXPECT_EQ(set.ToVector(), (Scopes{"a*", "b", "c"}));
  EXPECT_TRUE(ExpandedScopes().empty());
  EXPECT_EQ(ExpandedScopes(), Scopes{});
  EXPECT_TRUE(ExpandedScopes::FromScopes({}).empty());
}

TEST(ExpandedScopesTest, CopiesShareAndOutliveEachOther) {
  ExpandedScopes a = ExpandedScopes::FromScopes({"x", "y"});
  ExpandedScopes b = a;
  EXPECT_TRUE(b.SharesStorageWith(a));
  ExpandedScopes c = std::move(a);
  a = ExpandedScopes();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(b, c);
  b = ExpandedScopes::FromScopes({"z"});
  EXPECT_EQ(c, (Scopes{"x", "y"}));
  EXPECT_NE(b, c);
  EXPECT_EQ(b, ExpandedScopes::FromScopes({"z"}));
  EXPECT_FALSE(b.SharesStorageWith(ExpandedScopes::FromScopes({"z"})));
}

TEST(ExpandedScopesTest, SatisfiesIsSetSatisfies) {
  std::mt19937_64 rng(4);
  int satisfied = 0;
  for (int i = 0; i < 3000; ++i) {
    const Scopes scopes = SortAndNormalize(RandomScopes(rng, i % 2 == 0 ? 10 : 200));
    const ExpandedScopes set = ExpandedScopes::FromScopes(scopes);
    for (int j = 0; j < 10; ++j) {
      std::string required =
          scopes.empty() || rng() % 3 == 0 ? RandomScope(rng) : scopes[rng() % scopes.size()];
      if (rng() % 2 == 0) required += "ab";
      const bool want = SetSatisfies(scopes, required);
      ASSERT_EQ(set.Satisfies(required), want) << "'" << required << "' case " << i;
      satisfied += want;
    }
  }
  EXPECT_GT(satisfied, 3000);
}

}  // namespace
}  // namespace bulwark::scopes
