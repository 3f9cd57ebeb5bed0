#include "services/auth/server/auth_config.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "libraries/status/status_macros.h"
#include "services/auth/store/audit_chain.h"

namespace bulwark::auth {
namespace {

absl::StatusOr<absl::Duration> Seconds(const nlohmann::json& json, const char* field,
                                       absl::Duration fallback, absl::Duration max) {
  if (!json.contains(field)) return fallback;
  const nlohmann::json& v = json[field];
  if (!v.is_number_integer() || v.get<int64_t>() <= 0 || absl::Seconds(v.get<int64_t>()) > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be a whole number of seconds between 1 and ", absl::ToInt64Seconds(max)));
  }
  return absl::Seconds(v.get<int64_t>());
}

}  // namespace

absl::StatusOr<AuthConfig> ParseAuthConfig(const nlohmann::json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("the auth config must be an object");
  static const std::set<std::string> kKnown = {"staticClients",
                                               "tokenKeys",
                                               "auditKeys",
                                               "signingKeys",
                                               "serviceAccounts",
                                               "clockSkewSeconds",
                                               "purgeIntervalSeconds",
                                               "roleReloadSeconds",
                                               "replayCacheRequestsPerSecond",
                                               "auditCheckpointSeconds",
                                               "replayProtection",
                                               "replayPurgeSeconds"};
  for (const auto& [key, value] : json.items()) {
    if (kKnown.count(key) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("unknown auth config field '", key, "'"));
    }
  }
  AuthConfig config;
  BULWARK_ASSIGN_OR_RETURN(config.static_clients,
                           ParseStaticClients(json.value("staticClients", nlohmann::json())));
  if (!json.contains("tokenKeys")) {
    return absl::InvalidArgumentError("tokenKeys (the access-token keyring) is required");
  }
  config.token_keys = json["tokenKeys"];
  if (!json.contains("auditKeys")) {
    return absl::InvalidArgumentError(
        "auditKeys (the audit keyring: [{\"id\": \"audit-1\", \"key\": \"<base64 of 32 "
        "random bytes, e.g. openssl rand -base64 32>\"}]) is required: it keys the audit "
        "history so that the database owner cannot rewrite it");
  }
  config.audit_keys = json["auditKeys"];
  BULWARK_RETURN_IF_ERROR(AuditKeyring::FromJson(config.audit_keys).status());
  config.signing_keys = json.value("signingKeys", nlohmann::json::array());
  if (json.contains("serviceAccounts")) {
    const nlohmann::json& sa = json["serviceAccounts"];
    if (!sa.is_object()) return absl::InvalidArgumentError("serviceAccounts must be an object");
    if (sa.contains("issuer")) {
      if (!sa["issuer"].is_string() || sa["issuer"].get<std::string>().empty()) {
        return absl::InvalidArgumentError("serviceAccounts.issuer must be a non-empty string");
      }
      config.service_account_issuer = sa["issuer"];
    }
    const nlohmann::json& allow = sa.value("allowlist", nlohmann::json::array());
    if (!allow.is_array()) {
      return absl::InvalidArgumentError("serviceAccounts.allowlist must be a list");
    }
    for (const nlohmann::json& a : allow) {
      if (!a.is_string() || a.get<std::string>().empty()) {
        return absl::InvalidArgumentError("serviceAccounts.allowlist entries must be names");
      }
      config.service_account_allowlist.insert(a.get<std::string>());
    }
    BULWARK_ASSIGN_OR_RETURN(config.max_token_lifetime,
                             Seconds(sa, "maxLifetimeSeconds", absl::Hours(1), absl::Hours(1)));
  }
  BULWARK_ASSIGN_OR_RETURN(config.clock_skew,
                           Seconds(json, "clockSkewSeconds", absl::Minutes(15), absl::Hours(1)));
  BULWARK_ASSIGN_OR_RETURN(config.purge_interval, Seconds(json, "purgeIntervalSeconds",
                                                          absl::Hours(1), absl::Hours(24 * 7)));
  if (json.contains("replayCacheRequestsPerSecond")) {
    const nlohmann::json& v = json["replayCacheRequestsPerSecond"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 100000) {
      return absl::InvalidArgumentError(
          "replayCacheRequestsPerSecond must be a whole number between 1 and 100000");
    }
    config.replay_cache_rate = v.get<int>();
  }
  if (json.contains("replayProtection")) {
    const nlohmann::json& v = json["replayProtection"];
    if (v == "partitioned") {
      config.replay_protection = ReplayProtection::kPartitioned;
    } else if (v == "shared") {
      config.replay_protection = ReplayProtection::kShared;
    } else if (v == "local") {
      config.replay_protection = ReplayProtection::kLocal;
    } else {
      return absl::InvalidArgumentError(
          "replayProtection must be \"partitioned\" (the default: each replica owns part of the "
          "nonces, in memory, and hands the rest to their owners), \"shared\" (every replica "
          "writes every nonce to the database before accepting it) or \"local\" (this process "
          "only: a single replica)");
    }
  }
  BULWARK_ASSIGN_OR_RETURN(config.replay_purge_interval,
                           Seconds(json, "replayPurgeSeconds", absl::Seconds(60), absl::Hours(1)));
  BULWARK_ASSIGN_OR_RETURN(config.role_reload_interval,
                           Seconds(json, "roleReloadSeconds", absl::Minutes(10), absl::Hours(24)));
  BULWARK_ASSIGN_OR_RETURN(
      config.audit_checkpoint_interval,
      Seconds(json, "auditCheckpointSeconds", absl::Seconds(60), absl::Hours(24)));
  return config;
}

absl::StatusOr<AuthConfig> LoadAuthConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read auth config ", path));
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not valid JSON"));
  }
  auto config = ParseAuthConfig(json);
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace bulwark::auth
