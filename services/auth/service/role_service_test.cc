#include "services/auth/service/role_service.h"

#include <thread>

#include "gtest/gtest.h"
#include "services/auth/store/in_memory_auth_store.h"

namespace bulwark::auth {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

v1::CreateRoleRequest CreateReq(const std::string& id, const std::vector<std::string>& scopes,
                                const std::string& description = "") {
  v1::CreateRoleRequest r;
  r.set_role_id(id);
  r.set_description(description);
  for (auto& s : scopes) r.add_scopes(s);
  return r;
}

v1::UpdateRoleRequest UpdateReq(const std::string& id, const std::vector<std::string>& scopes) {
  v1::UpdateRoleRequest r;
  r.set_role_id(id);
  for (auto& s : scopes) r.add_scopes(s);
  return r;
}

std::vector<std::string> Expanded(const v1::Role& role) {
  return {role.expanded_scopes().begin(), role.expanded_scopes().end()};
}

class RoleServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto roles = RoleService::Create(store_, clock_, kForever);
    ASSERT_TRUE(roles.ok()) << roles.status();
    roles_ = std::move(*roles);
  }

  SimulatedClock clock_;
  InMemoryAuthStore store_{clock_};
  std::unique_ptr<RoleService> roles_;
  Caller root_{"static/bulwark/root", {"*"}};
};

TEST_F(RoleServiceTest, CreateExpandsAndIsIdempotent) {
  auto role = roles_->CreateRole(root_, CreateReq("hook-id:g/h", {"queue:b", "queue:a"}), kForever);
  ASSERT_TRUE(role.ok()) << role.status();
  EXPECT_EQ(role->scopes(0), "queue:a");  // sorted
  EXPECT_EQ(Expanded(*role),
            (std::vector<std::string>{"assume:hook-id:g/h", "queue:a", "queue:b"}));
  auto again =
      roles_->CreateRole(root_, CreateReq("hook-id:g/h", {"queue:a", "queue:b"}), kForever);
  EXPECT_TRUE(again.ok()) << again.status();
  auto different = roles_->CreateRole(root_, CreateReq("hook-id:g/h", {"queue:c"}), kForever);
  EXPECT_EQ(different.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_.ListAudit("role", "hook-id:g/h", 0, 10, kForever)->size(), 1u);
}

