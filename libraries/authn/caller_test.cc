#include "libraries/authn/caller.h"

#include "gtest/gtest.h"

namespace bulwark {
namespace {

using scopes::Expression;

TEST(AuthorizeTest, AllowsSatisfiedExpressions) {
  Caller c{"alice", {"auth:create-role:*", "queue:*"}};
  EXPECT_TRUE(Authorize(c, Expression::AllOf({"auth:create-role:x", "queue:route:y"}), "M").ok());
  EXPECT_TRUE(Authorize(c, Expression::AnyOf({"nope", "queue:a"}), "M").ok());
}

TEST(AuthorizeTest, NamesClientMethodAndOnlyTheMissingPart) {
  Caller c{"alice", {"auth:create-role:*"}};
  absl::Status s = Authorize(
      c, Expression::AllOf({"auth:create-role:x", Expression::AnyOf({"a", "b"})}), "CreateRole");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("client 'alice'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("CreateRole: {\"AnyOf\":[\"a\",\"b\"]}"), std::string::npos) << s;
  EXPECT_NE(s.message().find("required:"), std::string::npos) << s;
}

TEST(AuthorizeTest, AnonymousAndRestrictedCallersAreSaidToBe) {
  absl::Status s = Authorize(Caller{}, Expression("x"), "Get");
  EXPECT_NE(s.message().find("anonymous"), std::string::npos) << s;
  EXPECT_EQ(s.message().find("required:"), std::string::npos) << s;  // same as what is missing
  Caller restricted{
      "hooks", {"assume:hook-id:a/b"}, absl::InfiniteFuture(), {"assume:hook-id:a/b"}};
  s = Authorize(restricted, Expression("queue:create-task:x"), "CreateTask");
  EXPECT_NE(s.message().find("authorizedScopes"), std::string::npos) << s;
}

}  // namespace
}  // namespace bulwark
