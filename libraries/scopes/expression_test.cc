#include "libraries/scopes/expression.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/scopes/expression_json.h"

namespace bulwark::scopes {
namespace {

using Scopes = std::vector<std::string>;
using nlohmann::json;

Expression E(const std::string& text) {
  absl::StatusOr<Expression> e = ExpressionFromJson(json::parse(text));
  EXPECT_TRUE(e.ok()) << text << ": " << e.status();
  return e.ok() ? *e : Expression("");
}

std::string Dump(const std::optional<Expression>& e) {
  return e.has_value() ? ExpressionToJson(*e).dump() : "null";
}

TEST(ExpressionJsonTest, UpstreamInvalidExpressions) {
  for (const char* text :
       {R"({})", R"([])", R"(12)", R"({"Foo": ["abc"]})", R"({"AnyOf": ["abc"], "AllOf": ["abc"]})",
        R"({"AnyOf": 1})", R"({"AnyOf": "scope:bar"})", R"({"AnyOf": {}})", R"(null)",
        R"({"AnyOf": [null]})", R"({"AllOf": [["a"]]})", R"(["a"])", R"("bad\nscope")",
        R"({"AllOf": ["ok", "tab\t"]})", R"(true)"}) {
    EXPECT_FALSE(IsValidExpressionJson(json::parse(text))) << text;
    EXPECT_EQ(ExpressionFromJson(json::parse(text)).status().message(),
              "expected a valid scope expression");
  }
}

TEST(ExpressionJsonTest, UpstreamValidExpressionsRoundTrip) {
  for (const char* text :
       {R"("hello-world")", R"("scope:foo")", R"({"AnyOf":[]})", R"({"AllOf":[]})",
        R"({"AnyOf":["abc"]})", R"({"AllOf":["abc"]})",
        R"({"AnyOf":[{"AnyOf":["scope:foo:thing"]}]})",
        R"({"AllOf":[{"AllOf":["scope:foo:thing","scope:bar:thing"]}]})",
        R"({"AnyOf":[{"AllOf":["scope:foo:thing"]}]})",
        R"({"AllOf":[{"AnyOf":["scope:foo:thing","scope:bar:thing"]}]})",
        R"({"AllOf":[{"AnyOf":[{"AllOf":["foo"]},{"AllOf":["bar"]}]}]})", R"("")"}) {
    EXPECT_TRUE(IsValidExpressionJson(json::parse(text))) << text;
    EXPECT_EQ(ExpressionToJson(E(text)).dump(), text);
    EXPECT_TRUE(ValidExpression(E(text)));
  }
  EXPECT_FALSE(ValidExpression(Expression::AllOf({"ok", "bad\x01"})));
}

struct Unsatisfied {
  Scopes scopes;
  const char* expr;
};

TEST(SatisfiesExpressionTest, UpstreamUnsatisfied) {
  const std::vector<Unsatisfied> cases = {
      {{}, R"({"AnyOf": []})"},
      {{}, R"("missing-scope")"},
      {{"wrong-scope"}, R"("missing-scope")"},
      {{"ghi"}, R"({"AnyOf": ["abc", "def"]})"},
      {{"ghi*"}, R"({"AnyOf": ["abc", "def"]})"},
      {{"ghi", "fff"}, R"({"AnyOf": ["abc", "def"]})"},
      {{"ghi*", "fff*"}, R"({"AnyOf": ["abc", "def"]})"},
      {{"abc"}, R"({"AnyOf": ["ghi"]})"},
      {{"abc*"}, R"({"AllOf": ["abc", "ghi"]})"},
      {{""}, R"({"AnyOf": ["abc", "def"]})"},
      {{"abc:def"}, R"({"AnyOf": ["abc", "def"]})"},
      {{"xyz", "abc"}, R"({"AllOf": [{"AnyOf": [{"AllOf": ["foo"]}, {"AllOf": ["bar"]}]}]})"},
      {{"a*", "b*", "c*"}, R"({"AllOf": ["bx", "cx", {"AnyOf": ["xxx", "yyyy"]}]})"},
  };
  for (const Unsatisfied& c : cases) {
    EXPECT_FALSE(SatisfiesExpression(c.scopes, E(c.expr))) << c.expr;
    EXPECT_EQ(ScopesSatisfying(c.scopes, E(c.expr)), std::nullopt) << c.expr;
  }
}

struct Satisfied {
  Scopes scopes;
  const char* expr;
  Scopes satisfying;
};

TEST(SatisfiesExpressionTest, UpstreamSatisfied) {
  const std::vector<Satisfied> cases = {
      {{}, R"({"AllOf": []})", {}},
      {{"A"}, R"({"AllOf": ["A"]})", {"A"}},
      {{"A", "B"}, R"("A")", {"A"}},
      {{"a*", "b*", "c*"}, R"("abc")", {"abc"}},
      {{"abc"}, R"({"AnyOf": ["abc", "def"]})", {"abc"}},
      {{"def"}, R"({"AnyOf": ["abc", "def"]})", {"def"}},
      {{"abc", "def"}, R"({"AnyOf": ["abc", "def"]})", {"abc", "def"}},
      {{"abc*"}, R"({"AnyOf": ["abc", "def"]})", {"abc"}},
      {{"abc*"}, R"({"AnyOf": ["abc"]})", {"abc"}},
      {{"abc*", "def*"}, R"({"AnyOf": ["abc", "def"]})", {"abc", "def"}},
      {{"foo"}, R"({"AllOf": [{"AnyOf": [{"AllOf": ["foo"]}, {"AllOf": ["bar"]}]}]})", {"foo"}},
      {{"a*", "b*", "c*"}, R"({"AnyOf": ["cfoo", "dfoo"]})", {"cfoo"}},
      {{"a*", "b*", "c*"}, R"({"AnyOf": ["bx", "by"]})", {"bx", "by"}},
      {{"a*", "b*", "c*"}, R"({"AllOf": ["bx", "cx"]})", {"bx", "cx"}},
      {{"a*", "b*", "c*"},
       R"({"AnyOf": [{"AllOf": ["ax", "jx"]}, {"AllOf": ["bx", "cx"]}, "bbb"]})",
       {"bbb", "bx", "cx"}},
      // Required leaves that are themselves stars are normalized in the result.
      {{"*"}, R"({"AllOf": ["a*", "ab", "a"]})", {"a*"}},
  };
  for (const Satisfied& c : cases) {
    const Expression e = E(c.expr);
    EXPECT_TRUE(SatisfiesExpression(c.scopes, e)) << c.expr;
    const auto satisfying = ScopesSatisfying(c.scopes, e);
    ASSERT_TRUE(satisfying.has_value()) << c.expr;
    EXPECT_EQ(*satisfying, c.satisfying) << c.expr;
    // The satisfying scopes satisfy the expression on their own.
    EXPECT_TRUE(SatisfiesExpression(*satisfying, e)) << c.expr;
  }
}

struct Removal {
  Scopes scopes;
  const char* expr;
  const char* expected;  // JSON, or "null"
};

TEST(RemoveGivenScopesTest, UpstreamVectors) {
  const std::vector<Removal> cases = {
      {{}, R"({"AllOf":[]})", "null"},
      {{"a"}, R"({"AllOf":["a"]})", "null"},
      {{"a"}, R"({"AllOf":["a","b"]})", R"("b")"},
      {{}, R"({"AnyOf":[]})", R"({"AnyOf":[]})"},
      {{"a"}, R"({"AnyOf":["a","b"]})", "null"},
      {{"c"}, R"({"AnyOf":["a","b"]})", R"({"AnyOf":["a","b"]})"},
      {{"ghi"}, R"({"AnyOf":["abc","def"]})", R"({"AnyOf":["abc","def"]})"},
      {{"ghi"}, R"({"AllOf":["abc","def","ghi"]})", R"({"AllOf":["abc","def"]})"},
      {{"ghi*", "fff*"}, R"({"AnyOf":["abc","def"]})", R"({"AnyOf":["abc","def"]})"},
      {{"xyz", "abc"},
       R"({"AllOf":[{"AnyOf":[{"AllOf":["foo"]},{"AllOf":["bar"]}]}]})",
       R"({"AnyOf":["foo","bar"]})"},
      // auth.md §1.5: the code collapses to the bare string (the README says
      // otherwise).
      {{"abc"}, R"({"AllOf":[{"AnyOf":["abc"]},"def"]})", R"("def")"},
      {{"x"}, R"({"AnyOf":[{"AllOf":[]}]})", "null"},
      {{"x"}, R"({"AnyOf":[{"AnyOf":[]}]})", R"({"AnyOf":[]})"},
  };
  for (const Removal& c : cases) {
    EXPECT_EQ(Dump(RemoveGivenScopes(c.scopes, E(c.expr))), c.expected) << c.expr;
  }
}

struct Simplification {
  const char* expr;
  const char* expected;
};

// Expected values were produced by upstream simplifyScopeExpression
// (node, 11.0.0).
TEST(SimplifyScopeExpressionTest, MatchesUpstream) {
  const std::vector<Simplification> cases = {
      {R"("a")", R"("a")"},
      {R"({"AnyOf":[{"AnyOf":["a","c"]},"b"]})", R"({"AnyOf":["a","b","c"]})"},
      {R"({"AllOf":[{"AllOf":["a"]},"b"]})", R"({"AllOf":["a","b"]})"},
      {R"({"AllOf":[]})", R"({"AllOf":[]})"},
      {R"({"AnyOf":[]})", R"({"AnyOf":[]})"},
      {R"({"AnyOf":[{"AnyOf":[]},"b"]})", R"("b")"},
      {R"({"AllOf":[{"AllOf":[]},"b"]})", R"("b")"},
      {R"({"AllOf":[{"AnyOf":["b*"]},"b","a"]})", R"({"AllOf":["a","b*"]})"},
      {R"({"AnyOf":["b","a","b"]})", R"({"AnyOf":["a","b"]})"},
      {R"({"AllOf":[{"AnyOf":["x","y"]},{"AnyOf":["y","x"]},{"AnyOf":["x","y"]}]})",
       R"({"AnyOf":["x","y"]})"},
  };
  for (const Simplification& c : cases) {
    absl::StatusOr<Expression> s = SimplifyScopeExpression(E(c.expr));
    ASSERT_TRUE(s.ok()) << c.expr;
    EXPECT_EQ(ExpressionToJson(*s).dump(), c.expected) << c.expr;
  }
}

TEST(SimplifyScopeExpressionTest, WhereUpstreamThrowsTheChildIsSpliced) {
  absl::StatusOr<Expression> s = SimplifyScopeExpression(E(R"({"AnyOf":[{"AnyOf":["a"]},"b"]})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ExpressionToJson(*s).dump(), R"({"AnyOf":["a","b"]})");
}

TEST(SimplifyScopeExpressionTest, RejectsInvalid) {
  EXPECT_EQ(SimplifyScopeExpression(Expression::AnyOf({"a\n"})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::scopes
