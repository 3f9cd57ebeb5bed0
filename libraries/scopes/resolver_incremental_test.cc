// Incremental updates against full rebuilds: random sequences of upserts and
// deletes, each accepted exactly when validating the whole resulting set
// succeeds, and every accepted version expanding exactly like a freshly built
// resolver and the oracle. Caches are warmed before every change, so a stale
// cache would show.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/scopes/oracle.h"
#include "libraries/scopes/resolver.h"
#include "libraries/scopes/workload.h"

namespace bulwark::scopes {
namespace {

using Scopes = std::vector<std::string>;

// Applies `change` (delete when `remove`) to the model.
std::vector<Role> Apply(std::vector<Role> roles, const Role& change, bool remove) {
  auto it = std::find_if(roles.begin(), roles.end(),
                         [&](const Role& r) { return r.role_id == change.role_id; });
  if (remove) {
    roles.erase(it);
  } else if (it != roles.end()) {
    *it = change;
  } else {
    roles.push_back(change);
  }
  return roles;
}

TEST(ResolverIncrementalTest, RandomChangesMatchRebuildAndOracle) {
  int accepted = 0, rejected = 0, deletes = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<Role> model = RandomRoleSet(rng, 8);
    auto resolver = Resolver::Create(model);
    ASSERT_TRUE(resolver.ok());
    std::vector<Scopes> queries;
    for (int i = 0; i < 8; ++i) queries.push_back(RandomQuery(rng, model));
    queries.push_back({"*"});
    queries.push_back({"assume:a*"});
    for (int step = 0; step < 30; ++step) {
      for (const Scopes& q : queries) (*resolver)->Expand(q);  // warm every cache
      // A random change: delete, or a role from another random set (new or
      // replacing one).
      std::mt19937_64 other(rng());
      const std::vector<Role> pool = RandomRoleSet(other, 8);
      const bool remove = !model.empty() && rng() % 4 == 0;
      if (!remove && pool.empty()) continue;
      Role change = remove ? model[rng() % model.size()] : pool[rng() % pool.size()];
      if (!remove && !model.empty() && rng() % 2 == 0) {
        change.role_id = model[rng() % model.size()].role_id;  // replace an existing role
      }
      const std::vector<Role> next = Apply(model, change, remove);
      const absl::Status expected = ValidateRoles(next);
      const absl::Status got =
          remove ? (*resolver)->DeleteRole(change.role_id) : (*resolver)->UpsertRole(change);
      ASSERT_EQ(got.ok(), expected.ok())
          << "seed " << seed << " step " << step << ": " << got << " vs " << expected;
      if (got.ok()) {
        model = next;
        ++accepted;
        deletes += remove;
      } else {
        ++rejected;
        EXPECT_EQ(got.code(), absl::StatusCode::kInvalidArgument);
      }
      auto rebuilt = Resolver::Create(model);
      ASSERT_TRUE(rebuilt.ok());
      EXPECT_EQ((*resolver)->snapshot()->Roles(), (*rebuilt)->snapshot()->Roles());
      for (const Scopes& q : queries) {
        const Scopes expanded = (*resolver)->Expand(q);
        ASSERT_EQ(expanded, (*rebuilt)->Expand(q)) << "seed " << seed << " step " << step;
        ASSERT_EQ(expanded, OracleExpand(model, q)) << "seed " << seed << " step " << step;
      }
    }
  }
  EXPECT_GE(accepted, 1500);
  EXPECT_GE(rejected, 100);
  EXPECT_GE(deletes, 300);
}

// A deployment-sized set: changing roles deep in the chains must reach every
// dependent's cached closure and every kleene cache above them.
TEST(ResolverIncrementalTest, DeploymentChangesMatchRebuild) {
  Workload w = DeploymentWorkload(12, 60, 42);
  w.queries.push_back({"assume:*"});
  w.queries.push_back({"assume:repo:github.com/org1/*"});
  w.queries.push_back({"assume:project-admin:*"});
  auto resolver = Resolver::Create(w.roles);
  ASSERT_TRUE(resolver.ok());
  std::mt19937_64 rng(9);
  for (int step = 0; step < 40; ++step) {
    for (const Scopes& q : w.queries) (*resolver)->Expand(q);
    const size_t k = rng() % w.roles.size();
    if (step % 5 == 4) {
      ASSERT_TRUE((*resolver)->DeleteRole(w.roles[k].role_id).ok());
      w.roles.erase(w.roles.begin() + k);
    } else {
      w.roles[k].scopes.push_back("changed:" + std::to_string(step));
      ASSERT_TRUE((*resolver)->UpsertRole(w.roles[k]).ok());
    }
    auto rebuilt = Resolver::Create(w.roles);
    ASSERT_TRUE(rebuilt.ok());
    for (const Scopes& q : w.queries) {
      ASSERT_EQ((*resolver)->Expand(q), (*rebuilt)->Expand(q)) << "step " << step;
    }
  }
  // Re-adding roles: a new role that others already point at.
  ASSERT_TRUE((*resolver)->UpsertRole({"infra:shared-worker", {"re-added"}}).ok());
  EXPECT_EQ((*resolver)->snapshot()->GetRole("infra:shared-worker")->scopes, (Scopes{"re-added"}));
}

TEST(ResolverIncrementalTest, OldSnapshotsStayUnchanged) {
  auto resolver = Resolver::Create({{"a", {"assume:b*"}}, {"bx", {"X"}}});
  ASSERT_TRUE(resolver.ok());
  const auto v1 = (*resolver)->snapshot();
  EXPECT_EQ(v1->Expand({"assume:a"}), (Scopes{"X", "assume:a", "assume:b*"}));
  ASSERT_TRUE((*resolver)->UpsertRole({"by", {"Y"}}).ok());
  ASSERT_TRUE((*resolver)->UpsertRole({"bx", {"Z"}}).ok());
  const auto v3 = (*resolver)->snapshot();
  EXPECT_EQ(v3->version(), v1->version() + 2);
  EXPECT_EQ(v1->Expand({"assume:a"}), (Scopes{"X", "assume:a", "assume:b*"}));
  EXPECT_EQ(v3->Expand({"assume:a"}), (Scopes{"Y", "Z", "assume:a", "assume:b*"}));
  ASSERT_TRUE((*resolver)->DeleteRole("by").ok());
  EXPECT_EQ((*resolver)->Expand({"assume:a"}), (Scopes{"Z", "assume:a", "assume:b*"}));
  EXPECT_EQ(v3->Expand({"assume:a"}), (Scopes{"Y", "Z", "assume:a", "assume:b*"}));
}

// Overwrites freed heap memory: many allocations of the sizes results and caches use, filled
// with a byte no scope of these tests contains, so that a result reading freed storage shows.
void ChurnHeap() {
  std::vector<std::string> junk;
  for (size_t size = 1; size < 4096; size += size / 4 + 1) {
    for (int i = 0; i < 8; ++i) junk.emplace_back(size, '\x7f');
  }
}

// ExpandedScopes share storage with the snapshot's caches. Property: a result held across any
// sequence of changes (which drop or copy the cached blocks it points into), across a full
// replacement of the role set, and after the resolver itself is gone, still holds exactly what it
// held when it was returned, which is the oracle's expansion for the role set of its time.
TEST(ResolverIncrementalTest, SharedResultsOutliveTheirSnapshots) {
  int checked = 0;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    std::mt19937_64 rng(seed + 1000);
    std::vector<Role> model = RandomRoleSet(rng, 8);
    auto resolver = Resolver::Create(model);
    ASSERT_TRUE(resolver.ok());
    struct Held {
      ExpandedScopes result;
      Scopes expected;
      std::string what;
    };
    std::vector<Held> held;
    for (int step = 0; step < 12; ++step) {
      // Results of this version: single-role queries (answered by a role's cache itself),
      // kleene queries and random mixes; each twice, the second must equal the first.
      std::vector<Scopes> queries;
      for (const Role& r : model) queries.push_back({"assume:" + r.role_id});
      queries.push_back({"assume:a*"});
      queries.push_back({"*"});
      for (int i = 0; i < 4; ++i) queries.push_back(RandomQuery(rng, model));
      {
        const auto snapshot = (*resolver)->snapshot();
        for (const Scopes& q : queries) {
          ExpandedScopes result = snapshot->ExpandShared(q);
          const Scopes expected = OracleExpand(model, q);
          ASSERT_EQ(result, expected) << "seed " << seed << " step " << step;
          ASSERT_EQ(snapshot->ExpandShared(q), result) << "seed " << seed << " step " << step;
          // The same query given pre-normalized; the given set is dropped at once, so the
          // result alone must keep the characters it shares with it alive.
          ExpandedScopes from_normalized = snapshot->ExpandShared(ExpandedScopes::FromScopes(q));
          ASSERT_EQ(from_normalized, expected) << "seed " << seed << " step " << step;
          held.push_back({std::move(result), expected,
                          absl::StrCat("seed ", seed, " step ", step, " query ", q.front())});
          held.push_back(
              {std::move(from_normalized), expected,
               absl::StrCat("seed ", seed, " step ", step, " normalized query ", q.front())});
        }
      }
      // A change: a role replaced or added, a role deleted, or (sometimes) the whole set.
      std::mt19937_64 other(rng());
      const std::vector<Role> pool = RandomRoleSet(other, 8);
      if (step % 4 == 3) {
        if (ValidateRoles(pool).ok()) {
          ASSERT_TRUE((*resolver)->ReplaceAll(pool).ok());
          model = pool;
        }
      } else if (!model.empty() && rng() % 3 == 0) {
        const Role gone = model[rng() % model.size()];
        if ((*resolver)->DeleteRole(gone.role_id).ok()) model = Apply(model, gone, true);
      } else if (!pool.empty()) {
        Role change = pool[rng() % pool.size()];
        if (!model.empty() && rng() % 2 == 0) change.role_id = model[rng() % model.size()].role_id;
        if ((*resolver)->UpsertRole(change).ok()) model = Apply(model, change, false);
      }
      ChurnHeap();
      for (const Held& h : held) {
        ASSERT_EQ(h.result, h.expected) << h.what << ", checked after step " << step;
      }
    }
    resolver->reset();  // the resolver, its graph and every snapshot are gone
    ChurnHeap();
    for (const Held& h : held) {
      ASSERT_EQ(h.result.ToVector(), h.expected) << h.what << ", after the resolver is gone";
      for (const std::string& s : h.expected) EXPECT_TRUE(h.result.Satisfies(s)) << h.what;
      ++checked;
    }
  }
  EXPECT_GE(checked, 6000);
}

