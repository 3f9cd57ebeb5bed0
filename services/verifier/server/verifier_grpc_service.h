// File: services/verifier/server/verifier_grpc_service.h
//
// VerifierGrpcService: the gRPC adapter of the verifier service (bulwark.verifier.v1.Verifier).
// Each method authenticates the call through auth (RemoteAuthenticator), calls VerifierService
// and converts the result with ToGrpcStatus; no business rule lives here. VerifyTask gets up to
// `verify_cap` of the caller's deadline (a chain streams its upstream artifacts); the others 30 s.
// The attestation methods go to the AttestationIssuer set with set_attestation_issuer; without
// one they are FAILED_PRECONDITION (the verifier was started without --attestation-keys).
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_
#define BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "libraries/authn/payload_hashing_service.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/clock/clock.h"
#include "services/verifier/service/attestation_issuer.h"
#include "services/verifier/service/verifier_service.h"

namespace bulwark::verifier {

class VerifierGrpcService final : public PayloadHashingService<v1::Verifier> {
 public:
  VerifierGrpcService(VerifierService& service, const RequestAuthenticator& authenticator,
                      Clock& clock, absl::Time started, absl::Duration verify_cap)
      : service_(service),
        authenticator_(authenticator),
        clock_(clock),
        started_(started),
        verify_cap_(verify_cap) {
    HashPayloads();
  }

  using Context = grpc::ServerContext;
  grpc::Status Ping(Context*, const v1::PingRequest*, v1::PingResponse*) override;
  grpc::Status VerifyTask(Context*, const v1::VerifyTaskRequest*, v1::Verification*) override;
  grpc::Status GetVerification(Context*, const v1::GetVerificationRequest*,
                               v1::Verification*) override;
  grpc::Status ListVerifications(Context*, const v1::ListVerificationsRequest*,
                                 v1::ListVerificationsResponse*) override;
  grpc::Status GetPolicy(Context*, const v1::GetPolicyRequest*, v1::Policy*) override;
  grpc::Status GetAttestation(Context*, const v1::GetAttestationRequest*,
                              v1::Attestation*) override;
  grpc::Status ListAttestations(Context*, const v1::ListAttestationsRequest*,
                                v1::ListAttestationsResponse*) override;
  grpc::Status GetAttestationKeys(Context*, const v1::GetAttestationKeysRequest*,
                                  v1::GetAttestationKeysResponse*) override;

  // Set before serving; null: the attestation methods are FAILED_PRECONDITION.
  void set_attestation_issuer(AttestationIssuer* issuer) { issuer_ = issuer; }

 private:
  // Which methods' bodies must be signed (PayloadHashingService; protos/README.md).
  void HashPayloads();
  VerifierService& service_;
  const RequestAuthenticator& authenticator_;
  Clock& clock_;
  const absl::Time started_;
  const absl::Duration verify_cap_;
  AttestationIssuer* issuer_ = nullptr;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_
