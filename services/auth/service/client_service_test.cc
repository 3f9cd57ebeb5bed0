#include "services/auth/service/client_service.h"

#include "gtest/gtest.h"
#include "libraries/proto/timestamp.h"
#include "services/auth/service/fake_token_sealer.h"
#include "services/auth/store/in_memory_auth_store.h"

namespace bulwark::auth {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

class ClientServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    roles_ = std::move(RoleService::Create(store_, clock_, kForever)).value();
    clients_ =
        std::make_unique<ClientService>(store_, sealer_, *roles_, clock_, random_,
                                        [this](const std::string& id) { changed_.push_back(id); });
  }

  v1::CreateClientRequest CreateReq(const std::string& id, const std::vector<std::string>& scopes) {
    v1::CreateClientRequest r;
    r.set_client_id(id);
    r.set_description("d");
    *r.mutable_expires() = ToProtoTimestamp(clock_.Now() + absl::Hours(1));
    for (auto& s : scopes) r.add_scopes(s);
    return r;
  }

  SimulatedClock clock_;
  SeededRandom random_{42};
  InMemoryAuthStore store_{clock_};
  FakeTokenSealer sealer_;
  std::unique_ptr<RoleService> roles_;
  std::unique_ptr<ClientService> clients_;
  std::vector<std::string> changed_;
  Caller root_{"static/bulwark/root", {"*"}};
};

TEST_F(ClientServiceTest, CreateReturnsTheTokenOnceAndStoresItSealed) {
  auto created = clients_->CreateClient(root_, CreateReq("project/app", {"b", "a", "a"}), kForever);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->access_token().size(), 44u);
  EXPECT_EQ(created->client().scopes_size(), 2);  // sorted, deduplicated
  EXPECT_EQ(created->client().scopes(0), "a");
  auto row = store_.GetClient("project/app", kForever);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->sealed_access_token, "fake:project/app:" + created->access_token());
  EXPECT_EQ(changed_, std::vector<std::string>{"project/app"});
  auto got = clients_->GetClient(root_, "project/app", kForever);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->description(), "d");
}

