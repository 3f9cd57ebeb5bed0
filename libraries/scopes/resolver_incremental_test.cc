// Incremental updates against full rebuilds: random sequences of upserts and
// deletes, each accepted exactly when validating the whole resulting set
// succeeds, and every accepted version expanding exactly like a freshly built
// resolver and the oracle. Caches are warmed before every change, so a stale
// cache would show.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

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
