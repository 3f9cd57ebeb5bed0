#include "services/auth/service/auth_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/jwt_issuer.h"
#include "libraries/hawk/replay_partition.h"
#include "libraries/hawk/static_client_loader.h"
#include "libraries/proto/timestamp.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"
#include "libraries/status/status_macros.h"
#include "services/auth/service/validation.h"

namespace bulwark::auth {
namespace {

using scopes::Expression;

// A client lookup never takes longer than this, whatever the call's deadline.
constexpr absl::Duration kLoadTimeout = absl::Seconds(5);

absl::Time Capped(absl::Time deadline) { return std::min(deadline, absl::Now() + kLoadTimeout); }
// TestAuthenticate's fixed client, as Taskcluster's testAuthenticate.
constexpr char kTestClientId[] = "tester";
constexpr char kTestAccessToken[] = "no-secret";

// Authentication's view of a client: the cached row, its unsealed token and its scopes
// expanded with the current roles.
class CacheClientLoader final : public hawk::ClientLoader {
 public:
  CacheClientLoader(CredentialCache& cache, RoleService& roles) : cache_(cache), roles_(roles) {}
  absl::StatusOr<std::shared_ptr<const hawk::ClientRecord>> Load(
      absl::string_view client_id, absl::Time deadline) const override {
    BULWARK_ASSIGN_OR_RETURN(std::shared_ptr<const CachedClient> client,
                             cache_.Get(std::string(client_id), Capped(deadline)));
    auto record = std::make_shared<hawk::ClientRecord>();
    record->access_token = client->access_token();
    record->scopes = client->Expanded(*roles_.snapshot()).ToVector();
    record->expires = client->row().expires;
    record->disabled = client->row().disabled;
    return std::shared_ptr<const hawk::ClientRecord>(std::move(record));
  }

