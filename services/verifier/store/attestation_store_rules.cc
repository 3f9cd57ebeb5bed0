#include "services/verifier/store/attestation_store_rules.h"

#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace bulwark::verifier {

bool operator==(const AttestationRecord& a, const AttestationRecord& b) {
  return std::tie(a.verification_id, a.task_id, a.run_id, a.key_id, a.envelope, a.created,
                  a.expires) == std::tie(b.verification_id, b.task_id, b.run_id, b.key_id,
                                         b.envelope, b.created, b.expires);
}

namespace attestation_rules {
namespace {

// 1..64 characters of [A-Za-z0-9._:-].
bool IsKeyId(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
        c == ':') {
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateAttestation(const AttestationRecord& r) {
  if (absl::Status s = record_rules::ValidateVerificationId(r.verification_id); !s.ok()) return s;
  if (absl::Status s = record_rules::ValidateTaskId(r.task_id, false); !s.ok()) return s;
  if (r.run_id < 0) return absl::InvalidArgumentError("run_id must not be negative");
  if (!IsKeyId(r.key_id)) {
    return absl::InvalidArgumentError(
        "key_id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'");
  }
  if (r.envelope.empty() || r.envelope.size() > AttestationStore::kMaxEnvelopeBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the envelope of attestation ", r.verification_id, " must be 1 to ",
                     AttestationStore::kMaxEnvelopeBytes, " bytes, not ", r.envelope.size()));
  }
  if (absl::Status s = record_rules::ValidateTime(r.created, "created"); !s.ok()) return s;
  if (absl::Status s = record_rules::ValidateTime(r.expires, "expires"); !s.ok()) return s;
  if (record_rules::ToMicros(r.expires) <= record_rules::ToMicros(r.created)) {
    return absl::InvalidArgumentError(
        absl::StrCat("attestation ", r.verification_id, " must expire after it is created"));
  }
  return absl::OkStatus();
}

absl::Status Conflict(const std::string& verification_id) {
  return absl::AlreadyExistsError(absl::StrCat("an attestation of verification ", verification_id,
                                               " is already stored with other content"));
}

absl::Status NotFound(const std::string& task_id) {
  return absl::NotFoundError(absl::StrCat("task ", task_id,
                                          " has no attestation (it never passed a verification "
                                          "with artifacts to attest, or it expired)"));
}

}  // namespace attestation_rules
}  // namespace bulwark::verifier
