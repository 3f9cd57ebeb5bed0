#include "services/verifier/store/verifier_store_rules.h"

#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/encoding.h"

namespace bulwark::verifier::store_rules {
namespace {

using record_rules::ValidateTime;

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

absl::Status ValidateVerification(const VerificationRecord& v) {
  if (absl::Status s = record_rules::ValidateVerificationId(v.verification_id); !s.ok()) return s;
  if (v.task_id.empty()) return absl::InvalidArgumentError("task_id must be set");
  if (absl::Status s = record_rules::ValidateTaskId(v.task_id, false); !s.ok()) return s;
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