 private:
  CredentialCache& cache_;
  RoleService& roles_;
};

hawk::ScopeExpander ExpanderOf(RoleService& roles) {
  return [&roles](absl::Span<const std::string> s) { return roles.snapshot()->Expand(s); };
}

Caller CallerOf(const hawk::AuthResult& result) {
  Caller caller;
  if (result.outcome == hawk::AuthResult::Outcome::kSuccess) caller.client_id = result.client_id;
  caller.scopes = result.scopes;
  caller.expires = result.expires;
  if (result.authorized_scopes) caller.authorized_scopes = *result.authorized_scopes;
  return caller;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuthService>> AuthService::Create(const Options& options,
                                                                 const Dependencies& deps,
                                                                 absl::Time deadline) {
  if (deps.store == nullptr || deps.sealer == nullptr || deps.clock == nullptr ||
      deps.random == nullptr) {
    return absl::InvalidArgumentError(
        "AuthService needs a store, a sealer, a clock and randomness");
  }
  std::unique_ptr<AuthService> service(new AuthService(options, deps));
  BULWARK_ASSIGN_OR_RETURN(service->roles_,
                           RoleService::Create(*deps.store, *deps.clock, deadline));
  service->cache_ = std::make_unique<CredentialCache>(*deps.store, *deps.sealer, *deps.clock);
  CredentialCache* cache = service->cache_.get();
  service->clients_ = std::make_unique<ClientService>(
      *deps.store, *deps.sealer, *service->roles_, *deps.clock, *deps.random,
      [cache](const std::string& id) { cache->Invalidate(id); });
  service->loader_ = std::make_unique<CacheClientLoader>(*service->cache_, *service->roles_);
  hawk::InMemoryNonceCache::Options nonce_options;
  nonce_options.max_entries = options.replay_cache_entries > 0
                                  ? options.replay_cache_entries
                                  : hawk::InMemoryNonceCache::EntriesFor(options.clock_skew, 1000);
  nonce_options.max_entries = std::max(nonce_options.max_entries, nonce_options.shards);
  BULWARK_ASSIGN_OR_RETURN(service->nonces_, hawk::InMemoryNonceCache::Create(nonce_options));
  hawk::Authenticator::Options auth_options;
  auth_options.clock_skew = options.clock_skew;
  hawk::Authenticator::Dependencies auth_deps;
  auth_deps.clients = service->loader_.get();
  auth_deps.expand = ExpanderOf(*service->roles_);
  auth_deps.clock = deps.clock;
  service->replay_ = service->nonces_.get();
  if (deps.replay_nonces != nullptr) {
    service->replay_ = deps.replay_nonces;
  } else if (deps.shared_nonces != nullptr) {
    service->tiered_nonces_ =
        std::make_unique<hawk::TieredNonceCache>(*service->nonces_, *deps.shared_nonces);
    service->replay_ = service->tiered_nonces_.get();
  }
  auth_deps.nonces = service->replay_;
  BULWARK_ASSIGN_OR_RETURN(service->authenticator_,
                           hawk::Authenticator::Create(auth_options, auth_deps));
  return service;
}

absl::StatusOr<int64_t> AuthService::PurgeReplayNonces(absl::Time deadline) {
  return replay_->PurgeExpired(deps_.clock->Now(), deadline);
}

absl::Status AuthService::ReadyToAuthenticate() const {
  if (in_sync()) return absl::OkStatus();
  return absl::UnavailableError(
      "this auth replica is resynchronizing its roles and clients after missing change "
      "notifications and may be stale; retry in a few seconds (or another replica)");
}

void AuthService::NoteUse(const hawk::AuthResult& result, absl::Time deadline) const {
  absl::StatusOr<std::shared_ptr<const CachedClient>> issuer =
      cache_->Get(result.issuer, Capped(deadline));
  if (issuer.ok()) cache_->RecordUse(**issuer, Capped(deadline));
}

absl::StatusOr<hawk::AuthResult> AuthService::Run(const std::string& resource,
                                                  const std::string& authority,
                                                  const std::string& authorization,
                                                  absl::Time deadline,
                                                  std::optional<std::string> payload_hash,
                                                  bool payload_hash_required) const {
  BULWARK_RETURN_IF_ERROR(ReadyToAuthenticate());
  return authenticator_->AuthenticateGrpc(
      resource, authority, authorization, deadline, std::move(payload_hash), payload_hash_required,
      [&](const hawk::AuthResult& verified) { NoteUse(verified, deadline); });
}

absl::StatusOr<Caller> AuthService::Authenticate(const CallInfo& call) const {
  BULWARK_ASSIGN_OR_RETURN(hawk::AuthResult result,
                           Run(call.method, call.authority, call.authorization, call.deadline,
                               call.payload_hash, call.payload_hash_required));
  BULWARK_RETURN_IF_ERROR(result.status());
  return CallerOf(result);
}

namespace {

absl::Status CheckResource(const v1::AuthenticateRequestRequest& request) {
  if (request.resource().empty() || request.resource()[0] != '/') {
    return absl::InvalidArgumentError(
        "resource must be the gRPC method path, e.g. /bulwark.queue.v1.Queue/CreateTask");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::AuthenticateRequestResponse> ResponseOf(hawk::AuthResult result) {
  v1::AuthenticateRequestResponse response;
  switch (result.outcome) {
    case hawk::AuthResult::Outcome::kSuccess:
      response.set_status(v1::AUTHENTICATION_STATUS_SUCCESS);
      response.set_client_id(result.client_id);
      response.set_hash(result.hash);
      break;
    case hawk::AuthResult::Outcome::kNoAuth:
      response.set_status(v1::AUTHENTICATION_STATUS_NO_AUTH);
      break;
    case hawk::AuthResult::Outcome::kFailed:
      if (result.failure_code == absl::StatusCode::kInvalidArgument) {
        return absl::InvalidArgumentError(result.message);
      }
      response.set_status(v1::AUTHENTICATION_STATUS_FAILED);
      response.set_message(result.message);
      return response;
  }
  for (const std::string& s : result.scopes) response.add_scopes(s);
  if (result.authorized_scopes) {
    for (const std::string& s : *result.authorized_scopes) response.add_authorized_scopes(s);
  }
  *response.mutable_expires() = ToProtoTimestamp(result.expires);
  return response;
}

}  // namespace

void AuthService::AuthenticateRequestAsync(const v1::AuthenticateRequestRequest& request,
                                           absl::Time deadline,
                                           AuthenticateRequestDone done) const {
  absl::Status ready = CheckResource(request);
  if (ready.ok()) ready = ReadyToAuthenticate();
  if (!ready.ok()) {
    std::move(done)(std::move(ready));
    return;
  }
  std::optional<std::string> payload_hash;
  if (!request.payload_hash().empty()) payload_hash = request.payload_hash();
  // Where the caller may send this partition's next requests (a hint; read before the check).
  std::string replay_owner;
  if (deps_.replay_routes != nullptr) {
    if (std::optional<int> partition = hawk::ReplayPartitionOfHeader(request.authorization())) {
      replay_owner = deps_.replay_routes->OwnerOf(*partition);
    }
  }
  authenticator_->AuthenticateGrpcAsync(
      request.resource(), request.authority(), request.authorization(), deadline,
      std::move(payload_hash), !request.payload_hash_optional(),
      [done = std::move(done),
       replay_owner = std::move(replay_owner)](absl::StatusOr<hawk::AuthResult> result) mutable {
        if (!result.ok()) {
          std::move(done)(result.status());
          return;
        }
        absl::StatusOr<v1::AuthenticateRequestResponse> response = ResponseOf(*std::move(result));
        if (response.ok()) response->set_replay_owner(std::move(replay_owner));
        std::move(done)(std::move(response));
      },
      // On this thread, before the replay check: NoteUse may read or write the database.
      [&](const hawk::AuthResult& verified) { NoteUse(verified, deadline); });
}

absl::StatusOr<v1::TestAuthenticateResponse> AuthService::TestAuthenticate(
    const CallInfo& call, const v1::TestAuthenticateRequest& request) const {
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> client_scopes,
                           ValidateScopeList(request.client_scopes(), "client_scopes"));
  std::vector<Expression> required;
  for (const std::string& s : request.required_scopes()) {
    if (!scopes::ValidScope(s)) {
      return absl::InvalidArgumentError(absl::StrCat("required_scopes: '", s, "' is not valid"));
    }
    required.push_back(s);
  }
  hawk::ClientRecord tester;
  tester.access_token = kTestAccessToken;
  // No role of the deployment takes part: expanding the test client's scopes against the live
  // roles would tell anyone, without credentials, what any role grants (issue 13 item 5).
  // `assume:` scopes stay as given.
  tester.scopes = scopes::SortAndNormalize(client_scopes);
  hawk::StaticClientLoader loader({{kTestClientId, tester}});
  hawk::Authenticator::Options auth_options;
  auth_options.clock_skew = options_.clock_skew;
  hawk::Authenticator::Dependencies auth_deps;
  auth_deps.clients = &loader;
  auth_deps.expand = [](absl::Span<const std::string> scopes) {
    return scopes::SortAndNormalize(std::vector<std::string>(scopes.begin(), scopes.end()));
  };
  auth_deps.clock = deps_.clock;
  BULWARK_ASSIGN_OR_RETURN(auto authenticator,
                           hawk::Authenticator::Create(auth_options, auth_deps));
  BULWARK_ASSIGN_OR_RETURN(hawk::AuthResult result,
                           authenticator->AuthenticateGrpc(
                               call.method, call.authority, call.authorization, call.deadline,
                               call.payload_hash, call.payload_hash_required));
  BULWARK_RETURN_IF_ERROR(result.status());
  Caller caller = CallerOf(result);
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression::AllOf(required), "TestAuthenticate"));
  v1::TestAuthenticateResponse response;
  response.set_client_id(caller.client_id);
  for (const std::string& s : caller.scopes) response.add_scopes(s);
  return response;
}

absl::StatusOr<v1::ExpandScopesResponse> AuthService::ExpandScopes(
    const Caller& caller, const v1::ExpandScopesRequest& request) {
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:expand-scopes"), "ExpandScopes"));
  std::vector<std::string> input;
  for (const std::string& s : request.scopes()) {
    if (!scopes::ValidScope(s)) {
      return absl::InvalidArgumentError(absl::StrCat("scopes: '", s, "' is not a valid scope"));
    }
    input.push_back(s);
  }
  v1::ExpandScopesResponse response;
  for (absl::string_view s : roles_->snapshot()->ExpandShared(input)) {
    response.add_scopes(s.data(), s.size());
  }
  return response;
}

absl::StatusOr<v1::CurrentScopesResponse> AuthService::CurrentScopes(const Caller& caller) {
  BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:current-scopes"), "CurrentScopes"));
  v1::CurrentScopesResponse response;
  response.set_client_id(caller.client_id);
  for (const std::string& s : caller.scopes) response.add_scopes(s);
  return response;
}

absl::StatusOr<v1::ExplainScopeResponse> AuthService::ExplainScope(
    const Caller& caller, const v1::ExplainScopeRequest& request, absl::Time deadline) {
  if (!scopes::ValidScope(request.scope())) {
    return absl::InvalidArgumentError("scope: give the (valid) scope to explain");
  }
  std::vector<std::string> given;
  if (!request.client_id().empty()) {
    if (request.scopes_size() > 0) {
      return absl::InvalidArgumentError("give either client_id or scopes, not both");
    }
    BULWARK_RETURN_IF_ERROR(ValidateClientId(request.client_id()));
    BULWARK_RETURN_IF_ERROR(
        Authorize(caller, Expression("auth:get-client:" + request.client_id()), "ExplainScope"));
    BULWARK_ASSIGN_OR_RETURN(ClientRow row, deps_.store->GetClient(request.client_id(), deadline));
    given = row.scopes;
  } else {
    BULWARK_RETURN_IF_ERROR(Authorize(caller, Expression("auth:expand-scopes"), "ExplainScope"));
    given.assign(request.scopes().begin(), request.scopes().end());
  }
  scopes::Explanation why = roles_->snapshot()->Explain(given, request.scope());
  v1::ExplainScopeResponse response;
  response.set_satisfied(why.satisfied);
  if (!why.satisfied) return response;
  for (const scopes::ExplainStep& step : why.steps) {
    v1::ExplainStep* out = response.add_steps();
    out->set_scope(step.scope);
    out->set_role_id(step.role_id);
  }
  response.set_granting_scope(why.granting_scope);
  if (!why.steps.empty()) response.set_granting_role_id(why.steps.back().role_id);
  return response;
}

absl::StatusOr<v1::ListAuditHistoryResponse> AuthService::ListAuditHistory(
    const Caller& caller, const v1::ListAuditHistoryRequest& request, absl::Time deadline) {
  const std::string& type = request.entity_type();
  if (!type.empty() && type != "client" && type != "role") {
    return absl::InvalidArgumentError("entity_type must be 'client', 'role' or empty (both)");
  }
  if (type.empty() && !request.entity_id().empty()) {
    return absl::InvalidArgumentError("entity_id needs an entity_type");
  }
  Expression required =
      type.empty() ? Expression::AllOf({"auth:audit-history:client", "auth:audit-history:role"})
                   : Expression("auth:audit-history:" + type);
  BULWARK_RETURN_IF_ERROR(Authorize(caller, required, "ListAuditHistory"));
  BULWARK_ASSIGN_OR_RETURN(int limit, PageLimit(request.limit()));
  BULWARK_ASSIGN_OR_RETURN(std::string after, DecodePageToken(request.continuation_token()));
  int64_t after_sequence = 0;
  if (!after.empty() && !absl::SimpleAtoi(after, &after_sequence)) {
    return absl::InvalidArgumentError("continuation_token is not one this service issued");
  }
  BULWARK_ASSIGN_OR_RETURN(
      std::vector<AuditEntry> entries,
      deps_.store->ListAudit(type, request.entity_id(), after_sequence, limit + 1, deadline));
  v1::ListAuditHistoryResponse response;
  for (size_t i = 0; i < entries.size() && static_cast<int>(i) < limit; ++i) {
    const AuditEntry& e = entries[i];
    v1::AuditEntry* out = response.add_entries();
    out->set_sequence(e.sequence);
    out->set_entity_type(e.entity_type);
    out->set_entity_id(e.entity_id);
    out->set_client_id(e.client_id);
    out->set_action(e.action);
    *out->mutable_created() = ToProtoTimestamp(e.created);
    out->set_hash(e.hash);
    out->set_key_id(e.key_id);
  }
  if (static_cast<int>(entries.size()) > limit) {
    response.set_continuation_token(EncodePageToken(absl::StrCat(entries[limit - 1].sequence)));
  }
  return response;
}

absl::StatusOr<v1::VerifyAuditHistoryResponse> AuthService::VerifyAuditHistory(
    const Caller& caller, const v1::VerifyAuditHistoryRequest& request, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("auth:verify-audit-history"), "VerifyAuditHistory"));
  BULWARK_ASSIGN_OR_RETURN(AuditVerification v, deps_.store->VerifyAudit(deadline));
  v1::VerifyAuditHistoryResponse response;
  response.set_intact(v.intact);
  response.set_entries_checked(v.entries_checked);
  response.set_first_bad_sequence(v.first_bad_sequence);
  response.set_message(v.message);
  if (deps_.audit_checkpoints != nullptr) {
    BULWARK_RETURN_IF_ERROR(
        deps_.audit_checkpoints->Report(request, deadline, response.mutable_checkpoint()));
  } else {
    response.mutable_checkpoint()->set_message("audit checkpoints are not enabled on this server");
  }
  return response;
}