TEST_F(RoleServiceTest, CreateNeedsTheRoleScopeAndEveryGrantedScope) {
  Caller alice{"alice", {"auth:create-role:project-*", "secrets:get:project/*"}};
  EXPECT_TRUE(
      roles_->CreateRole(alice, CreateReq("project-x", {"secrets:get:project/x"}), kForever).ok());
  absl::Status s =
      roles_->CreateRole(alice, CreateReq("project-y", {"queue:*"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("queue:*"), std::string::npos) << s;
  s = roles_->CreateRole(alice, CreateReq("other", {}), kForever).status();
  EXPECT_NE(s.message().find("auth:create-role:other"), std::string::npos) << s;
  // <..> is checked as literal text at creation.
  Caller bob{"bob", {"auth:create-role:*", "secrets:get:<..>"}};
  EXPECT_TRUE(roles_->CreateRole(bob, CreateReq("p:*", {"secrets:get:<..>"}), kForever).ok());
}

TEST_F(RoleServiceTest, RejectsBadInputWithClearMessages) {
  EXPECT_EQ(roles_->CreateRole(root_, CreateReq("", {}), kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(roles_->CreateRole(root_, CreateReq("bad\n", {}), kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status s = roles_->CreateRole(root_, CreateReq("r", {"a**"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("**"), std::string::npos);
  EXPECT_EQ(roles_->CreateRole(root_, CreateReq("r", {"tab\t"}), kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(roles_->CreateRole(root_, CreateReq("r", {}, std::string(10241, 'd')), kForever)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RoleServiceTest, CyclesAreRejectedAndNamed) {
  ASSERT_TRUE(roles_->CreateRole(root_, CreateReq("a", {"assume:b"}), kForever).ok());
  absl::Status s = roles_->CreateRole(root_, CreateReq("b", {"assume:a"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cycles"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'assume:a'"), std::string::npos) << s;
  s = roles_->CreateRole(root_, CreateReq("self", {"assume:self"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = roles_->CreateRole(root_, CreateReq("p*", {"x<..>y<..>"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("multiple"), std::string::npos) << s;
  // Nothing was stored.
  EXPECT_EQ(store_.LoadRoles(kForever)->second.size(), 1u);
}

TEST_F(RoleServiceTest, UpdateChecksOnlyScopesTheOldExpansionLacked) {
  ASSERT_TRUE(roles_->CreateRole(root_, CreateReq("base", {"queue:*"}), kForever).ok());
  ASSERT_TRUE(roles_->CreateRole(root_, CreateReq("r", {"assume:base"}), kForever).ok());
  Caller carol{"carol", {"auth:update-role:r"}};
  // queue:x is already reachable through base: no further scope needed.
  auto updated = roles_->UpdateRole(carol, UpdateReq("r", {"assume:base", "queue:x"}), kForever);
  EXPECT_TRUE(updated.ok()) << updated.status();
  // Removing scopes needs nothing either.
  EXPECT_TRUE(roles_->UpdateRole(carol, UpdateReq("r", {}), kForever).ok());
  // Now queue:x is new to the role: carol must hold it.
  absl::Status s = roles_->UpdateRole(carol, UpdateReq("r", {"queue:x"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("queue:x"), std::string::npos) << s;
  EXPECT_EQ(roles_->UpdateRole(root_, UpdateReq("missing", {}), kForever).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RoleServiceTest, DeleteIsIdempotentAndNeedsItsScope) {
  ASSERT_TRUE(roles_->CreateRole(root_, CreateReq("d", {"x"}), kForever).ok());
  v1::DeleteRoleRequest del;
  del.set_role_id("d");
  EXPECT_EQ(roles_->DeleteRole(Caller{"eve", {}}, del, kForever).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(roles_->DeleteRole(root_, del, kForever).ok());
  EXPECT_TRUE(roles_->DeleteRole(root_, del, kForever).ok());
  EXPECT_EQ(roles_->snapshot()->Expand({"assume:d"}), std::vector<std::string>{"assume:d"});
  v1::GetRoleRequest get;
  get.set_role_id("d");
  EXPECT_EQ(roles_->GetRole(root_, get, kForever).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RoleServiceTest, ListsPageThroughEveryRole) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(roles_->CreateRole(root_, CreateReq("r" + std::to_string(i), {}), kForever).ok());
  }
  v1::ListRoleIdsRequest request;
  request.set_limit(3);
  std::vector<std::string> ids;
  for (int page = 0; page < 10; ++page) {
    auto response = roles_->ListRoleIds(root_, request);
    ASSERT_TRUE(response.ok()) << response.status();
    ids.insert(ids.end(), response->role_ids().begin(), response->role_ids().end());
    if (response->continuation_token().empty()) break;
    request.set_continuation_token(response->continuation_token());
  }
  EXPECT_EQ(ids.size(), 7u);
  v1::ListRolesRequest bad;
  bad.set_continuation_token("not a token");
  EXPECT_EQ(roles_->ListRoles(root_, bad).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(roles_->ListRoles(Caller{"x", {}}, v1::ListRolesRequest()).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(RoleServiceTest, ASecondReplicaCatchesUpByRefreshAndValidatesAgainstTheWholeSet) {
  auto other = RoleService::Create(store_, clock_, kForever);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(roles_->CreateRole(root_, CreateReq("a", {"assume:b"}), kForever).ok());
  // The other replica has not heard of "a" yet, but its change is validated against the
  // database's set: b → assume:a would close a cycle.
  absl::Status s = (*other)->CreateRole(root_, CreateReq("b", {"assume:a"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ((*other)->version(), roles_->version());
  ASSERT_TRUE(roles_->CreateRole(root_, CreateReq("c", {"z"}), kForever).ok());
  ASSERT_TRUE((*other)->Refresh("c", kForever).ok());
  EXPECT_EQ((*other)->snapshot()->Expand({"assume:c"}),
            (std::vector<std::string>{"assume:c", "z"}));
}

TEST_F(RoleServiceTest, ConcurrentChangesFromTwoReplicasNeverFormACycle) {
  auto other = RoleService::Create(store_, clock_, kForever);
  ASSERT_TRUE(other.ok());
  std::atomic<int> created{0};
  std::thread t1([&] {
    if (roles_->CreateRole(root_, CreateReq("x", {"assume:y"}), kForever).ok()) ++created;
  });
  std::thread t2([&] {
    if ((*other)->CreateRole(root_, CreateReq("y", {"assume:x"}), kForever).ok()) ++created;
  });
  t1.join();
  t2.join();
  EXPECT_EQ(created.load(), 1);
}

}  // namespace
}  // namespace bulwark::auth
