#include "services/auth/server/auth_grpc_service.h"

#include "libraries/authn/authenticated_call.h"
#include "libraries/call/call_scope.h"
#include "libraries/grpc_server/deadline.h"
#include "libraries/grpc_server/input_guard.h"
#include "libraries/grpc_server/into.h"
#include "libraries/grpc_server/status.h"
#include "libraries/proto/timestamp.h"
#include "libraries/status/status_macros.h"

namespace bulwark::auth {
void AuthGrpcService::HashPayloads() {
  // Methods that change something (or hand out a secret) need the payload hash; read-only ones
  // accept a header without one.
  HashPayload(&Service::CreateClient, "CreateClient", Body::kChanges);
  HashPayload(&Service::UpdateClient, "UpdateClient", Body::kChanges);
  HashPayload(&Service::EnableClient, "EnableClient", Body::kChanges);
  HashPayload(&Service::DisableClient, "DisableClient", Body::kChanges);
  HashPayload(&Service::DeleteClient, "DeleteClient", Body::kChanges);
  HashPayload(&Service::ResetAccessToken, "ResetAccessToken", Body::kChanges);
  HashPayload(&Service::CreateRole, "CreateRole", Body::kChanges);
  HashPayload(&Service::UpdateRole, "UpdateRole", Body::kChanges);
  HashPayload(&Service::DeleteRole, "DeleteRole", Body::kChanges);
  HashPayload(&Service::ServiceAccountToken, "ServiceAccountToken", Body::kChanges);
  HashPayload(&Service::Ping, "Ping", Body::kReadOnly);
  HashPayload(&Service::ListClients, "ListClients", Body::kReadOnly);
  HashPayload(&Service::GetClient, "GetClient", Body::kReadOnly);
  HashPayload(&Service::ListRoles, "ListRoles", Body::kReadOnly);
  HashPayload(&Service::ListRoleIds, "ListRoleIds", Body::kReadOnly);
  HashPayload(&Service::GetRole, "GetRole", Body::kReadOnly);
  HashPayload(&Service::ExpandScopes, "ExpandScopes", Body::kReadOnly);
  HashPayload(&Service::CurrentScopes, "CurrentScopes", Body::kReadOnly);
  HashPayload(&Service::ExplainScope, "ExplainScope", Body::kReadOnly);
  // Not Hawk-signed: its callers are the services, known by their certificates.
  MarkMethodCallback(ServeWithoutPayloadHash("AuthenticateRequest"),
                     new grpc::internal::CallbackUnaryHandler<v1::AuthenticateRequestRequest,
                                                              v1::AuthenticateRequestResponse>(
                         [this](grpc::CallbackServerContext* context,
                                const v1::AuthenticateRequestRequest* request,
                                v1::AuthenticateRequestResponse* response) {
                           return AuthenticateRequest(context, request, response);
                         }));
  HashPayload(&Service::TestAuthenticate, "TestAuthenticate", Body::kReadOnly);
  HashPayload(&Service::GetJwks, "GetJwks", Body::kReadOnly);
  HashPayload(&Service::ListAuditHistory, "ListAuditHistory", Body::kReadOnly);
  HashPayload(&Service::VerifyAuditHistory, "VerifyAuditHistory", Body::kReadOnly);
}

grpc::Status AuthGrpcService::Handle(
    Context* context, const char* method,
    const std::function<absl::Status(const Caller&, absl::Time)>& body) {
  return AuthenticatedCall(bound_, context, v1::Auth::service_full_name(), method, body);
}

grpc::Status AuthGrpcService::Ping(Context*, const v1::PingRequest*, v1::PingResponse* response) {
  response->set_alive(true);
  response->set_service("auth");
  response->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::ListClients(Context* c, const v1::ListClientsRequest* r,
                                          v1::ListClientsResponse* out) {
  return Handle(c, "ListClients", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.clients().ListClients(caller, *r, deadline), out);
  });
}

grpc::Status AuthGrpcService::GetClient(Context* c, const v1::GetClientRequest* r,
                                        v1::Client* out) {
  return Handle(c, "GetClient", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.clients().GetClient(caller, r->client_id(), deadline), out);
  });
}

grpc::Status AuthGrpcService::CreateClient(Context* c, const v1::CreateClientRequest* r,
                                           v1::CreateClientResponse* out) {
  return Handle(c, "CreateClient", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.clients().CreateClient(caller, *r, deadline), out);
  });
}

grpc::Status AuthGrpcService::UpdateClient(Context* c, const v1::UpdateClientRequest* r,
                                           v1::Client* out) {
  return Handle(c, "UpdateClient", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.clients().UpdateClient(caller, *r, deadline), out);
  });
}

grpc::Status AuthGrpcService::EnableClient(Context* c, const v1::EnableClientRequest* r,
                                           v1::Client* out) {
  return Handle(c, "EnableClient", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.clients().SetDisabled(caller, r->client_id(), false, deadline), out);
  });
}

grpc::Status AuthGrpcService::DisableClient(Context* c, const v1::DisableClientRequest* r,
                                            v1::Client* out) {
  return Handle(c, "DisableClient", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.clients().SetDisabled(caller, r->client_id(), true, deadline), out);
  });
}

grpc::Status AuthGrpcService::DeleteClient(Context* c, const v1::DeleteClientRequest* r,
                                           v1::DeleteClientResponse*) {
  return Handle(c, "DeleteClient", [&](const Caller& caller, absl::Time deadline) {
    return service_.clients().DeleteClient(caller, r->client_id(), deadline);
  });
}

grpc::Status AuthGrpcService::ResetAccessToken(Context* c, const v1::ResetAccessTokenRequest* r,
                                               v1::CreateClientResponse* out) {
  return Handle(c, "ResetAccessToken", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.clients().ResetAccessToken(caller, r->client_id(), deadline), out);
  });
}

