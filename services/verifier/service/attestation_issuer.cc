#include "services/verifier/service/attestation_issuer.h"

#include "absl/strings/str_cat.h"
#include "libraries/attest/attestation.h"
#include "libraries/attest/dsse.h"
#include "libraries/attest/provenance.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "libraries/scopes/expression.h"
#include "libraries/status/status_macros.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;

constexpr int kDefaultPage = 100;

absl::Status CheckTaskId(const std::string& task_id) {
  if (task_id.empty() || task_id.size() > 64) {
    return absl::InvalidArgumentError("task_id must be a taskId (1 to 64 characters)");
  }
  return absl::OkStatus();
}

}  // namespace

v1::Attestation AttestationToProto(const AttestationRecord& record) {
  v1::Attestation out;
  out.set_verification_id(record.verification_id);
  out.set_task_id(record.task_id);
  out.set_run_id(record.run_id);
  out.set_key_id(record.key_id);
  out.set_envelope(record.envelope);
  *out.mutable_created() = ToProtoTimestamp(record.created);
  *out.mutable_expires() = ToProtoTimestamp(record.expires);
  absl::StatusOr<attest::Envelope> envelope = attest::ParseEnvelope(record.envelope);
  if (envelope.ok()) {
    json statement = json::parse(envelope->payload, nullptr, /*allow_exceptions=*/false);
    absl::StatusOr<attest::StatementView> view = attest::ReadProvenance(statement);
    if (view.ok()) {
      for (const attest::ArtifactDigest& d : view->subjects) {
        v1::AttestationSubject* s = out.add_subjects();
        s->set_name(d.name);
        s->set_sha256(d.sha256);
      }
    }
  }
  return out;
}

absl::StatusOr<std::optional<AttestationRecord>> AttestationIssuer::Issue(
    const VerificationReport& report, const std::string& verification_id, absl::Time deadline) {
  if (!report.passed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "verification ", verification_id, " did not pass; only a passed verification is attested"));
  }
  if (!report.provenance.has_value()) return std::nullopt;
  attest::Provenance provenance = *report.provenance;
  provenance.verification_id = verification_id;
  BULWARK_ASSIGN_OR_RETURN(json statement, attest::BuildStatement(provenance));
  const crypto::SigningKey& key = keys_.current();
  absl::StatusOr<attest::Envelope> envelope = attest::SignStatement(statement, key);
  if (!envelope.ok()) {
    return absl::InternalError(absl::StrCat("cannot sign the attestation of verification ",
                                            verification_id, ": ", envelope.status().message()));
  }
  AttestationRecord record;
  record.verification_id = verification_id;
  record.task_id = provenance.task_id;
  record.run_id = provenance.run_id;
  record.key_id = key.id;
  record.envelope = attest::EnvelopeToJson(*envelope).dump();
  record.created = clock_.Now();
  record.expires = record.created + lifetime_;
  BULWARK_ASSIGN_OR_RETURN(AttestationRecord stored, store_.InsertAttestation(record, deadline));
  return stored;
}

absl::StatusOr<v1::Attestation> AttestationIssuer::GetAttestation(
    const Caller& caller, const v1::GetAttestationRequest& request, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_id()));
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, scopes::Expression("verifier:get-attestation:" + request.task_id()),
                "GetAttestation"));
  BULWARK_ASSIGN_OR_RETURN(AttestationRecord record,
                           store_.LatestAttestation(request.task_id(), deadline));
  return AttestationToProto(record);
}

absl::StatusOr<v1::ListAttestationsResponse> AttestationIssuer::ListAttestations(
    const Caller& caller, const v1::ListAttestationsRequest& request, absl::Time deadline) {
  if (!request.task_id().empty()) BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_id()));
  if (request.limit() < 0 || request.limit() > AttestationStore::kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be between 0 and ", AttestationStore::kMaxPageSize));
  }
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, scopes::Expression("verifier:list-attestations:" + request.task_id()),
                "ListAttestations"));
  BULWARK_ASSIGN_OR_RETURN(
      AttestationPage page,
      store_.ListAttestations(request.task_id(),
                              request.limit() == 0 ? kDefaultPage : request.limit(),
                              request.continuation_token(), deadline));
  v1::ListAttestationsResponse response;
  for (const AttestationRecord& record : page.attestations) {
    *response.add_attestations() = AttestationToProto(record);
  }
  response.set_continuation_token(page.continuation_token);
  return response;
}

absl::StatusOr<v1::GetAttestationKeysResponse> AttestationIssuer::GetAttestationKeys(
    absl::Time deadline) {
  v1::GetAttestationKeysResponse response;
  BULWARK_ASSIGN_OR_RETURN(*response.mutable_jwks(), StructFromJson(keys_.Jwks()));
  response.set_current_key_id(keys_.current().id);
  BULWARK_ASSIGN_OR_RETURN(auto by_key, store_.LatestExpiryByKey(deadline));
  for (const auto& [key_id, expires] : by_key) {
    (*response.mutable_needed_until())[key_id] = ToProtoTimestamp(expires);
  }
  return response;
}

}  // namespace bulwark::verifier
