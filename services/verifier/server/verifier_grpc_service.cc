#include "services/verifier/server/verifier_grpc_service.h"

#include "libraries/authn/authenticated_call.h"
#include "libraries/grpc_server/into.h"
#include "libraries/grpc_server/status.h"

namespace bulwark::verifier {

grpc::Status VerifierGrpcService::Ping(Context*, const v1::PingRequest*,
                                       v1::PingResponse* response) {
  response->set_alive(true);
  response->set_service("verifier");
  response->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

grpc::Status VerifierGrpcService::VerifyTask(Context* c, const v1::VerifyTaskRequest* r,
                                             v1::Verification* out) {
  return AuthenticatedCall(
      authenticator_, c, v1::Verifier::service_full_name(), "VerifyTask",
      [&](const Caller& caller, absl::Time deadline) {
        return Into(service_.VerifyTask(caller, *r, deadline), out);
      },
      verify_cap_);
}

grpc::Status VerifierGrpcService::GetVerification(Context* c, const v1::GetVerificationRequest* r,
                                                  v1::Verification* out) {
  return AuthenticatedCall(authenticator_, c, v1::Verifier::service_full_name(), "GetVerification",
                           [&](const Caller& caller, absl::Time deadline) {
                             return Into(service_.GetVerification(caller, *r, deadline), out);
                           });
}

grpc::Status VerifierGrpcService::ListVerifications(Context* c,
                                                    const v1::ListVerificationsRequest* r,
                                                    v1::ListVerificationsResponse* out) {
  return AuthenticatedCall(authenticator_, c, v1::Verifier::service_full_name(),
                           "ListVerifications", [&](const Caller& caller, absl::Time deadline) {
                             return Into(service_.ListVerifications(caller, *r, deadline), out);
                           });
}

grpc::Status VerifierGrpcService::GetPolicy(Context*, const v1::GetPolicyRequest*,
                                            v1::Policy* out) {
  return ToGrpcStatus(Into(service_.GetPolicy(), out));
}

}  // namespace bulwark::verifier