grpc::Status AuthGrpcService::ListRoles(Context* c, const v1::ListRolesRequest* r,
                                        v1::ListRolesResponse* out) {
  return Handle(c, "ListRoles", [&](const Caller& caller, absl::Time) {
    return Into(service_.roles().ListRoles(caller, *r), out);
  });
}

grpc::Status AuthGrpcService::ListRoleIds(Context* c, const v1::ListRoleIdsRequest* r,
                                          v1::ListRoleIdsResponse* out) {
  return Handle(c, "ListRoleIds", [&](const Caller& caller, absl::Time) {
    return Into(service_.roles().ListRoleIds(caller, *r), out);
  });
}

grpc::Status AuthGrpcService::GetRole(Context* c, const v1::GetRoleRequest* r, v1::Role* out) {
  return Handle(c, "GetRole", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.roles().GetRole(caller, *r, deadline), out);
  });
}

grpc::Status AuthGrpcService::CreateRole(Context* c, const v1::CreateRoleRequest* r,
                                         v1::Role* out) {
  return Handle(c, "CreateRole", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.roles().CreateRole(caller, *r, deadline), out);
  });
}

grpc::Status AuthGrpcService::UpdateRole(Context* c, const v1::UpdateRoleRequest* r,
                                         v1::Role* out) {
  return Handle(c, "UpdateRole", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.roles().UpdateRole(caller, *r, deadline), out);
  });
}

grpc::Status AuthGrpcService::DeleteRole(Context* c, const v1::DeleteRoleRequest* r,
                                         v1::DeleteRoleResponse*) {
  return Handle(c, "DeleteRole", [&](const Caller& caller, absl::Time deadline) {
    return service_.roles().DeleteRole(caller, *r, deadline);
  });
}

grpc::Status AuthGrpcService::ExpandScopes(Context* c, const v1::ExpandScopesRequest* r,
                                           v1::ExpandScopesResponse* out) {
  return Handle(c, "ExpandScopes", [&](const Caller& caller, absl::Time) {
    return Into(service_.ExpandScopes(caller, *r), out);
  });
}

grpc::Status AuthGrpcService::CurrentScopes(Context* c, const v1::CurrentScopesRequest*,
                                            v1::CurrentScopesResponse* out) {
  return Handle(c, "CurrentScopes", [&](const Caller& caller, absl::Time) {
    return Into(service_.CurrentScopes(caller), out);
  });
}

grpc::Status AuthGrpcService::ExplainScope(Context* c, const v1::ExplainScopeRequest* r,
                                           v1::ExplainScopeResponse* out) {
  return Handle(c, "ExplainScope", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ExplainScope(caller, *r, deadline), out);
  });
}

grpc::ServerUnaryReactor* AuthGrpcService::AuthenticateRequest(
    grpc::CallbackServerContext* c, const v1::AuthenticateRequestRequest* r,
    v1::AuthenticateRequestResponse* out) {
  grpc::ServerUnaryReactor* reactor = c->DefaultReactor();
  absl::Status refused = RejectedInput(c);  // input_guard.h: nothing runs
  if (refused.ok()) refused = service_peers_.Check(*c, "AuthenticateRequest");
  if (!refused.ok()) {
    reactor->Finish(ToGrpcStatus(refused));
    return reactor;
  }
  // Verification up to the replay check runs here (a client not yet cached is read from the
  // database on this thread, bounded by the deadline); `out` lives until Finish; `done` runs
  // once, here or on the replay store's writer thread.
  CallScope scope([c] { return c->IsCancelled(); });  // call_scope.h
  service_.AuthenticateRequestAsync(
      *r, DeadlineOf(*c), [reactor, out](absl::StatusOr<v1::AuthenticateRequestResponse> answer) {
        reactor->Finish(ToGrpcStatus(Into(std::move(answer), out)));
      });
  return reactor;
}

grpc::Status AuthGrpcService::TestAuthenticate(Context* c, const v1::TestAuthenticateRequest* r,
                                               v1::TestAuthenticateResponse* out) {
  CallInfo call = CallInfoFrom(*c, MethodPath(v1::Auth::service_full_name(), "TestAuthenticate"));
  if (absl::Status bound = hosts_.Check(call); !bound.ok()) return ToGrpcStatus(bound);
  return ToGrpcStatus(Into(service_.TestAuthenticate(call, *r), out));
}

grpc::Status AuthGrpcService::ServiceAccountToken(Context* c,
                                                  const v1::ServiceAccountTokenRequest* r,
                                                  v1::ServiceAccountTokenResponse* out) {
  return Handle(c, "ServiceAccountToken", [&](const Caller& caller, absl::Time) {
    return Into(service_.ServiceAccountToken(caller, *r), out);
  });
}

grpc::Status AuthGrpcService::GetJwks(Context*, const v1::GetJwksRequest*,
                                      v1::GetJwksResponse* out) {
  return ToGrpcStatus(Into(service_.GetJwks(), out));
}

grpc::Status AuthGrpcService::ListAuditHistory(Context* c, const v1::ListAuditHistoryRequest* r,
                                               v1::ListAuditHistoryResponse* out) {
  return Handle(c, "ListAuditHistory", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ListAuditHistory(caller, *r, deadline), out);
  });
}

grpc::Status AuthGrpcService::VerifyAuditHistory(Context* c, const v1::VerifyAuditHistoryRequest* r,
                                                 v1::VerifyAuditHistoryResponse* out) {
  return Handle(c, "VerifyAuditHistory", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.VerifyAuditHistory(caller, *r, deadline), out);
  });
}

}  // namespace bulwark::auth
