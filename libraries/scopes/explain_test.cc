// Explain (auth.ExplainScope): shortest chains, parameters, kleene inputs, and
// failures.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/scopes/resolver.h"

namespace bulwark::scopes {
namespace {

using ::testing::ElementsAre;

Explanation Explain(const std::vector<Role>& roles, const std::vector<std::string>& scopes,
                    const std::string& target) {
  auto resolver = Resolver::Create(roles);
  EXPECT_TRUE(resolver.ok());
  return (*resolver)->snapshot()->Explain(scopes, target);
}

TEST(ExplainTest, GivenScopeSatisfiesDirectly) {
  const Explanation e = Explain({}, {"x", "queue:*"}, "queue:create-task");
  EXPECT_TRUE(e.satisfied);
  EXPECT_EQ(e.given, "queue:*");
  EXPECT_TRUE(e.steps.empty());
  EXPECT_EQ(e.granting_scope, "queue:*");
}

TEST(ExplainTest, ShortestChainIsChosen) {
  // Long way: a -> b -> c -> T; short way: a -> d -> T.
  const std::vector<Role> roles = {{"a", {"assume:b", "assume:d"}},
                                   {"b", {"assume:c"}},
                                   {"c", {"secrets:get:x"}},
                                   {"d", {"secrets:*"}}};
  const Explanation e = Explain(roles, {"assume:a"}, "secrets:get:x");
  EXPECT_TRUE(e.satisfied);
  EXPECT_EQ(e.given, "assume:a");
  EXPECT_THAT(e.steps, ElementsAre(ExplainStep{"assume:a", "a"}, ExplainStep{"assume:d", "d"}));
  EXPECT_EQ(e.granting_scope, "secrets:*");
}

TEST(ExplainTest, ParameterizedAndKleeneSteps) {
  const std::vector<Role> roles = {
      {"login:*", {"assume:project-admin:<..>"}},
      {"project-admin:*", {"secrets:get:project/<..>/*"}},
  };
  Explanation e = Explain(roles, {"assume:login:zap"}, "secrets:get:project/zap/key");
  EXPECT_TRUE(e.satisfied);
  EXPECT_THAT(e.steps, ElementsAre(ExplainStep{"assume:login:zap", "login:*"},
                                   ExplainStep{"assume:project-admin:zap", "project-admin:*"}));
  EXPECT_EQ(e.granting_scope, "secrets:get:project/zap/*");
  // "assume:*" fires every role with parameter `*`.
  e = Explain(roles, {"assume:*"}, "secrets:get:project/other/key");
  EXPECT_TRUE(e.satisfied);
  EXPECT_THAT(e.steps, ElementsAre(ExplainStep{"assume:*", "project-admin:*"}));
  EXPECT_EQ(e.granting_scope, "secrets:get:project/*");
}

TEST(ExplainTest, NotSatisfied) {
  const Explanation e = Explain({{"a", {"x"}}}, {"assume:a", "y"}, "z");
  EXPECT_FALSE(e.satisfied);
  EXPECT_TRUE(e.steps.empty());
  EXPECT_TRUE(e.given.empty());
}

}  // namespace
}  // namespace bulwark::scopes
