#include "services/auth/service/static_clients.h"

#include "gtest/gtest.h"

namespace bulwark::auth {
namespace {

nlohmann::json Platform() {
  nlohmann::json list = nlohmann::json::array();
  for (const char* name : {"root", "queue", "hooks", "verifier"}) {
    list.push_back({{"clientId", std::string("static/bulwark/") + name},
                    {"accessToken", std::string(44, name[0])}});
  }
  return list;
}

TEST(StaticClientsTest, PlatformClientsGetTheirFixedScopes) {
  auto clients = ParseStaticClients(Platform());
  ASSERT_TRUE(clients.ok()) << clients.status();
  ASSERT_EQ(clients->size(), 4u);
  EXPECT_EQ((*clients)[0].scopes, std::vector<std::string>{"*"});
  EXPECT_EQ((*clients)[2].scopes, std::vector<std::string>{"assume:hook-id:*"});
  EXPECT_EQ((*clients)[3].scopes.size(), 6u);
  for (const std::string& s : (*clients)[3].scopes) {
    EXPECT_TRUE(s.rfind("queue:", 0) == 0 || s.rfind("hooks:", 0) == 0) << s;
  }
}

TEST(StaticClientsTest, RejectsWhatWouldWeakenThePlatform) {
  nlohmann::json with_scopes = Platform();
  with_scopes[2]["scopes"] = {"*"};  // hooks must never hold *
  EXPECT_EQ(ParseStaticClients(with_scopes).status().code(), absl::StatusCode::kInvalidArgument);
  nlohmann::json missing = Platform();
  missing.erase(1);
  EXPECT_NE(ParseStaticClients(missing).status().message().find("static/bulwark/queue"),
            std::string::npos);
  nlohmann::json not_static = Platform();
  not_static.push_back({{"clientId", "alice"}, {"accessToken", std::string(44, 'a')}});
  EXPECT_EQ(ParseStaticClients(not_static).status().code(), absl::StatusCode::kInvalidArgument);
  nlohmann::json short_token = Platform();
  short_token[0]["accessToken"] = "short";
  EXPECT_EQ(ParseStaticClients(short_token).status().code(), absl::StatusCode::kInvalidArgument);
  nlohmann::json reserved = Platform();
  reserved.push_back({{"clientId", "static/bulwark/extra"}, {"accessToken", std::string(44, 'e')}});
  EXPECT_EQ(ParseStaticClients(reserved).status().code(), absl::StatusCode::kInvalidArgument);
  nlohmann::json twice = Platform();
  twice.push_back(twice[0]);
  EXPECT_EQ(ParseStaticClients(twice).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StaticClientsTest, OtherStaticClientsCarryConfiguredScopes) {
  nlohmann::json config = Platform();
  config.push_back({{"clientId", "static/deploy/ci"},
                    {"accessToken", std::string(44, 'c')},
                    {"scopes", {"queue:create-task:*"}}});
  auto clients = ParseStaticClients(config);
  ASSERT_TRUE(clients.ok()) << clients.status();
  EXPECT_EQ(clients->back().scopes, std::vector<std::string>{"queue:create-task:*"});
}

}  // namespace
}  // namespace bulwark::auth
