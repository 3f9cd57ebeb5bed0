#include "services/auth/service/static_clients.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/scopes/scope.h"

namespace bulwark::auth {
namespace {

const std::map<std::string, std::vector<std::string>>& PlatformClients() {
  static const auto* const clients = new std::map<std::string, std::vector<std::string>>{
      // The administrator's credentials.
      {"static/bulwark/root", {"*"}},
      // The queue must satisfy any task.scopes when it issues task credentials.
      {"static/bulwark/queue", {"*"}},
      // Hooks act only as a hook's role, through authorizedScopes.
      {"static/bulwark/hooks", {"assume:hook-id:*"}},
      // The verifier only reads.
      {"static/bulwark/verifier",
       {"hooks:get:*", "hooks:list-last-fires:*", "queue:get-artifact:*", "queue:get-task:*",
        "queue:list-artifacts:*", "queue:status:*"}},
  };
  return *clients;
}

bool ValidToken(const std::string& token) {
  if (token.size() < 22 || token.size() > 66) return false;
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsStaticClientId(const std::string& client_id) {
  return absl::StartsWith(client_id, kStaticPrefix);
}

std::optional<std::vector<std::string>> PlatformClientScopes(const std::string& client_id) {
  auto it = PlatformClients().find(client_id);
  if (it == PlatformClients().end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::vector<StaticClient>> ParseStaticClients(const nlohmann::json& config) {
  if (!config.is_array()) {
    return absl::InvalidArgumentError("staticClients must be a list");
  }
  std::vector<StaticClient> clients;
  std::set<std::string> seen;
  for (size_t i = 0; i < config.size(); ++i) {
    const nlohmann::json& entry = config[i];
    std::string where = absl::StrCat("staticClients[", i, "]");
    if (!entry.is_object() || !entry.contains("clientId") || !entry["clientId"].is_string() ||
        !entry.contains("accessToken") || !entry["accessToken"].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " needs string fields clientId and accessToken"));
    }
    StaticClient c;
    c.client_id = entry["clientId"];
    c.access_token = entry["accessToken"];
    where = absl::StrCat(where, " (", c.client_id, ")");
    if (!IsStaticClientId(c.client_id)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": clientId must start with static/"));
    }
    if (!seen.insert(c.client_id).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, " is listed twice"));
    }
    if (!ValidToken(c.access_token)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": accessToken must be 22 to 66 characters of letters, digits, _ and -"));
    }
    c.description = entry.value("description", std::string());
    std::optional<std::vector<std::string>> fixed = PlatformClientScopes(c.client_id);
    if (fixed) {
      if (entry.contains("scopes")) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": the platform's own clients have fixed scopes; remove \"scopes\""));
      }
      c.scopes = *fixed;
    } else if (absl::StartsWith(c.client_id, "static/bulwark/")) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": static/bulwark/ is reserved for the platform's own clients"));
    } else {
      const nlohmann::json& scopes = entry.value("scopes", nlohmann::json::array());
      if (!scopes.is_array()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": scopes must be a list"));
      }
      for (const nlohmann::json& s : scopes) {
        if (!s.is_string() || !scopes::ValidScope(s.get<std::string>())) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": invalid scope ", s.dump()));
        }
        c.scopes.push_back(s);
      }
    }
    clients.push_back(std::move(c));
  }
  for (const auto& [id, scopes] : PlatformClients()) {
    if (seen.count(id) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("staticClients must include ", id, " (with its accessToken)"));
    }
  }
  return clients;
}

}  // namespace bulwark::auth
