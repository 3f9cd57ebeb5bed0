// Readers expand while a writer publishes: every reader's result must be
// exactly the expansion of the version it holds (each version's expected answer
// is known in advance).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/scopes/resolver.h"

namespace bulwark::scopes {
namespace {

using Scopes = std::vector<std::string>;

// Version k of role "leaf" grants "v:<k % 4>"; the rest of the set never
// changes.
Role Leaf(int k) { return {"leaf*", {absl::StrCat("v:", k % 4, ":<..>")}}; }

TEST(ResolverConcurrencyTest, ReadersSeeConsistentVersions) {
  auto resolver = Resolver::Create(
      {{"top", {"assume:mid", "assume:leaf*"}}, {"mid", {"assume:leafx", "m"}}, Leaf(0)});
  ASSERT_TRUE(resolver.ok());
  // Expected answers per leaf variant, for three queries (exact, kleene,
  // everything).
  const std::vector<Scopes> queries = {{"assume:top"}, {"assume:leaf*"}, {"*", "assume:*"}};
  std::vector<std::vector<Scopes>> expected(4);
  for (int v = 0; v < 4; ++v) {
    auto fresh = Resolver::Create(
        {{"top", {"assume:mid", "assume:leaf*"}}, {"mid", {"assume:leafx", "m"}}, Leaf(v)});
    ASSERT_TRUE(fresh.ok());
    for (const Scopes& q : queries) expected[v].push_back((*fresh)->Expand(q));
  }
  std::atomic<bool> done{false};
  std::atomic<int> checks{0}, mismatches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        const auto snapshot = (*resolver)->snapshot();
        const std::string granted = snapshot->GetRole("leaf*")->scopes[0];
        const int v = granted[2] - '0';
        for (size_t i = 0; i < queries.size(); ++i) {
          if (snapshot->Expand(queries[i]) != expected[v][i]) ++mismatches;
          ++checks;
        }
      }
    });
  }
  for (int k = 1; k <= 2000; ++k) ASSERT_TRUE((*resolver)->UpsertRole(Leaf(k)).ok());
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(checks.load(), 0);
  EXPECT_EQ((*resolver)->snapshot()->version(), 2001u);
}

}  // namespace
}  // namespace bulwark::scopes
