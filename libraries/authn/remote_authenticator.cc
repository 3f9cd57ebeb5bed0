#include "libraries/authn/remote_authenticator.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libraries/client/dependency.h"
#include "libraries/logging/log.h"

namespace bulwark {

absl::StatusOr<Caller> RemoteAuthenticator::Authenticate(const CallInfo& call) const {
  if (absl::Status bound = hosts_.Check(call); !bound.ok()) return bound;
  auth::v1::AuthenticateRequestRequest request;
  request.set_resource(call.method);
  request.set_authority(call.authority);
  request.set_authorization(call.authorization);
  request.set_source_ip(call.peer);
  if (call.payload_hash.has_value()) request.set_payload_hash(*call.payload_hash);
  request.set_payload_hash_optional(!call.payload_hash_required);
  auth::v1::AuthenticateRequestResponse response;
  grpc::ClientContext context;
  SetDeadline(context, std::min(absl::Now() + timeout_, call.deadline));
  grpc::Status status = router_->AuthenticateRequest(context, request, &response);
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
      status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    // Auth reports a caller's bad credentials in the response; a refusal of the call itself is
    // about this service's TLS identity (its client certificate, auth's --tls-client-names).
    LogError(
        "auth refused this service's AuthenticateRequest; check its TLS client certificate "
        "and auth's --tls-client-names",
        {{"error", status.error_message()}});
    return absl::UnavailableError(
        "this service cannot have requests authenticated by the auth service (a configuration "
        "error, logged for the operator); retry later");
  }
  if (!status.ok()) return DependencyStatus("auth", status, Signer::kNone);
  Caller caller;
  switch (response.status()) {
    case auth::v1::AUTHENTICATION_STATUS_SUCCESS:
      caller.client_id = response.client_id();
      caller.authorized_scopes.assign(response.authorized_scopes().begin(),
                                      response.authorized_scopes().end());
      break;
    case auth::v1::AUTHENTICATION_STATUS_NO_AUTH:
      break;
    default:
      return absl::UnauthenticatedError(
          response.message().empty() ? std::string("authentication failed") : response.message());
  }
  caller.scopes.assign(response.scopes().begin(), response.scopes().end());
  caller.expires = absl::FromUnixSeconds(response.expires().seconds()) +
                   absl::Nanoseconds(response.expires().nanos());
  return caller;
}

}  // namespace bulwark