TEST_F(ClientServiceTest, IdenticalCreateWithinFifteenMinutesIsIdempotent) {
  auto first = clients_->CreateClient(root_, CreateReq("c", {"x"}), kForever);
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Minutes(10));
  v1::CreateClientRequest same = CreateReq("c", {"x"});
  *same.mutable_expires() = first->client().expires();
  auto second = clients_->CreateClient(root_, same, kForever);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->access_token(), first->access_token());
  EXPECT_EQ(store_.ListAudit("client", "c", 0, 10, kForever)->size(), 1u);
  clock_.Advance(absl::Minutes(6));
  EXPECT_EQ(clients_->CreateClient(root_, same, kForever).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(clients_->CreateClient(root_, CreateReq("c", {"y"}), kForever).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(ClientServiceTest, AnIdenticalCreateByAnotherCallerGetsNoToken) {
  // Mallory holds every scope the create needs, and sends the same request right after.
  Caller mallory{"mallory", {"auth:create-client:shared/*", "queue:x"}};
  Caller alice{"alice", {"auth:create-client:shared/*", "queue:x"}};
  auto first = clients_->CreateClient(alice, CreateReq("shared/ci", {"queue:x"}), kForever);
  ASSERT_TRUE(first.ok()) << first.status();
  v1::CreateClientRequest same = CreateReq("shared/ci", {"queue:x"});
  *same.mutable_expires() = first->client().expires();
  auto stolen = clients_->CreateClient(mallory, same, kForever);
  EXPECT_EQ(stolen.status().code(), absl::StatusCode::kAlreadyExists) << stolen.status();
  EXPECT_EQ(stolen.status().message(),
            "client 'shared/ci' already exists; use UpdateClient to change it");
  // Alice's own retry still gets her token back.
  auto retried = clients_->CreateClient(alice, same, kForever);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->access_token(), first->access_token());
  EXPECT_EQ(store_.GetClient("shared/ci", kForever)->created_by, "alice");
}

TEST_F(ClientServiceTest, CreateNeedsEveryScopeItGrants) {
  Caller alice{"alice", {"auth:create-client:alice/*", "queue:*"}};
  EXPECT_TRUE(clients_->CreateClient(alice, CreateReq("alice/ci", {"queue:x"}), kForever).ok());
  absl::Status s =
      clients_->CreateClient(alice, CreateReq("alice/x", {"hooks:*"}), kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("hooks:*"), std::string::npos) << s;
  EXPECT_EQ(clients_->CreateClient(alice, CreateReq("bob", {}), kForever).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ClientServiceTest, BadInputIsInvalidArgument) {
  EXPECT_EQ(clients_->CreateClient(root_, CreateReq("has space", {}), kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(clients_->CreateClient(root_, CreateReq("c", {"x**"}), kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::CreateClientRequest no_expiry = CreateReq("c", {});
  no_expiry.clear_expires();
  EXPECT_EQ(clients_->CreateClient(root_, no_expiry, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::CreateClientRequest far = CreateReq("c", {});
  far.mutable_expires()->set_seconds(int64_t{10000000000000});
  EXPECT_EQ(clients_->CreateClient(root_, far, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::ListClientsRequest list;
  list.set_limit(5000);
  EXPECT_EQ(clients_->ListClients(root_, list, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientServiceTest, StaticClientsCannotBeTouchedEvenByStar) {
  ASSERT_TRUE(clients_
                  ->SyncStaticClients(
                      {{"static/bulwark/root", std::string(44, 'r'), "root", {"*"}}}, kForever)
                  .ok());
  EXPECT_EQ(clients_->CreateClient(root_, CreateReq("static/x", {}), kForever).status().code(),
            absl::StatusCode::kFailedPrecondition);
  v1::UpdateClientRequest update;
  update.set_client_id("static/bulwark/root");
  *update.mutable_expires() = ToProtoTimestamp(clock_.Now());
  EXPECT_EQ(clients_->UpdateClient(root_, update, kForever).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(clients_->SetDisabled(root_, "static/bulwark/root", true, kForever).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(clients_->DeleteClient(root_, "static/bulwark/root", kForever).code(),
            absl::StatusCode::kFailedPrecondition);
  absl::Status s = clients_->ResetAccessToken(root_, "static/bulwark/root", kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("static client"), std::string::npos);
  EXPECT_FALSE(store_.GetClient("static/bulwark/root", kForever)->disabled);
}

TEST_F(ClientServiceTest, UpdateChecksOnlyAddedScopesAndHonoursTheMask) {
  ASSERT_TRUE(clients_->CreateClient(root_, CreateReq("u", {"a", "b"}), kForever).ok());
  Caller editor{"editor", {"auth:update-client:u"}};
  v1::UpdateClientRequest req;
  req.set_client_id("u");
  req.add_scopes("a");  // removing b needs nothing
  req.mutable_update_mask()->add_paths("scopes");
  auto updated = clients_->UpdateClient(editor, req, kForever);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->scopes_size(), 1);
  EXPECT_EQ(updated->description(), "d");  // untouched by the mask
  req.add_scopes("c");
  absl::Status s = clients_->UpdateClient(editor, req, kForever).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("\"c\""), std::string::npos) << s;
  req.mutable_update_mask()->add_paths("bogus");
  EXPECT_EQ(clients_->UpdateClient(root_, req, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::UpdateClientRequest missing;
  missing.set_client_id("nobody");
  *missing.mutable_expires() = ToProtoTimestamp(clock_.Now());
  EXPECT_EQ(clients_->UpdateClient(root_, missing, kForever).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ClientServiceTest, DisableEnableResetDelete) {
  auto created = clients_->CreateClient(root_, CreateReq("d", {}), kForever);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(clients_->SetDisabled(root_, "d", true, kForever)->disabled());
  EXPECT_FALSE(clients_->SetDisabled(root_, "d", false, kForever)->disabled());
  EXPECT_EQ(clients_->SetDisabled(root_, "none", true, kForever).status().code(),
            absl::StatusCode::kNotFound);
  clock_.Advance(absl::Minutes(1));
  auto reset = clients_->ResetAccessToken(root_, "d", kForever);
  ASSERT_TRUE(reset.ok());
  EXPECT_NE(reset->access_token(), created->access_token());
  EXPECT_EQ(FromProtoTimestamp(reset->client().last_rotated()), clock_.Now());
  EXPECT_TRUE(clients_->DeleteClient(root_, "d", kForever).ok());
  EXPECT_TRUE(clients_->DeleteClient(root_, "d", kForever).ok());  // already gone: fine
  std::vector<std::string> actions;
  auto audit = store_.ListAudit("client", "d", 0, 100, kForever);
  ASSERT_TRUE(audit.ok());
  for (const AuditEntry& e : *audit) {
    actions.push_back(e.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"created", "disabled", "enabled",
                                               "access-token-reset", "deleted"}));
}

TEST_F(ClientServiceTest, ListPagesWithPrefix) {
  for (const char* id : {"p/1", "p/2", "p/3", "q/1"}) {
    ASSERT_TRUE(clients_->CreateClient(root_, CreateReq(id, {}), kForever).ok());
  }
  v1::ListClientsRequest req;
  req.set_prefix("p/");
  req.set_limit(2);
  auto page = clients_->ListClients(root_, req, kForever);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->clients_size(), 2);
  ASSERT_FALSE(page->continuation_token().empty());
  req.set_continuation_token(page->continuation_token());
  page = clients_->ListClients(root_, req, kForever);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->clients_size(), 1);
  EXPECT_EQ(page->clients(0).client_id(), "p/3");
  EXPECT_TRUE(page->continuation_token().empty());
}

TEST_F(ClientServiceTest, StaticSyncCreatesUpdatesAndRemoves) {
  std::vector<StaticClient> config = {{"static/bulwark/root", std::string(22, 'a'), "r", {"*"}},
                                      {"static/other", std::string(22, 'b'), "o", {"x"}}};
  ASSERT_TRUE(clients_->SyncStaticClients(config, kForever).ok());
  EXPECT_EQ(store_.ListClients("static/", "", 10, kForever)->size(), 2u);
  size_t audit_before = store_.ListAudit("", "", 0, 100, kForever)->size();
  ASSERT_TRUE(clients_->SyncStaticClients(config, kForever).ok());  // nothing changed
  EXPECT_EQ(store_.ListAudit("", "", 0, 100, kForever)->size(), audit_before);
  config.pop_back();
  config[0].access_token = std::string(22, 'z');
  ASSERT_TRUE(clients_->SyncStaticClients(config, kForever).ok());
  auto stored = store_.ListClients("static/", "", 10, kForever);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(*sealer_.Unseal((*stored)[0].sealed_access_token, "static/bulwark/root"),
            std::string(22, 'z'));
}

TEST_F(ClientServiceTest, PurgeDeletesExpiredClientsMarkedForIt) {
  v1::CreateClientRequest temp = CreateReq("temp", {});
  temp.set_delete_on_expiration(true);
  ASSERT_TRUE(clients_->CreateClient(root_, temp, kForever).ok());
  ASSERT_TRUE(clients_->CreateClient(root_, CreateReq("kept", {}), kForever).ok());
  EXPECT_EQ(*clients_->PurgeExpired(kForever), 0);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(*clients_->PurgeExpired(kForever), 1);
  EXPECT_EQ(store_.GetClient("temp", kForever).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_.GetClient("kept", kForever).ok());
}

}  // namespace
}  // namespace bulwark::auth
