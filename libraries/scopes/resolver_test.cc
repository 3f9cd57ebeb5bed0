// Table tests of the resolver: upstream's resolver and validation vectors, and
// the rules and edge cases of auth.md §2.
#include "libraries/scopes/resolver.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/scopes/oracle.h"
#include "nlohmann/json.hpp"

namespace bulwark::scopes {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using Scopes = std::vector<std::string>;

std::vector<Role> RolesFromJson(const nlohmann::json& json) {
  std::vector<Role> roles;
  for (const auto& r : json) {
    roles.push_back({r.at("roleId").get<std::string>(), r.at("scopes").get<Scopes>()});
  }
  return roles;
}

nlohmann::json UpstreamCases() {
  std::ifstream in("libraries/scopes/testdata/upstream_resolver_cases.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

Scopes Expand(const std::vector<Role>& roles, const Scopes& scopes) {
  auto resolver = Resolver::Create(roles);
  EXPECT_TRUE(resolver.ok()) << resolver.status();
  if (!resolver.ok()) return {};
  return (*resolver)->Expand(scopes);
}

TEST(ResolverUpstreamTest, BuildResolverVectors) {
  const nlohmann::json cases = UpstreamCases().at("resolve");
  ASSERT_EQ(cases.size(), 39u);
  for (const auto& c : cases) {
    const std::vector<Role> roles = RolesFromJson(c.at("roles"));
    const Scopes scopes = c.at("scopes").get<Scopes>();
    const Scopes expected = c.at("expected").get<Scopes>();
    EXPECT_EQ(Expand(roles, scopes), expected) << c.at("title");
    EXPECT_EQ(OracleExpand(roles, scopes), expected) << c.at("title");
  }
}

TEST(ResolverUpstreamTest, ValidateRolesVectorsShuffled) {
  const nlohmann::json cases = UpstreamCases().at("validate");
  ASSERT_EQ(cases.size(), 37u);
  std::mt19937 rng(3);
  for (const auto& c : cases) {
    std::vector<Role> roles = RolesFromJson(c.at("roles"));
    for (int i = 0; i < 100; ++i) {
      std::shuffle(roles.begin(), roles.end(), rng);
      const absl::Status status = ValidateRoles(roles);
      if (c.at("error").is_null()) {
        EXPECT_TRUE(status.ok()) << c.at("title") << ": " << status;
        continue;
      }
      const auto error = RoleSetErrorFromStatus(status);
      ASSERT_TRUE(error.has_value()) << c.at("title");
      EXPECT_EQ(error->code, c.at("error") == "InvalidScopeError"
                                 ? RoleSetError::Code::kInvalidScope
                                 : RoleSetError::Code::kDependencyCycle)
          << c.at("title");
    }
  }
}

// auth.md §2.3 examples.
TEST(ResolverTest, ParameterizedRoleExamples) {
  const std::vector<Role> admin = {
      {"project-admin:*", {"auth:create-role:project-<..>/*", "secrets:get:project/<..>/*"}}};
  EXPECT_THAT(Expand(admin, {"assume:project-admin:zap"}),
              ElementsAre("assume:project-admin:zap", "auth:create-role:project-zap/*",
                          "secrets:get:project/zap/*"));
  EXPECT_THAT(Expand(admin, {"assume:project-admin:ops*"}),
              ElementsAre("assume:project-admin:ops*", "auth:create-role:project-ops*",
                          "secrets:get:project/ops*"));
  EXPECT_THAT(Expand(admin, {"*"}), ElementsAre("*"));
  EXPECT_THAT(Expand(admin, {"assume:*"}),
              ElementsAre("assume:*", "auth:create-role:project-*", "secrets:get:project/*"));
  EXPECT_THAT(Expand(admin, {"assume:project-admin:"}),
              ElementsAre("assume:project-admin:", "auth:create-role:project-/*",
                          "secrets:get:project//*"));
  const std::vector<Role> a = {{"a*", {"A<..>X"}}};
  EXPECT_THAT(Expand(a, {"assume:abc"}), ElementsAre("AbcX", "assume:abc"));
  EXPECT_THAT(Expand(a, {"assume:abc*"}), ElementsAre("Abc*", "assume:abc*"));
  const std::vector<Role> abc = {{"abc*", {"ABC<..>DEF"}}};
  EXPECT_THAT(Expand(abc, {"assume:a*"}), ElementsAre("ABC*", "assume:a*"));
}

// Role `a**` (prefix `a*`): upstream's trie and oracle give `assume:a*` the
// parameter `*` (auth.md §2.3's wording would give ""); values checked against
// upstream's trie.js.
TEST(ResolverTest, LiteralStarInRoleIdFollowsUpstream) {
  const std::vector<Role> roles = {{"a**", {"X<..>Y"}}};
  EXPECT_THAT(Expand(roles, {"assume:a*"}), ElementsAre("X*", "assume:a*"));
  EXPECT_THAT(Expand(roles, {"assume:a**"}), ElementsAre("X*", "assume:a**"));
  EXPECT_THAT(Expand(roles, {"assume:a*b"}), ElementsAre("XbY", "assume:a*b"));
  EXPECT_THAT(Expand(roles, {"assume:a"}), ElementsAre("assume:a"));
  EXPECT_EQ(OracleExpand(roles, {"assume:a*"}), Expand(roles, {"assume:a*"}));
}

TEST(ResolverTest, ParamIsLiteralInExactRoles) {
  EXPECT_THAT(Expand({{"a", {"<..>lit"}}}, {"assume:a"}), ElementsAre("<..>lit", "assume:a"));
}

// auth.md §2.6: ABC is absorbed by AB*.
TEST(ResolverTest, OutputIsNormalizedAcrossRoles) {
  const std::vector<Role> roles = {{"a*", {"A<..>X"}}, {"abc", {"ABC"}}, {"ab*", {"AB*"}}};
  EXPECT_THAT(Expand(roles, {"assume:abc"}), ElementsAre("AB*", "AbcX", "assume:abc"));
}

TEST(ResolverTest, ExpandEverythingInputs) {
  const std::vector<Role> roles = {{"a", {"A"}}, {"x*", {"X<..>"}}};
  for (const char* input : {"a*", "as*", "ass*", "assu*", "assum*", "assume*", "assume:*"}) {
    EXPECT_THAT(Expand(roles, {input}), ElementsAre("A", "X*", input)) << input;
  }
  // Bug 2057491: these look similar but expand nothing.
  for (const char* input :
       {":*", "::*", ":assume*", ":a*", "assume", "b*", "assumex*", "assume:"}) {
    EXPECT_THAT(Expand(roles, {input}), ElementsAre(input)) << input;
  }
}

TEST(ResolverTest, InputsAreNormalizedAndMerged) {
  EXPECT_THAT(Expand({{"r", {"x:1", "y*"}}}, {"x:*", "assume:r", "y:2"}),
              ElementsAre("assume:r", "x:*", "y*"));
  EXPECT_THAT(Expand({}, {}), ::testing::IsEmpty());
}

TEST(ResolverTest, TransitiveAndParameterChains) {
  const std::vector<Role> roles = {
      {"login:*", {"assume:team:<..>"}},
      {"team:*", {"assume:project-admin:<..>", "team-scope:<..>"}},
      {"project-admin:*", {"secrets:<..>/*", "assume:worker:<..>/build"}},
      {"worker:*", {"queue:claim:<..>"}},
  };
  EXPECT_THAT(Expand(roles, {"assume:login:zap"}),
              ElementsAre("assume:login:zap", "assume:project-admin:zap", "assume:team:zap",
                          "assume:worker:zap/build", "queue:claim:zap/build", "secrets:zap/*",
                          "team-scope:zap"));
  EXPECT_EQ(Expand(roles, {"assume:login:z*"}), OracleExpand(roles, {"assume:login:z*"}));
}

struct CycleCase {
  std::vector<Role> roles;
  Scopes cycle;
};

// auth.md §2.4's cycles, with the cycle reported.
TEST(ValidateRolesTest, Cycles) {
  const std::vector<CycleCase> cases = {
      {{{"abc", {"assume:abc"}}}, {"assume:abc", "assume:abc"}},
      {{{"abc", {"assume:ab*"}}}, {"assume:abc", "assume:abc"}},
      {{{"ab*", {"assume:abc"}}}, {"assume:ab*", "assume:ab*"}},
      {{{"ab*", {"assume:abc*"}}}, {"assume:ab*", "assume:ab*"}},
      {{{"a*", {"assume:ab<..>"}}}, {"assume:a*", "assume:a*"}},
      {{{"b*", {"as<..>"}}}, {"assume:b*", "assume:b*"}},
      {{{"x", {"*"}}}, {"assume:x", "assume:x"}},
      {{{"x", {"assume*"}}}, {"assume:x", "assume:x"}},
      {{{"x", {"a*"}}}, {"assume:x", "assume:x"}},
      {{{"x", {"assume:*"}}}, {"assume:x", "assume:x"}},
      {{{"a", {"assume:b"}}, {"b", {"assume:c"}}, {"c", {"assume:a"}}},
       {"assume:a", "assume:b", "assume:c", "assume:a"}},
      // Upstream also lists 'assume:b' here (a finished branch); we name only
      // the cycle.
      {{{"a", {"assume:b", "assume:c"}}, {"b", {}}, {"c", {"assume:a"}}},
       {"assume:a", "assume:c", "assume:a"}},
  };
  for (const CycleCase& c : cases) {
    const absl::Status status = ValidateRoles(c.roles);
    const auto error = RoleSetErrorFromStatus(status);
    ASSERT_TRUE(error.has_value()) << c.roles[0].role_id;
    EXPECT_EQ(error->code, RoleSetError::Code::kDependencyCycle);
    EXPECT_EQ(error->cycle, c.cycle);
    std::string message = "Roles may not contain dependency cycles, found: '";
    for (size_t i = 0; i < c.cycle.size(); ++i) {
      message += (i ? "' -> '" : "") + c.cycle[i];
    }
    EXPECT_EQ(status.message(), message + "'");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ValidateRoles({{"abc", {"assume:def"}},
                             {"def", {"assume:ghi"}},
                             {"ghi", {"assume:jkl"}},
                             {"jkl", {"assume:abcd"}}})
                  .ok());
}

TEST(ValidateRolesTest, InvalidScopesWithUpstreamMessages) {
  const auto message = [](const Role& role) {
    return std::string(ValidateRoles({role}).message());
  };
  EXPECT_EQ(message({"a*", {"b<..>c<..>"}}),
            "parameterized scope 'b<..>c<..>' contains multiple '<..>'");
  EXPECT_EQ(message({"a*", {"assume:b*<..>"}}),
            "parameterized scope 'assume:b*<..>' ends with '*<..>' which implies "
            "an ambiguous kleene");
  EXPECT_TRUE(ValidateRoles({{"a*", {"b*<..>X"}}}).ok());
  EXPECT_TRUE(ValidateRoles({{"a", {"b<..>c<..>", "b*<..>"}}}).ok());
  // Upstream checks the normalized list: x<..>y<..> is covered by x<..>* and
  // never checked.
  EXPECT_TRUE(ValidateRoles({{"a*", {"x<..>*", "x<..>y<..>"}}}).ok());
  const auto error = RoleSetErrorFromStatus(ValidateRoles({{"a*", {"ok<..>", "q<..><..>"}}}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, RoleSetError::Code::kInvalidScope);
  EXPECT_EQ(error->scope, "q<..><..>");
  EXPECT_EQ(error->role_id, "a*");
}

TEST(ValidateRolesTest, InvalidRoles) {
  for (const std::vector<Role>& roles : std::vector<std::vector<Role>>{
           {{"", {}}}, {{"a\n", {}}}, {{"a", {"bad\tscope"}}}, {{"a", {}}, {"a", {}}}}) {
    const auto error = RoleSetErrorFromStatus(ValidateRoles(roles));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, RoleSetError::Code::kInvalidRole) << error->message;
  }
}

TEST(ResolverTest, RejectedChangeKeepsPublishedVersion) {
  auto resolver = Resolver::Create({{"a", {"assume:b"}}, {"b", {"B"}}});
  ASSERT_TRUE(resolver.ok());
  const auto before = (*resolver)->snapshot();
  EXPECT_EQ((*resolver)->UpsertRole({"b", {"assume:a"}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*resolver)->CheckUpsert({"b", {"assume:a*"}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*resolver)->CheckUpsert({"b", {"C"}}).ok());
  EXPECT_EQ((*resolver)->snapshot(), before);
  EXPECT_THAT((*resolver)->Expand({"assume:a"}), ElementsAre("B", "assume:a", "assume:b"));
  EXPECT_EQ((*resolver)->DeleteRole("zzz").code(), absl::StatusCode::kNotFound);
}

TEST(ResolverTest, ReplaceAllIsValidatedAsAWhole) {
  auto resolver = Resolver::Create({{"a", {"A"}}});
  ASSERT_TRUE(resolver.ok());
  const absl::Status rejected = (*resolver)->ReplaceAll({{"a", {"assume:b"}}, {"b", {"assume:a"}}});
  EXPECT_EQ(RoleSetErrorFromStatus(rejected)->code, RoleSetError::Code::kDependencyCycle);
  EXPECT_THAT((*resolver)->Expand({"assume:a"}), ElementsAre("A", "assume:a"));
  ASSERT_TRUE((*resolver)->ReplaceAll({{"a", {"assume:b"}}, {"b", {"B"}}}).ok());
  EXPECT_THAT((*resolver)->Expand({"assume:a"}), ElementsAre("B", "assume:a", "assume:b"));
  EXPECT_EQ((*resolver)->snapshot()->version(), 2u);
  // Later single changes build on the replaced set.
  ASSERT_TRUE((*resolver)->UpsertRole({"b", {"C"}}).ok());
  EXPECT_THAT((*resolver)->Expand({"assume:a"}), ElementsAre("C", "assume:a", "assume:b"));
}

TEST(RoleSetErrorTest, OnlyStatusesMadeFromOneCarryIt) {
  EXPECT_FALSE(RoleSetErrorFromStatus(absl::OkStatus()).has_value());
  EXPECT_FALSE(RoleSetErrorFromStatus(absl::InvalidArgumentError("x")).has_value());
  RoleSetError error;
  error.code = RoleSetError::Code::kInvalidScope;
  error.message = "m";
  error.role_id = "r*";
  error.scope = "s<..><..>";
  const auto round_trip = RoleSetErrorFromStatus(error.ToStatus());
  ASSERT_TRUE(round_trip.has_value());
  EXPECT_EQ(round_trip->code, error.code);
  EXPECT_EQ(round_trip->message, "m");
  EXPECT_EQ(round_trip->role_id, "r*");
  EXPECT_EQ(round_trip->scope, "s<..><..>");
}

TEST(ResolverTest, SnapshotReadsRolesBack) {
  auto resolver = Resolver::Create({{"b*", {"x", "y<..>"}}, {"a", {"y"}}});
  ASSERT_TRUE(resolver.ok());
  const auto snap = (*resolver)->snapshot();
  EXPECT_EQ(snap->role_count(), 2u);
  EXPECT_EQ(snap->GetRole("b*")->scopes, (Scopes{"x", "y<..>"}));
  EXPECT_FALSE(snap->GetRole("b").has_value());
  EXPECT_THAT(snap->Roles(), ElementsAre(Role{"a", {"y"}}, Role{"b*", {"x", "y<..>"}}));
  EXPECT_TRUE(snap->Satisfies({"assume:a"}, Expression::AllOf({"y"})));
  EXPECT_EQ(snap->Unsatisfied({"assume:a"}, Expression::AllOf({"y", "z"})), Expression("z"));
}

}  // namespace
}  // namespace bulwark::scopes
