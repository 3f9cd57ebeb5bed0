#include "libraries/hawk/authenticator.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/hawk/certificate.h"
#include "libraries/hawk/digest.h"
#include "libraries/hawk/ext.h"
#include "libraries/hawk/header.h"
#include "libraries/hawk/mac.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"
#include "libraries/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace bulwark::hawk {
namespace {

constexpr absl::Duration kNoAuthLifetime = absl::Minutes(15);

absl::Status Fail(absl::string_view message) { return absl::UnauthenticatedError(message); }

bool IsAuthenticationOutcome(absl::StatusCode code) {
  return code == absl::StatusCode::kUnauthenticated || code == absl::StatusCode::kInvalidArgument;
}

// A dependency's error, never mistaken for an authentication outcome.
absl::Status DependencyError(absl::string_view what, const absl::Status& s) {
  if (!IsAuthenticationOutcome(s.code())) return s;
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

// Step 10's answer from the nonce cache's: a replay is an authentication failure.
absl::Status ReplayOutcome(const absl::Status& recorded) {
  if (absl::IsAlreadyExists(recorded)) {
    // A shared store may say why it cannot tell (e.g. its nonces were lost in a crash).
    if (recorded.message() == kNonceAlreadyUsed) return Fail("Unauthorized: replayed request");
    return Fail(absl::StrCat("Unauthorized: replayed request (", recorded.message(), ")"));
  }
  if (!recorded.ok()) return DependencyError("nonce cache", recorded);
  return absl::OkStatus();
}

// A failure of the pipeline: an authentication outcome (UNAUTHENTICATED, INVALID_ARGUMENT) as a
// kFailed result, any other (a dependency's) as the status.
absl::StatusOr<AuthResult> AsOutcome(const absl::Status& failure) {
  if (!IsAuthenticationOutcome(failure.code())) return failure;
  AuthResult failed;
  failed.message = std::string(failure.message());
  failed.failure_code = failure.code();
  return failed;
}

// JavaScript truthiness of a JSON value.
bool Truthy(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return false;
    case nlohmann::json::value_t::boolean:
      return value.get<bool>();
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return value.get<double>() != 0;  // JSON has no NaN
    case nlohmann::json::value_t::string:
      return !value.get_ref<const std::string&>().empty();
    default:  // objects, arrays, binary
      return true;
  }
}

// `value[key]` when `value` is an object holding a truthy `key`, else nullptr.
const nlohmann::json* TruthyField(const nlohmann::json& value, const char* key) {
  if (!value.is_object()) return nullptr;
  auto it = value.find(key);
  return it != value.end() && Truthy(*it) ? &*it : nullptr;
}

// A Hawk ts: decimal seconds (hawk itself would coerce anything with `* 1000`).
std::optional<int64_t> ParseTimestamp(absl::string_view ts) {
  if (ts.empty() || ts.size() > 15) return std::nullopt;
  for (char c : ts) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(ts, &seconds)) return std::nullopt;
  return seconds;
}

// Sorted by ScopeLess without repeats, and no member satisfies a later one (in
// that order whatever a star covers follows it directly, so neighbours tell).
bool IsNormalized(absl::Span<const std::string> scopes) {
  for (size_t i = 1; i < scopes.size(); ++i) {
    if (!scopes::ScopeLess()(scopes[i - 1], scopes[i]) ||
        scopes::Satisfies(scopes[i - 1], scopes[i])) {
      return false;
    }
  }
  return true;
}

std::string AuthorizedScopesFailure(absl::Span<const std::string> have,
                                    absl::Span<const std::string> authorized) {
  return absl::StrCat(
      "Supplied credentials do not satisfy authorizedScopes; credentials have "
      "scopes:\n\n```\n",
      absl::StrJoin(have, "\n"), "\n```\n\nauthorizedScopes are:\n\n```\n",
      absl::StrJoin(authorized, "\n"), "\n```");
}

}  // namespace