// A pre-normalized query (ExpandShared of an ExpandedScopes) that fires no role is its own
// answer, the same block; one that fires keeps the given block's characters without copying
// them, and stays valid after the given set, the snapshot and the resolver are gone.
TEST(ResolverIncrementalTest, NormalizedQueriesShareTheGivenSet) {
  auto resolver = Resolver::Create({{"a", {"assume:b", "x"}}, {"b", {"y"}}});
  ASSERT_TRUE(resolver.ok());
  const ExpandedScopes plain = ExpandedScopes::FromScopes({"q", "p", "q", "p*"});
  const ExpandedScopes same = (*resolver)->snapshot()->ExpandShared(plain);
  EXPECT_TRUE(same.SharesStorageWith(plain));
  EXPECT_EQ(same, (Scopes{"p*", "q"}));
  ExpandedScopes fired;
  {
    const ExpandedScopes given = ExpandedScopes::FromScopes({"w", "assume:a", "z"});
    fired = (*resolver)->snapshot()->ExpandShared(given);
    EXPECT_FALSE(fired.SharesStorageWith(given));
  }
  resolver->reset();
  ChurnHeap();
  EXPECT_EQ(fired, (Scopes{"assume:a", "assume:b", "w", "x", "y", "z"}));
  EXPECT_TRUE(fired.Satisfies("w"));
  EXPECT_TRUE(fired.Satisfies("z"));
}

