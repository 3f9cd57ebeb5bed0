#include "services/verifier/store/verifier_store_rules.h"

#include <cstdint>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libraries/crypto/encoding.h"

namespace bulwark::verifier::store_rules {
namespace {

constexpr char kTokenVersion[] = "v1";
// The range of times a record may carry: what both stores represent exactly.
const absl::Time kEarliest = absl::UnixEpoch();
const absl::Time kLatest = absl::FromCivil(absl::CivilSecond(10000, 1, 1), absl::UTCTimeZone());

// 1..max characters of [A-Za-z0-9_-] (slugids and task ids).
bool IsIdentifier(const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

// 1..max printable ASCII characters other than space.
bool IsLabel(const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

bool IsLowerHex(const std::string& s, size_t size) {
  if (s.size() != size) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status ValidateTime(absl::Time t, absl::string_view field) {
  if (t < kEarliest || t >= kLatest) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a time between 1970-01-01 and 9999-12-31 (UTC), not ",
                     absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone())));
  }
  return absl::OkStatus();
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "continuation_token is not one this service issued; start again without it");
}

}  // namespace

absl::Status ValidatePolicyVersion(const std::string& version) {
  if (!IsLabel(version, 128)) {
    return absl::InvalidArgumentError(
        "policy version must be 1 to 128 printable ASCII characters without spaces");
  }
  return absl::OkStatus();
}

absl::Status ValidatePolicy(const std::string& version, const std::string& sha256,
                            const std::string& document, absl::Time loaded_at) {
  if (absl::Status s = ValidatePolicyVersion(version); !s.ok()) return s;
  if (!IsLowerHex(sha256, 64)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sha256 of policy version ", version, " must be 64 lowercase hex digits"));
  }
  if (document.size() > VerifierStore::kMaxPolicyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("policy version ", version, " is ",
                                                   document.size(), " bytes; at most ",
                                                   VerifierStore::kMaxPolicyBytes, " are stored"));
  }
  std::string actual = absl::BytesToHexString(crypto::Sha256(document));
  if (actual != sha256) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sha256 ", sha256, " given for policy version ", version,
        " is not the SHA-256 of its document (", actual, "); hash the exact bytes being recorded"));
  }
  return ValidateTime(loaded_at, "loaded_at");
}

absl::Status ValidateVerificationId(const std::string& verification_id) {
  if (!IsIdentifier(verification_id, 64)) {
    return absl::InvalidArgumentError(
        "verification_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (a slugid)");
  }
  return absl::OkStatus();
}

absl::Status ValidateTaskFilter(const std::string& task_id) {
  if (!task_id.empty() && !IsIdentifier(task_id, 64)) {
    return absl::InvalidArgumentError(
        "task_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (a slugid)");
  }
  return absl::OkStatus();
}

absl::Status ValidateVerification(const VerificationRecord& v) {
  if (absl::Status s = ValidateVerificationId(v.verification_id); !s.ok()) return s;
  if (v.task_id.empty()) return absl::InvalidArgumentError("task_id must be set");
  if (absl::Status s = ValidateTaskFilter(v.task_id); !s.ok()) return s;
  if (!IsLabel(v.task_type, 128)) {
    return absl::InvalidArgumentError(
        "task_type must be 1 to 128 printable ASCII characters without spaces");
  }
  if (v.verdict != VerificationRecord::Verdict::kPass &&
      v.verdict != VerificationRecord::Verdict::kFail) {
    return absl::InvalidArgumentError("verdict must be PASS or FAIL");
  }
  if (absl::Status s = ValidatePolicyVersion(v.policy_version); !s.ok()) return s;
  if (v.report.size() > VerifierStore::kMaxReportBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the report of verification ", v.verification_id,
                                                   " is ", v.report.size(), " bytes; at most ",
                                                   VerifierStore::kMaxReportBytes, " are stored"));
  }
  if (v.checks_passed < 0 || v.checks_failed < 0) {
    return absl::InvalidArgumentError("checks_passed and checks_failed must not be negative");
  }
  if (v.verdict == VerificationRecord::Verdict::kPass &&
      (v.checks_failed != 0 || v.checks_passed == 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verification ", v.verification_id, " says PASS with ", v.checks_passed, " passed and ",
        v.checks_failed, " failed checks; a PASS needs at least one passed check and none failed"));
  }
  return ValidateTime(v.created, "created");
}

absl::Status ValidatePageSize(int page_size) {
  if (page_size < 1 || page_size > VerifierStore::kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page size must be between 1 and ", VerifierStore::kMaxPageSize));
  }
  return absl::OkStatus();
}

absl::Status ValidateExpiry(absl::Time before, int limit) {
  if (limit < 1 || limit > VerifierStore::kMaxExpireBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("expiry batch limit must be between 1 and ", VerifierStore::kMaxExpireBatch));
  }
  return ValidateTime(before, "before");
}

absl::Time ToMicros(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

std::string EncodePageToken(const std::string& task_filter, const Cursor& last) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenVersion, "|", task_filter, "|",
                                                absl::ToUnixMicros(last.created), "|",
                                                last.verification_id));
}

absl::StatusOr<std::optional<Cursor>> DecodePageToken(const std::string& task_filter,
                                                      const std::string& token) {
  if (token.empty()) return std::nullopt;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken();
  std::vector<std::string> parts = absl::StrSplit(raw, '|');
  int64_t micros = 0;
  if (parts.size() != 4 || parts[0] != kTokenVersion || !absl::SimpleAtoi(parts[2], &micros) ||
      !ValidateTaskFilter(parts[1]).ok() || !ValidateVerificationId(parts[3]).ok()) {
    return BadToken();
  }
  Cursor cursor{absl::FromUnixMicros(micros), parts[3]};
  if (!ValidateTime(cursor.created, "").ok()) return BadToken();
  if (parts[1] != task_filter) {
    return absl::InvalidArgumentError(absl::StrCat(
        "continuation_token was issued for a listing of ",
        parts[1].empty() ? "all tasks" : "task " + parts[1], ", not of ",
        task_filter.empty() ? "all tasks" : "task " + task_filter, "; start again without it"));
  }
  return cursor;
}

bool After(const VerificationRecord& v, const Cursor& cursor) {
  return std::tie(v.created, v.verification_id) < std::tie(cursor.created, cursor.verification_id);
}

bool NewerFirst(const VerificationRecord& a, const VerificationRecord& b) {
  return std::tie(a.created, a.verification_id) > std::tie(b.created, b.verification_id);
}

bool LatestFirst(const PolicyRecord& a, const PolicyRecord& b) {
  return std::tie(a.last_loaded, a.version) > std::tie(b.last_loaded, b.version);
}

absl::Status PolicyConflict(const std::string& version) {
  return absl::FailedPreconditionError(absl::StrCat(
      "policy version ", version, " was already loaded with different content; bump the version"));
}

absl::Status PolicyNotFound(const std::string& version) {
  return absl::NotFoundError(absl::StrCat("policy version ", version, " was never recorded"));
}

absl::Status NoPolicyRecorded() {
  return absl::NotFoundError("no policy version has been recorded yet");
}

absl::Status UnknownPolicyVersion(const std::string& version) {
  return absl::FailedPreconditionError(
      absl::StrCat("policy version ", version,
                   " was never recorded; record a policy before verifications that use it"));
}

absl::Status VerificationConflict(const std::string& id) {
  return absl::AlreadyExistsError(absl::StrCat(
      "verification ", id, " already exists with different content; use a new verification id"));
}

absl::Status VerificationNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("verification ", id, " not found"));
}

}  // namespace bulwark::verifier::store_rules
