#include "services/verifier/store/verifier_store.h"

#include <tuple>

namespace bulwark::verifier {

absl::string_view VerdictName(VerificationRecord::Verdict verdict) {
  return verdict == VerificationRecord::Verdict::kPass ? "PASS" : "FAIL";
}

bool operator==(const PolicyRecord& a, const PolicyRecord& b) {
  return std::tie(a.version, a.sha256, a.document, a.first_loaded, a.last_loaded) ==
         std::tie(b.version, b.sha256, b.document, b.first_loaded, b.last_loaded);
}

bool operator==(const VerificationRecord& a, const VerificationRecord& b) {
  return std::tie(a.verification_id, a.task_id, a.task_type, a.verdict, a.policy_version, a.report,
                  a.checks_passed, a.checks_failed, a.created) ==
         std::tie(b.verification_id, b.task_id, b.task_type, b.verdict, b.policy_version, b.report,
                  b.checks_passed, b.checks_failed, b.created);
}

}  // namespace bulwark::verifier