// A single-role query returns the role's cached expansion itself: two results share one block,
// and a copy of a result is the same block.
TEST(ResolverIncrementalTest, SingleRoleQueriesShareTheCache) {
  auto resolver = Resolver::Create({{"a", {"assume:b", "x"}}, {"b", {"y"}}});
  ASSERT_TRUE(resolver.ok());
  const auto snapshot = (*resolver)->snapshot();
  const ExpandedScopes first = snapshot->ExpandShared({"assume:a"});
  const ExpandedScopes second = snapshot->ExpandShared({"assume:a"});
  EXPECT_TRUE(first.SharesStorageWith(second));
  // The copy is what is tested.
  // NOLINTNEXTLINE(performance-unnecessary-copy-initialization)
  const ExpandedScopes copy = first;
  EXPECT_TRUE(copy.SharesStorageWith(first));
  EXPECT_EQ(first, (Scopes{"assume:a", "assume:b", "x", "y"}));
  // A change to `b` is a new cache for `a`; the held result keeps the old one.
  ASSERT_TRUE((*resolver)->UpsertRole({"b", {"z"}}).ok());
  const ExpandedScopes after = (*resolver)->ExpandShared({"assume:a"});
  EXPECT_FALSE(after.SharesStorageWith(first));
  EXPECT_EQ(after, (Scopes{"assume:a", "assume:b", "x", "z"}));
  EXPECT_EQ(first, (Scopes{"assume:a", "assume:b", "x", "y"}));
}

TEST(ResolverIncrementalTest, NewRoleClosingACycleIsRejected) {
  auto resolver = Resolver::Create({{"a", {"assume:b"}}});
  ASSERT_TRUE(resolver.ok());
  const absl::Status status = (*resolver)->UpsertRole({"b", {"assume:a*"}});
  const auto error = RoleSetErrorFromStatus(status);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->cycle, (Scopes{"assume:b", "assume:a", "assume:b"}));
  EXPECT_EQ(status.message(),
            "Roles may not contain dependency cycles, found: 'assume:b' -> "
            "'assume:a' -> 'assume:b'");
  EXPECT_EQ((*resolver)->snapshot()->role_count(), 1u);
}

}  // namespace
}  // namespace bulwark::scopes