absl::Status AuthResult::status() const {
  if (outcome != Outcome::kFailed) return absl::OkStatus();
  return absl::Status(failure_code, message);
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(Options options,
                                                                     Dependencies dependencies) {
  if (dependencies.clients == nullptr || dependencies.clock == nullptr || !dependencies.expand) {
    return absl::InvalidArgumentError(
        "Authenticator needs a client loader, a scope expander and a clock");
  }
  if (options.clock_skew <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("clock_skew must be positive");
  }
  return std::unique_ptr<Authenticator>(new Authenticator(options, std::move(dependencies)));
}

std::vector<std::string> Authenticator::ExpandWithAnonymous(absl::Span<const std::string> scopes,
                                                            bool expanded) const {
  const std::vector<std::string> anonymous = {std::string(kAnonymousRole)};
  if (expanded && IsNormalized(scopes)) {
    // Expansion distributes over union (every role fires for one input scope)
    // and `scopes` is already closed under it, so only the anonymous role
    // remains to expand.
    return scopes::MergeScopeSets(scopes, deps_.expand(anonymous));
  }
  std::vector<std::string> input(scopes.begin(), scopes.end());
  input.push_back(anonymous.front());
  return deps_.expand(input);
}

AuthResult Authenticator::NoAuth() const {
  AuthResult result;
  result.outcome = AuthResult::Outcome::kNoAuth;
  const std::vector<std::string> anonymous = {std::string(kAnonymousRole)};
  result.scopes = deps_.expand(anonymous);
  result.expires = deps_.clock->Now() + kNoAuthLifetime;
  return result;
}

std::optional<AuthResult> Authenticator::GrpcRequest(
    absl::string_view method_path, absl::string_view authority, absl::string_view authorization,
    absl::Time deadline, std::optional<std::string> payload_hash, bool payload_hash_required,
    Request& request) const {
  if (authorization.empty()) return NoAuth();
  absl::StatusOr<HostPort> host_port = ParseAuthority(authority);
  if (!host_port.ok()) {
    AuthResult failed;
    failed.message = "Bad Request: Invalid Host header";
    failed.failure_code = absl::StatusCode::kInvalidArgument;
    return failed;
  }
  request.resource = std::string(method_path);
  request.host = std::move(host_port->host);
  request.port = host_port->port;
  request.authorization = std::string(authorization);
  request.deadline = deadline;
  request.payload_hash = std::move(payload_hash);
  request.payload_hash_required = payload_hash_required;
  return std::nullopt;
}

absl::StatusOr<AuthResult> Authenticator::AuthenticateGrpc(
    absl::string_view method_path, absl::string_view authority, absl::string_view authorization,
    absl::Time deadline, std::optional<std::string> payload_hash, bool payload_hash_required,
    const OnVerified& on_verified) const {
  Request request;
  if (std::optional<AuthResult> done =
          GrpcRequest(method_path, authority, authorization, deadline, std::move(payload_hash),
                      payload_hash_required, request)) {
    return *std::move(done);
  }
  return AuthenticateWith(request, on_verified);
}

void Authenticator::AuthenticateGrpcAsync(absl::string_view method_path,
                                          absl::string_view authority,
                                          absl::string_view authorization, absl::Time deadline,
                                          std::optional<std::string> payload_hash,
                                          bool payload_hash_required, Done done,
                                          const OnVerified& on_verified) const {
  Request request;
  if (std::optional<AuthResult> result =
          GrpcRequest(method_path, authority, authorization, deadline, std::move(payload_hash),
                      payload_hash_required, request)) {
    std::move(done)(*std::move(result));
    return;
  }
  absl::StatusOr<Verified> verified = Verify(request);
  if (!verified.ok()) {
    std::move(done)(AsOutcome(verified.status()));
    return;
  }
  if (on_verified) on_verified(verified->result);
  if (!verified->replay.has_value()) {
    std::move(done)(std::move(verified->result));
    return;
  }
  const Replay& r = *verified->replay;
  deps_.nonces->RecordAsync(r.id, r.ts, r.nonce, r.now, r.forget_after, r.deadline,
                            [result = std::move(verified->result),
                             done = std::move(done)](const absl::Status& recorded) mutable {
                              absl::Status replayed = ReplayOutcome(recorded);
                              if (!replayed.ok()) {
                                std::move(done)(AsOutcome(replayed));
                              } else {
                                std::move(done)(std::move(result));
                              }
                            });
}

absl::StatusOr<AuthResult> Authenticator::Authenticate(const Request& request) const {
  return AuthenticateWith(request, nullptr);
}

absl::StatusOr<AuthResult> Authenticator::AuthenticateWith(const Request& request,
                                                           const OnVerified& on_verified) const {
  if (request.authorization.empty()) return NoAuth();
  absl::StatusOr<Verified> verified = Verify(request);
  if (!verified.ok()) return AsOutcome(verified.status());
  if (on_verified) on_verified(verified->result);
  if (verified->replay.has_value()) {
    const Replay& r = *verified->replay;
    absl::Status replayed =
        ReplayOutcome(deps_.nonces->Record(r.id, r.ts, r.nonce, r.now, r.forget_after, r.deadline));
    if (!replayed.ok()) return AsOutcome(replayed);
  }
  return std::move(verified->result);
}

absl::StatusOr<std::shared_ptr<const ClientRecord>> Authenticator::LoadClient(
    absl::string_view client_id, absl::Time deadline, absl::Time now) const {
  absl::StatusOr<std::shared_ptr<const ClientRecord>> client =
      deps_.clients->Load(client_id, deadline);
  if (!client.ok()) {
    if (absl::IsNotFound(client.status())) {
      return Fail(absl::StrCat("Client with clientId '", client_id, "' not found"));
    }
    return DependencyError("client loader", client.status());
  }
  if (*client == nullptr) {
    return absl::InternalError("client loader returned no client");
  }
  if ((*client)->disabled) {
    return Fail(absl::StrCat("Client with clientId '", client_id, "' is disabled"));
  }
  if ((*client)->expires < now) {
    return Fail(absl::StrCat("Client with clientId: '", client_id, "' has expired"));
  }
  return client;
}

absl::StatusOr<Authenticator::Verified> Authenticator::Verify(const Request& request) const {
  const absl::Time now = deps_.clock->Now();
  BULWARK_ASSIGN_OR_RETURN(HeaderAttributes attributes,
                           ParseAuthorizationHeader(request.authorization));
  if (attributes.id.empty() || attributes.ts.empty() || attributes.nonce.empty() ||
      attributes.mac.empty()) {
    return Fail("Bad Request: Missing attributes");
  }
  const std::string& name = attributes.id;

  // Step 2: ext, and the issuer of named temporary credentials.
  nlohmann::json ext;
  if (!attributes.ext.empty()) {
    BULWARK_ASSIGN_OR_RETURN(ext, DecodeExt(attributes.ext));
  }
  const nlohmann::json* certificate = TruthyField(ext, "certificate");
  std::string issuer = name;
  if (certificate != nullptr) {
    if (const nlohmann::json* named = TruthyField(*certificate, "issuer")) {
      if (!named->is_string()) {
        return Fail("ext.certificate.issuer must be a string");
      }
      issuer = named->get<std::string>();
      if (issuer == name) {
        return Fail("ext.certificate.issuer must differ from the supplied clientId");
      }
    }
  }

  // Steps 3-4: the client whose key signs, and the certificate.
  BULWARK_ASSIGN_OR_RETURN(std::shared_ptr<const ClientRecord> client,
                           LoadClient(issuer, request.deadline, now));
  AuthResult result;
  result.outcome = AuthResult::Outcome::kSuccess;
  result.client_id = name;
  result.issuer = issuer;
  result.expires = client->expires;
  absl::string_view key = client->access_token;
  std::optional<CheckedCertificate> checked;
  if (certificate != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(
        checked, CheckCertificate(*certificate, name, issuer, client->access_token, now));
    key = checked->access_token;
    result.expires = std::min(result.expires, checked->expiry);
    result.temporary = true;
  }

  // Step 5: the MAC.
  MacFields fields;
  fields.ts = attributes.ts;
  fields.nonce = attributes.nonce;
  fields.method = request.method;
  fields.resource = request.resource;
  fields.host = request.host;
  fields.port = request.port;
  fields.hash = attributes.hash;
  fields.ext = attributes.ext;
  fields.app = attributes.app;
  fields.dlg = attributes.dlg;
  if (!ConstantTimeEquals(CalculateMac(key, fields), attributes.mac)) {
    return Fail("Unauthorized: Bad mac");
  }
  // Step 5b: the body under the MAC.
  if (!attributes.hash.empty()) {
    if (!request.payload_hash.has_value()) {
      return Fail(
          "Unauthorized: this method's payload cannot be checked (a streaming method); sign it "
          "without a payload hash");
    }
    if (!ConstantTimeEquals(*request.payload_hash, attributes.hash)) {
      return Fail("Unauthorized: Bad payload hash (the request message is not the one signed)");
    }
  } else if (request.payload_hash_required) {
    return Fail(
        "Unauthorized: Missing payload hash (this method changes state: sign the serialized "
        "request message, see protos/README.md)");
  }

  // Steps 6-8: scopes.
  // The current scopes; `expanded` while they are the client's (already
  // expanded) ones.
  absl::Span<const std::string> scopes = client->scopes;
  bool expanded = true;
  if (checked.has_value()) {
    BULWARK_RETURN_IF_ERROR(CheckCertificateScopes(*checked, name, issuer, client->scopes));
    scopes = checked->scopes;
    expanded = false;
  }
  // Present means present: a falsy non-array ("", 0, false, null) is refused, never read as
  // "no restriction" (Taskcluster would ignore it).
  const nlohmann::json* authorized = nullptr;
  if (ext.is_object()) {
    auto it = ext.find("authorizedScopes");
    if (it != ext.end()) authorized = &*it;
  }
  if (authorized != nullptr) {
    if (!authorized->is_array()) {
      return Fail("ext.authorizedScopes must be an array");
    }
    std::vector<std::string> list;
    list.reserve(authorized->size());
    for (const nlohmann::json& scope : *authorized) {
      if (!scope.is_string() || !scopes::ValidScope(scope.get_ref<const std::string&>())) {
        return Fail("ext.authorizedScopes must be an array of valid scopes");
      }
      list.push_back(scope.get<std::string>());
    }
    const std::vector<std::string> have = ExpandWithAnonymous(scopes, expanded);
    for (const std::string& scope : list) {
      if (!scopes::SetSatisfies(have, scope)) {
        return Fail(AuthorizedScopesFailure(have, list));
      }
    }
    result.authorized_scopes = std::move(list);
    scopes = *result.authorized_scopes;
    expanded = false;
  }
  result.scopes = ExpandWithAnonymous(scopes, expanded);
  if (!attributes.hash.empty()) result.hash = attributes.hash;

  // Steps 9-10: freshness and replay.
  const std::optional<int64_t> ts = ParseTimestamp(attributes.ts);
  if (!ts.has_value() ||
      absl::AbsDuration(absl::FromUnixSeconds(*ts) - now) > options_.clock_skew) {
    return Fail("Unauthorized: Stale timestamp");
  }
  Verified verified;
  verified.result = std::move(result);
  if (deps_.nonces != nullptr) {
    verified.replay = Replay{name,
                             attributes.ts,
                             attributes.nonce,
                             now,
                             absl::FromUnixSeconds(*ts) + options_.clock_skew,
                             request.deadline};
  }
  return verified;
}

}  // namespace bulwark::hawk
