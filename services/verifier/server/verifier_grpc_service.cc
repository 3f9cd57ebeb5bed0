#include "services/verifier/server/verifier_grpc_service.h"

#include "libraries/authn/authenticated_call.h"
#include "libraries/grpc_server/into.h"
#include "libraries/grpc_server/status.h"

namespace bulwark::verifier {

void VerifierGrpcService::HashPayloads() {
  // Methods that change something (or hand out a secret) need the payload hash; read-only ones
  // accept a header without one.
  HashPayload(&Service::VerifyTask, "VerifyTask", Body::kChanges);
  HashPayload(&Service::Ping, "Ping", Body::kReadOnly);
  HashPayload(&Service::GetVerification, "GetVerification", Body::kReadOnly);
  HashPayload(&Service::ListVerifications, "ListVerifications", Body::kReadOnly);
  HashPayload(&Service::GetPolicy, "GetPolicy", Body::kReadOnly);
  HashPayload(&Service::GetAttestation, "GetAttestation", Body::kReadOnly);
  HashPayload(&Service::ListAttestations, "ListAttestations", Body::kReadOnly);
  HashPayload(&Service::GetAttestationKeys, "GetAttestationKeys", Body::kReadOnly);
}

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

namespace {

absl::Status NoAttestations() {
  return absl::FailedPreconditionError(
      "this verifier issues no attestations: it was started without --attestation-keys");
}

}  // namespace

grpc::Status VerifierGrpcService::GetAttestation(Context* c, const v1::GetAttestationRequest* r,
                                                 v1::Attestation* out) {
  return AuthenticatedCall(authenticator_, c, v1::Verifier::service_full_name(), "GetAttestation",
                           [&](const Caller& caller, absl::Time deadline) -> absl::Status {
                             if (issuer_ == nullptr) return NoAttestations();
                             return Into(issuer_->GetAttestation(caller, *r, deadline), out);
                           });
}

grpc::Status VerifierGrpcService::ListAttestations(Context* c, const v1::ListAttestationsRequest* r,
                                                   v1::ListAttestationsResponse* out) {
  return AuthenticatedCall(authenticator_, c, v1::Verifier::service_full_name(), "ListAttestations",
                           [&](const Caller& caller, absl::Time deadline) -> absl::Status {
                             if (issuer_ == nullptr) return NoAttestations();
                             return Into(issuer_->ListAttestations(caller, *r, deadline), out);
                           });
}

grpc::Status VerifierGrpcService::GetAttestationKeys(Context*, const v1::GetAttestationKeysRequest*,
                                                     v1::GetAttestationKeysResponse* out) {
  if (issuer_ == nullptr) return ToGrpcStatus(NoAttestations());
  return ToGrpcStatus(Into(issuer_->GetAttestationKeys(absl::Now() + absl::Seconds(30)), out));
}

}  // namespace bulwark::verifier
