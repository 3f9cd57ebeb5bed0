// Randomized comparison of the resolver with the reference fixed point
// (oracle.h), with fixed seeds: 2,500 random role sets (star, parameterized and
// "expand everything" scopes over tiny alphabets) x 5 queries = 12,500
// expansions, plus Explain checked against the expansion and against an
// independent breadth-first search for chain length.
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/scopes/oracle.h"
#include "libraries/scopes/resolver.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"
#include "libraries/scopes/workload.h"

namespace bulwark::scopes {
namespace {

using Scopes = std::vector<std::string>;

std::string Describe(const std::vector<Role>& roles, const Scopes& query) {
  std::string out = "roles:";
  for (const Role& r : roles) {
    absl::StrAppend(&out, " {", r.role_id, " ->");
    for (const std::string& s : r.scopes) absl::StrAppend(&out, " '", s, "'");
    absl::StrAppend(&out, "}");
  }
  absl::StrAppend(&out, "\nquery:");
  for (const std::string& s : query) absl::StrAppend(&out, " '", s, "'");
  return out;
}

// Length of the shortest chain of roles granting `target`, by breadth-first
// search over direct grants (the oracle restricted to one role), or -1.
int ShortestChain(const std::vector<Role>& roles, const Scopes& given, const std::string& target) {
  Scopes frontier = given;
  for (int depth = 0; depth <= static_cast<int>(roles.size()); ++depth) {
    if (SetSatisfies(frontier, target)) return depth;
    Scopes next;
    for (const std::string& x : frontier) {
      for (const Role& r : roles) {
        for (const std::string& s : OracleExpandOne({r}, x)) next.push_back(s);
      }
    }
    frontier = SortAndNormalize(next);
    if (frontier.empty()) return -1;
  }
  return -1;
}

TEST(ResolverOracleTest, RandomRoleSetsMatchTheOracle) {
  int expansions = 0;
  int nontrivial = 0;     // the roles added something
  int parameterized = 0;  // a role set with a `<..>` scope in a star role
  int chains = 0;         // explanations with at least two steps
  for (uint64_t seed = 0; seed < 2500; ++seed) {
    std::mt19937_64 rng(seed);
    const std::vector<Role> roles = RandomRoleSet(rng, 8);
    for (const Role& r : roles) {
      bool has_param = false;
      for (const std::string& s : r.scopes) {
        has_param = has_param || s.find("<..>") != std::string::npos;
      }
      if (IsStar(r.role_id) && has_param) {
        ++parameterized;
        break;
      }
    }
    auto resolver = Resolver::Create(roles);
    ASSERT_TRUE(resolver.ok()) << resolver.status();
    const auto snapshot = (*resolver)->snapshot();
    for (int q = 0; q < 5; ++q) {
      const Scopes query = RandomQuery(rng, roles);
      const Scopes expanded = snapshot->Expand(query);
      ASSERT_EQ(expanded, OracleExpand(roles, query)) << "seed " << seed << "\n"
                                                      << Describe(roles, query);
      // The same query given pre-normalized (as the auth service keeps a client's scopes).
      ASSERT_EQ(snapshot->ExpandShared(ExpandedScopes::FromScopes(query)), expanded)
          << "seed " << seed << " (normalized input)\n"
          << Describe(roles, query);
      ++expansions;
      if (expanded != SortAndNormalize(query)) ++nontrivial;
      // Explain agrees with the expansion, and its chain is a shortest one.
      // Targets: mostly a granted scope, shortened or extended; sometimes
      // random.
      std::string target =
          absl::StrCat(std::string(1, "SPXa"[rng() % 4]), std::string(rng() % 3, "ab*"[rng() % 3]));
      if (rng() % 4 != 0 && !expanded.empty()) {
        target = expanded[rng() % expanded.size()];
        if (rng() % 2 == 0) target += "b";
        if (IsStar(target) && rng() % 2 == 0) target.pop_back();
      }
      const Explanation why = snapshot->Explain(query, target);
      ASSERT_EQ(why.satisfied, SetSatisfies(expanded, target))
          << "seed " << seed << " target " << target << "\n"
          << Describe(roles, query);
      if (why.steps.size() >= 2) ++chains;
      if (why.satisfied && seed % 5 == 0) {
        EXPECT_EQ(static_cast<int>(why.steps.size()), ShortestChain(roles, query, target))
            << "seed " << seed << " target " << target;
      }
    }
  }
  EXPECT_GE(expansions, 10000);
  // The generator must exercise the interesting paths, not just pass inputs
  // through.
  EXPECT_GE(nontrivial, 3000);
  EXPECT_GE(parameterized, 500);
  EXPECT_GE(chains, 100);
  std::cout << "expansions " << expansions << ", nontrivial " << nontrivial
            << ", role sets with parameterized roles " << parameterized
            << ", explanations with >= 2 steps " << chains << "\n";
}

}  // namespace
}  // namespace bulwark::scopes
