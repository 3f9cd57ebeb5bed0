#include "services/auth/server/auth_config.h"

#include "gtest/gtest.h"

namespace bulwark::auth {
namespace {

nlohmann::json Minimal() {
  nlohmann::json clients = nlohmann::json::array();
  for (const char* n : {"root", "queue", "hooks", "verifier"}) {
    clients.push_back(
        {{"clientId", std::string("static/bulwark/") + n}, {"accessToken", std::string(44, 'x')}});
  }
  return {{"staticClients", clients},
          {"tokenKeys", {{{"id", "k"}, {"key", "…"}}}},
          {"auditKeys", {{{"id", "audit-1"}, {"key", std::string(44, 'A')}}}}};
}

TEST(AuthConfigTest, AuditKeysAreRequiredAndValidatedAndTheCheckpointIntervalDefaults) {
  auto config = ParseAuthConfig(Minimal());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->audit_checkpoint_interval, absl::Seconds(60));
  EXPECT_EQ(config->audit_keys, Minimal()["auditKeys"]);
  nlohmann::json j = Minimal();
  j["auditCheckpointSeconds"] = 5;
  EXPECT_EQ(ParseAuthConfig(j)->audit_checkpoint_interval, absl::Seconds(5));
  j["auditCheckpointSeconds"] = 0;
  EXPECT_EQ(ParseAuthConfig(j).status().code(), absl::StatusCode::kInvalidArgument);

  j = Minimal();
  j.erase("auditKeys");
  auto missing = ParseAuthConfig(j);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("auditKeys"), std::string::npos);
  EXPECT_NE(missing.status().message().find("openssl rand -base64 32"), std::string::npos);

  j = Minimal();
  j["auditKeys"] = {{{"id", "audit-1"}, {"key", "c2hvcnQ="}}};  // "short"
  auto weak = ParseAuthConfig(j);
  EXPECT_EQ(weak.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(weak.status().message().find("at least 32"), std::string::npos) << weak.status();
}

TEST(AuthConfigTest, DefaultsAndOverrides) {
  auto config = ParseAuthConfig(Minimal());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->clock_skew, absl::Minutes(15));
  EXPECT_EQ(config->max_token_lifetime, absl::Hours(1));
  nlohmann::json j = Minimal();
  j["clockSkewSeconds"] = 60;
  j["serviceAccounts"] = {{"issuer", "https://x"}, {"allowlist", {"uploader"}}};
  config = ParseAuthConfig(j);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->clock_skew, absl::Seconds(60));
  EXPECT_EQ(config->service_account_allowlist.count("uploader"), 1u);
}

TEST(AuthConfigTest, ReplayProtectionIsPartitionedUnlessConfigured) {
  nlohmann::json j = Minimal();
  auto config = ParseAuthConfig(j);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->replay_protection, ReplayProtection::kPartitioned);
  EXPECT_EQ(config->replay_purge_interval, absl::Seconds(60));
  j["replayProtection"] = "local";
  j["replayPurgeSeconds"] = 5;
  config = ParseAuthConfig(j);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->replay_protection, ReplayProtection::kLocal);
  EXPECT_EQ(config->replay_purge_interval, absl::Seconds(5));
  j["replayProtection"] = "shared";
  config = ParseAuthConfig(j);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->replay_protection, ReplayProtection::kShared);
  j["replayProtection"] = "partitioned";
  config = ParseAuthConfig(j);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->replay_protection, ReplayProtection::kPartitioned);
  for (const nlohmann::json& bad : {nlohmann::json("both"), nlohmann::json(true)}) {
    j["replayProtection"] = bad;
    EXPECT_EQ(ParseAuthConfig(j).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  j["replayProtection"] = "shared";
  j["replayPurgeSeconds"] = 0;
  EXPECT_EQ(ParseAuthConfig(j).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AuthConfigTest, ReplayCacheRateIsABoundedWholeNumber) {
  auto config = ParseAuthConfig(Minimal());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->replay_cache_rate, 1000);
  nlohmann::json j = Minimal();
  j["replayCacheRequestsPerSecond"] = 5000;
  config = ParseAuthConfig(j);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->replay_cache_rate, 5000);
  for (const nlohmann::json& bad :
       {nlohmann::json(0), nlohmann::json(1.5), nlohmann::json("x"), nlohmann::json(1000000)}) {
    j["replayCacheRequestsPerSecond"] = bad;
    EXPECT_EQ(ParseAuthConfig(j).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(AuthConfigTest, RejectsMistakesByName) {
  nlohmann::json j = Minimal();
  j["clockSkewSecs"] = 5;
  EXPECT_NE(ParseAuthConfig(j).status().message().find("clockSkewSecs"), std::string::npos);
  j = Minimal();
  j.erase("tokenKeys");
  EXPECT_NE(ParseAuthConfig(j).status().message().find("tokenKeys"), std::string::npos);
  j = Minimal();
  j["serviceAccounts"] = {{"maxLifetimeSeconds", 7200}};  // over an hour
  EXPECT_EQ(ParseAuthConfig(j).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadAuthConfig("/nonexistent/auth.json").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::auth
