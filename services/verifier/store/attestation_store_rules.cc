#include "services/verifier/store/attestation_store_rules.h"

#include <cstdint>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bulwark::verifier {

bool operator==(const AttestationRecord& a, const AttestationRecord& b) {
  return std::tie(a.verification_id, a.task_id, a.run_id, a.key_id, a.envelope, a.created,
                  a.expires) == std::tie(b.verification_id, b.task_id, b.run_id, b.key_id,
                                         b.envelope, b.created, b.expires);
}

namespace attestation_rules {
namespace {

constexpr char kTokenVersion[] = "a1";
const absl::Time kEarliest = absl::UnixEpoch();
const absl::Time kLatest = absl::FromCivil(absl::CivilSecond(10000, 1, 1), absl::UTCTimeZone());

bool IsIdentifier(const std::string& s, size_t max, bool key_id = false) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') continue;
    if (key_id && (c == '.' || c == ':')) continue;
    return false;
  }
  return true;
}

absl::Status ValidateTime(absl::Time t, absl::string_view field) {
  if (t < kEarliest || t >= kLatest) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a time between 1970-01-01 and 9999-12-31 (UTC)"));
  }
  return absl::OkStatus();
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "continuation_token is not one this service issued; start again without it");
}

}  // namespace

absl::Status ValidateTaskId(const std::string& task_id, bool allow_empty) {
  if (task_id.empty() && allow_empty) return absl::OkStatus();
  if (!IsIdentifier(task_id, 64)) {
    return absl::InvalidArgumentError(
        "task_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (a slugid)");
  }
  return absl::OkStatus();
}

absl::Status ValidateAttestation(const AttestationRecord& r) {
  if (!IsIdentifier(r.verification_id, 64)) {
    return absl::InvalidArgumentError(
        "verification_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (a slugid)");
  }
  if (absl::Status s = ValidateTaskId(r.task_id, false); !s.ok()) return s;
  if (r.run_id < 0) return absl::InvalidArgumentError("run_id must not be negative");
  if (!IsIdentifier(r.key_id, 64, /*key_id=*/true)) {
    return absl::InvalidArgumentError(
        "key_id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'");
  }
  if (r.envelope.empty() || r.envelope.size() > AttestationStore::kMaxEnvelopeBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the envelope of attestation ", r.verification_id, " must be 1 to ",
                     AttestationStore::kMaxEnvelopeBytes, " bytes, not ", r.envelope.size()));
  }
  if (absl::Status s = ValidateTime(r.created, "created"); !s.ok()) return s;
  if (absl::Status s = ValidateTime(r.expires, "expires"); !s.ok()) return s;
  if (ToMicros(r.expires) <= ToMicros(r.created)) {
    return absl::InvalidArgumentError(
        absl::StrCat("attestation ", r.verification_id, " must expire after it is created"));
  }
  return absl::OkStatus();
}

absl::Status ValidatePageSize(int page_size) {
  if (page_size < 1 || page_size > AttestationStore::kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page size must be between 1 and ", AttestationStore::kMaxPageSize));
  }
  return absl::OkStatus();
}

absl::Status ValidateExpiry(absl::Time before, int limit) {
  if (limit < 1 || limit > AttestationStore::kMaxExpireBatch) {
    return absl::InvalidArgumentError(absl::StrCat("expiry batch limit must be between 1 and ",
                                                   AttestationStore::kMaxExpireBatch));
  }
  return ValidateTime(before, "before");
}

absl::Time ToMicros(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

std::string EncodeToken(const std::string& task_filter, const Cursor& last) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenVersion, "|", task_filter, "|",
                                                absl::ToUnixMicros(last.created), "|",
                                                last.verification_id));
}

absl::StatusOr<std::optional<Cursor>> DecodeToken(const std::string& task_filter,
                                                  const std::string& token) {
  if (token.empty()) return std::nullopt;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken();
  std::vector<std::string> parts = absl::StrSplit(raw, '|');
  int64_t micros = 0;
  if (parts.size() != 4 || parts[0] != kTokenVersion || parts[1] != task_filter ||
      !absl::SimpleAtoi(parts[2], &micros) || !IsIdentifier(parts[3], 64)) {
    return BadToken();
  }
  return Cursor{absl::FromUnixMicros(micros), parts[3]};
}

bool NewerFirst(const AttestationRecord& a, const AttestationRecord& b) {
  return std::tie(a.created, a.verification_id) > std::tie(b.created, b.verification_id);
}

bool After(const AttestationRecord& r, const Cursor& cursor) {
  return std::tie(r.created, r.verification_id) < std::tie(cursor.created, cursor.verification_id);
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
