// File: services/auth/service/static_clients.h
//
// Static clients: the deployment's own clients (static/...), defined by configuration and
// synced into the database when auth starts; the API can never create, change, disable,
// reset or delete them (FAILED_PRECONDITION), whatever the caller's scopes (invariant 5).
//
// The scopes of the platform's clients static/bulwark/<name> are fixed here, not configured
// (ARCHITECTURE §1): a configuration may give only their access tokens. Other static/ clients
// carry the scopes their configuration gives.
//
// Thread-safety: pure data and functions. Errors: INVALID_ARGUMENT for a bad configuration,
// naming the entry.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_STATIC_CLIENTS_H_
#define BULWARK_SERVICES_AUTH_SERVICE_STATIC_CLIENTS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace bulwark::auth {

inline constexpr char kStaticPrefix[] = "static/";
inline constexpr char kAuthServiceClientId[] = "static/bulwark/auth";

struct StaticClient {
  std::string client_id;
  std::string access_token;
  std::string description;
  std::vector<std::string> scopes;
};

// The fixed scopes of static/bulwark/<name>, or nullopt if `client_id` is not one of them.
std::optional<std::vector<std::string>> PlatformClientScopes(const std::string& client_id);

// Parses the "staticClients" configuration: a list of {clientId, accessToken, description?,
// scopes?}. Every id must start with static/, tokens must be 22..66 characters of
// [A-Za-z0-9_-], ids must be unique, static/bulwark/<name> entries must not give scopes and
// all of static/bulwark/{root,queue,hooks,verifier} must be present.
absl::StatusOr<std::vector<StaticClient>> ParseStaticClients(const nlohmann::json& config);

bool IsStaticClientId(const std::string& client_id);

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_STATIC_CLIENTS_H_
