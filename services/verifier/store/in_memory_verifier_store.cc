#include "services/verifier/store/in_memory_verifier_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/status/status_macros.h"
#include "services/verifier/store/verifier_store_rules.h"

namespace bulwark::verifier {

namespace rules = store_rules;
namespace records = record_rules;

absl::Status InMemoryVerifierStore::CheckDeadline(absl::Time deadline,
                                                  const char* operation) const {
  if (deadline <= clock_.Now()) {
    return absl::DeadlineExceededError(
        absl::StrCat(operation, ": the call's deadline passed before it could finish"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PolicyRecord> InMemoryVerifierStore::RecordPolicy(const std::string& version,
                                                                 const std::string& sha256,
                                                                 const std::string& document,
                                                                 absl::Time loaded_at,
                                                                 absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("record policy"));  // call_scope.h
  BULWARK_RETURN_IF_ERROR(rules::ValidatePolicy(version, sha256, document, loaded_at));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "record policy"));
  absl::Time at = records::ToMicros(loaded_at);
  absl::MutexLock lock(&mu_);
  auto it = policies_.find(version);
  if (it == policies_.end()) {
    return policies_.emplace(version, PolicyRecord{version, sha256, document, at, at})
        .first->second;
  }
  PolicyRecord& stored = it->second;
  if (stored.sha256 != sha256) return rules::PolicyConflict(version);
  stored.first_loaded = std::min(stored.first_loaded, at);
  stored.last_loaded = std::max(stored.last_loaded, at);
  return stored;
}

absl::StatusOr<PolicyRecord> InMemoryVerifierStore::GetPolicy(const std::string& version,
                                                              absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(rules::ValidatePolicyVersion(version));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "get policy"));
  absl::MutexLock lock(&mu_);
  auto it = policies_.find(version);
  if (it == policies_.end()) return rules::PolicyNotFound(version);
  return it->second;
}

absl::StatusOr<PolicyRecord> InMemoryVerifierStore::LatestPolicy(absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(std::vector<PolicyRecord> all, ListPolicies(deadline));
  if (all.empty()) return rules::NoPolicyRecorded();
  return all.front();
}

absl::StatusOr<std::vector<PolicyRecord>> InMemoryVerifierStore::ListPolicies(absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "list policies"));
  std::vector<PolicyRecord> all;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [version, record] : policies_) all.push_back(record);
  }
  std::sort(all.begin(), all.end(), rules::LatestFirst);
  return all;
}

absl::StatusOr<VerificationRecord> InMemoryVerifierStore::InsertVerification(
    const VerificationRecord& verification, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("insert verification"));  // call_scope.h
  BULWARK_RETURN_IF_ERROR(rules::ValidateVerification(verification));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "insert verification"));
  VerificationRecord stored = verification;
  stored.created = records::ToMicros(stored.created);
  absl::MutexLock lock(&mu_);
  if (policies_.count(stored.policy_version) == 0) {
    return rules::UnknownPolicyVersion(stored.policy_version);
  }
  auto [it, inserted] = verifications_.emplace(stored.verification_id, stored);
  if (!inserted && it->second != stored) {
    return rules::VerificationConflict(stored.verification_id);
  }
  return it->second;
}

absl::StatusOr<VerificationRecord> InMemoryVerifierStore::GetVerification(
    const std::string& verification_id, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(records::ValidateVerificationId(verification_id));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "get verification"));
  absl::MutexLock lock(&mu_);
  auto it = verifications_.find(verification_id);
  if (it == verifications_.end()) return rules::VerificationNotFound(verification_id);
  return it->second;
}

absl::StatusOr<VerificationPage> InMemoryVerifierStore::ListVerifications(
    const std::string& task_id, int page_size, const std::string& continuation_token,
    absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<records::Cursor> cursor,
                           records::StartPage(rules::kTokenFormat, task_id, page_size,
                                              VerifierStore::kMaxPageSize, continuation_token));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "list verifications"));
  VerificationPage page;
  absl::MutexLock lock(&mu_);
  page.continuation_token = records::TakePage(verifications_, rules::kTokenFormat, task_id, cursor,
                                              page_size, page.verifications);
  return page;
}

absl::StatusOr<int> InMemoryVerifierStore::ExpireVerifications(absl::Time before, int limit,
                                                               absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("expire verifications"));  // call_scope.h
  BULWARK_RETURN_IF_ERROR(records::ValidateExpiry(before, limit, VerifierStore::kMaxExpireBatch));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "expire verifications"));
  absl::MutexLock lock(&mu_);
  std::vector<const VerificationRecord*> expired;
  for (const auto& [id, v] : verifications_) {
    if (v.created < before) expired.push_back(&v);
  }
  std::sort(expired.begin(), expired.end(),
            [](const VerificationRecord* a, const VerificationRecord* b) {
              return records::NewerFirst(*b, *a);
            });
  if (static_cast<int>(expired.size()) > limit) expired.resize(limit);
  std::vector<std::string> ids;
  for (const VerificationRecord* v : expired) ids.push_back(v->verification_id);
  for (const std::string& id : ids) verifications_.erase(id);
  return static_cast<int>(ids.size());
}

}  // namespace bulwark::verifier