absl::StatusOr<v1::ServiceAccountTokenResponse> AuthService::ServiceAccountToken(
    const Caller& caller, const v1::ServiceAccountTokenRequest& request) {
  const std::string& account = request.account();
  if (account.empty() || !scopes::ValidScope(account)) {
    return absl::InvalidArgumentError("account: name the service account (printable ASCII)");
  }
  if (request.audience().empty()) {
    return absl::InvalidArgumentError("audience: name who the token is for");
  }
  if (request.lifetime_seconds() < 0) {
    return absl::InvalidArgumentError("lifetime_seconds must not be negative");
  }
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, Expression("auth:service-account:" + account), "ServiceAccountToken"));
  // Protect the platform: scopes are not enough; the account must be allowed by the
  // deployment, so not even `*` obtains the platform's own accounts.
  if (options_.service_account_allowlist.count(account) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "service account '", account,
        "' is not on this deployment's allowlist; no scope can obtain credentials for it"));
  }
  if (deps_.signing_keys == nullptr) {
    return absl::FailedPreconditionError(
        "this deployment has no signing keys configured (signingKeys)");
  }
  absl::Duration lifetime = options_.max_token_lifetime;
  if (request.lifetime_seconds() > 0) {
    lifetime = std::min(lifetime, absl::Seconds(request.lifetime_seconds()));
  }
  crypto::JwtRequest jwt;
  jwt.issuer = options_.service_account_issuer;
  jwt.subject = account;
  jwt.audience = request.audience();
  jwt.lifetime = lifetime;
  jwt.jwt_id = NiceSlugid(*deps_.random);
  jwt.extra_claims = {{"client_id", caller.client_id}};
  BULWARK_ASSIGN_OR_RETURN(crypto::IssuedJwt issued,
                           crypto::IssueJwt(jwt, *deps_.signing_keys, *deps_.clock));
  v1::ServiceAccountTokenResponse response;
  response.set_token(issued.token);
  *response.mutable_expires() = ToProtoTimestamp(issued.expires);
  return response;
}

absl::StatusOr<v1::GetJwksResponse> AuthService::GetJwks() const {
  v1::GetJwksResponse response;
  nlohmann::json jwks = deps_.signing_keys != nullptr
                            ? deps_.signing_keys->Jwks()
                            : nlohmann::json{{"keys", nlohmann::json::array()}};
  google::protobuf::Struct* out = response.mutable_jwks();
  google::protobuf::ListValue* keys = (*out->mutable_fields())["keys"].mutable_list_value();
  for (const nlohmann::json& key : jwks["keys"]) {
    google::protobuf::Struct* k = keys->add_values()->mutable_struct_value();
    for (const auto& [name, value] : key.items()) {
      (*k->mutable_fields())[name].set_string_value(value.get<std::string>());
    }
  }
  return response;
}

absl::Status AuthService::OnRoleChanged(const std::string& role_id, absl::Time deadline) {
  return roles_->Refresh(role_id, deadline);
}

absl::Status AuthService::Resync(absl::Time deadline) {
  cache_->InvalidateAll();
  return roles_->ReloadAll(deadline);
}

}  // namespace bulwark::auth
