// File: services/auth/server/auth_grpc_service.h
//
// AuthGrpcService: the gRPC adapter of the auth service (bulwark.auth.v1.Auth). Each method
// authenticates the call (AuthService, locally), calls the logic with the caller and the
// call's deadline, and converts the result with ToGrpcStatus. No business rule lives here.
// Ping, AuthenticateRequest and GetJwks need no credentials; TestAuthenticate checks the
// call's own signature against its fixed test client. Every Hawk-signed call must be signed for
// one of the names auth answers to (`hosts`, --hostnames; UNAUTHENTICATED otherwise), and
// AuthenticateRequest is answered only for peers in `service_peers` (the services' client
// certificates over mutual TLS, --tls-client-names): UNAUTHENTICATED without a client
// certificate, PERMISSION_DENIED for one not allowed. AuthenticateRequest is a callback method
// (the others are sync): it holds no server thread while the shared replay store answers.
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_AUTH_SERVER_AUTH_GRPC_SERVICE_H_
#define BULWARK_SERVICES_AUTH_SERVER_AUTH_GRPC_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "libraries/authn/host_binding.h"
#include "libraries/authn/payload_hashing_service.h"
#include "libraries/clock/clock.h"
#include "libraries/tls/peer_allowlist.h"
#include "services/auth/service/auth_service.h"

namespace bulwark::auth {

class AuthGrpcService final : public PayloadHashingService<v1::Auth> {
 public:
  AuthGrpcService(AuthService& service, Clock& clock, absl::Time started,
                  HostBinding hosts = HostBinding::Any(),
                  tls::PeerAllowlist service_peers = tls::PeerAllowlist::Anyone())
      : service_(service),
        clock_(clock),
        started_(started),
        hosts_(std::move(hosts)),
        bound_(service, hosts_),
        service_peers_(std::move(service_peers)) {
    HashPayloads();
  }

  using Context = grpc::ServerContext;
  grpc::Status Ping(Context*, const v1::PingRequest*, v1::PingResponse*) override;
  grpc::Status ListClients(Context*, const v1::ListClientsRequest*,
                           v1::ListClientsResponse*) override;
  grpc::Status GetClient(Context*, const v1::GetClientRequest*, v1::Client*) override;
  grpc::Status CreateClient(Context*, const v1::CreateClientRequest*,
                            v1::CreateClientResponse*) override;
  grpc::Status UpdateClient(Context*, const v1::UpdateClientRequest*, v1::Client*) override;
  grpc::Status EnableClient(Context*, const v1::EnableClientRequest*, v1::Client*) override;
  grpc::Status DisableClient(Context*, const v1::DisableClientRequest*, v1::Client*) override;
  grpc::Status DeleteClient(Context*, const v1::DeleteClientRequest*,
                            v1::DeleteClientResponse*) override;
  grpc::Status ResetAccessToken(Context*, const v1::ResetAccessTokenRequest*,
                                v1::CreateClientResponse*) override;
  grpc::Status ListRoles(Context*, const v1::ListRolesRequest*, v1::ListRolesResponse*) override;
  grpc::Status ListRoleIds(Context*, const v1::ListRoleIdsRequest*,
                           v1::ListRoleIdsResponse*) override;
  grpc::Status GetRole(Context*, const v1::GetRoleRequest*, v1::Role*) override;
  grpc::Status CreateRole(Context*, const v1::CreateRoleRequest*, v1::Role*) override;
  grpc::Status UpdateRole(Context*, const v1::UpdateRoleRequest*, v1::Role*) override;
  grpc::Status DeleteRole(Context*, const v1::DeleteRoleRequest*, v1::DeleteRoleResponse*) override;
  grpc::Status ExpandScopes(Context*, const v1::ExpandScopesRequest*,
                            v1::ExpandScopesResponse*) override;
  grpc::Status CurrentScopes(Context*, const v1::CurrentScopesRequest*,
                             v1::CurrentScopesResponse*) override;
  grpc::Status ExplainScope(Context*, const v1::ExplainScopeRequest*,
                            v1::ExplainScopeResponse*) override;
  grpc::Status TestAuthenticate(Context*, const v1::TestAuthenticateRequest*,
                                v1::TestAuthenticateResponse*) override;
  grpc::Status ServiceAccountToken(Context*, const v1::ServiceAccountTokenRequest*,
                                   v1::ServiceAccountTokenResponse*) override;
  grpc::Status GetJwks(Context*, const v1::GetJwksRequest*, v1::GetJwksResponse*) override;
  grpc::Status ListAuditHistory(Context*, const v1::ListAuditHistoryRequest*,
                                v1::ListAuditHistoryResponse*) override;
  grpc::Status VerifyAuditHistory(Context*, const v1::VerifyAuditHistoryRequest*,
                                  v1::VerifyAuditHistoryResponse*) override;

 private:
  // Which methods' bodies must be signed (PayloadHashingService; protos/README.md).
  void HashPayloads();
  // AuthenticateRequest, served with gRPC's callback API: the handler returns once the call is
  // verified up to the replay check, and the shared replay store's writer thread finishes the
  // call, so no server thread waits for PostgreSQL (docs/benchmarks.md, "Auth").
  grpc::ServerUnaryReactor* AuthenticateRequest(grpc::CallbackServerContext* context,
                                                const v1::AuthenticateRequestRequest* request,
                                                v1::AuthenticateRequestResponse* response);
  // Authenticates the call as `method`, then runs `body(caller, deadline)`.
  grpc::Status Handle(Context* context, const char* method,
                      const std::function<absl::Status(const Caller&, absl::Time)>& body);

  AuthService& service_;
  Clock& clock_;
  const absl::Time started_;
  const HostBinding hosts_;
  // service_, behind the host binding.
  const HostBoundAuthenticator bound_;
  const tls::PeerAllowlist service_peers_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_AUTH_GRPC_SERVICE_H_
