// File: services/verifier/server/verifier_grpc_service.h
//
// VerifierGrpcService: the gRPC adapter of the verifier service (bulwark.verifier.v1.Verifier).
// Each method authenticates the call through auth (RemoteAuthenticator), calls VerifierService
// and converts the result with ToGrpcStatus; no business rule lives here. VerifyTask gets up to
// `verify_cap` of the caller's deadline (a chain streams its upstream artifacts); the others 30 s.
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_
#define BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/clock/clock.h"
#include "services/verifier/service/verifier_service.h"

namespace bulwark::verifier {

class VerifierGrpcService final : public v1::Verifier::Service {
 public:
  VerifierGrpcService(VerifierService& service, const RequestAuthenticator& authenticator,
                      Clock& clock, absl::Time started, absl::Duration verify_cap)
      : service_(service),
        authenticator_(authenticator),
        clock_(clock),
        started_(started),
        verify_cap_(verify_cap) {}

  using Context = grpc::ServerContext;
  grpc::Status Ping(Context*, const v1::PingRequest*, v1::PingResponse*) override;
  grpc::Status VerifyTask(Context*, const v1::VerifyTaskRequest*, v1::Verification*) override;
  grpc::Status GetVerification(Context*, const v1::GetVerificationRequest*,
                               v1::Verification*) override;
  grpc::Status ListVerifications(Context*, const v1::ListVerificationsRequest*,
                                 v1::ListVerificationsResponse*) override;
  grpc::Status GetPolicy(Context*, const v1::GetPolicyRequest*, v1::Policy*) override;

 private:
  VerifierService& service_;
  const RequestAuthenticator& authenticator_;
  Clock& clock_;
  const absl::Time started_;
  const absl::Duration verify_cap_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_
