#include "libraries/scopes/workload.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libraries/scopes/resolver.h"
#include "libraries/scopes/scope.h"

namespace bulwark::scopes {
namespace {

TEST(WorkloadTest, DeploymentIsValidDeterministicAndShaped) {
  const Workload w = DeploymentWorkload(35, 361, 1);
  EXPECT_EQ(WorkloadToJson(w), WorkloadToJson(DeploymentWorkload(35, 361, 1)));
  EXPECT_NE(WorkloadToJson(w), WorkloadToJson(DeploymentWorkload(35, 361, 2)));
  EXPECT_TRUE(ValidateRoles(w.roles).ok());
  EXPECT_GE(w.roles.size(), 550u);
  EXPECT_LE(w.roles.size(), 650u);
  EXPECT_EQ(w.queries.size(), 361u);
  int star = 0, parameterized = 0;
  for (const Role& r : w.roles) {
    if (!IsStar(r.role_id)) continue;
    ++star;
    for (const std::string& s : r.scopes) {
      if (s.find("<..>") != std::string::npos) {
        ++parameterized;
        break;
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(star) / w.roles.size(), 0.3, 0.08);
  EXPECT_NEAR(static_cast<double>(parameterized) / star, 0.25, 0.1);
  // The longest chain: login-identity -> ... -> infra:shared-worker.
  auto resolver = Resolver::Create(w.roles);
  ASSERT_TRUE(resolver.ok());
  const Explanation why = (*resolver)->snapshot()->Explain(
      {"assume:login-identity:github/proj3-user0"}, "queue:resolve-task");
  ASSERT_TRUE(why.satisfied);
  EXPECT_GE(why.steps.size(), 5u);
  EXPECT_LE(why.steps.size(), 10u);
}

TEST(WorkloadTest, ChainAndJsonRoundTrip) {
  const Workload w = ChainWorkload(1000);
  EXPECT_EQ(w.roles.size(), 1001u);
  auto resolver = Resolver::Create(w.roles);
  ASSERT_TRUE(resolver.ok());
  EXPECT_EQ((*resolver)->Expand(w.queries[0]).size(), 1002u);
  auto parsed = WorkloadFromJson(WorkloadToJson(w));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->roles, w.roles);
  EXPECT_EQ(parsed->queries, w.queries);
  EXPECT_FALSE(WorkloadFromJson(nlohmann::json::parse(R"({"roles": [{"roleId": 1}]})")).ok());
  EXPECT_FALSE(WorkloadFromJson(nlohmann::json::parse(R"([])")).ok());
}

}  // namespace
}  // namespace bulwark::scopes
