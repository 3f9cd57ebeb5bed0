#include "services/verifier/store/in_memory_attestation_store.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/status/status_macros.h"
#include "services/verifier/store/attestation_store_rules.h"

namespace bulwark::verifier {

namespace rules = attestation_rules;
namespace records = record_rules;

absl::Status InMemoryAttestationStore::CheckDeadline(absl::Time deadline,
                                                     const char* operation) const {
  if (deadline <= clock_.Now()) {
    return absl::DeadlineExceededError(
        absl::StrCat(operation, ": the call's deadline passed before it could finish"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AttestationRecord> InMemoryAttestationStore::InsertAttestation(
    const AttestationRecord& record, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("insert attestation"));  // call_scope.h
  BULWARK_RETURN_IF_ERROR(rules::ValidateAttestation(record));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "insert attestation"));
  AttestationRecord wanted = record;
  wanted.created = records::ToMicros(wanted.created);
  wanted.expires = records::ToMicros(wanted.expires);
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = records_.emplace(wanted.verification_id, wanted);
  if (!inserted && it->second != wanted) return rules::Conflict(wanted.verification_id);
  return wanted;
}

absl::StatusOr<AttestationRecord> InMemoryAttestationStore::LatestAttestation(
    const std::string& task_id, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(records::ValidateTaskId(task_id, false));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "get attestation"));
  absl::MutexLock lock(&mu_);
  const AttestationRecord* best = nullptr;
  for (const auto& [id, r] : records_) {
    if (r.task_id == task_id && (best == nullptr || records::NewerFirst(r, *best))) best = &r;
  }
  if (best == nullptr) return rules::NotFound(task_id);
  return *best;
}

absl::StatusOr<AttestationPage> InMemoryAttestationStore::ListAttestations(
    const std::string& task_id, int page_size, const std::string& continuation_token,
    absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<records::Cursor> cursor,
                           records::StartPage(rules::kTokenFormat, task_id, page_size,
                                              AttestationStore::kMaxPageSize, continuation_token));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "list attestations"));
  AttestationPage page;
  absl::MutexLock lock(&mu_);
  page.continuation_token = records::TakePage(records_, rules::kTokenFormat, task_id, cursor,
                                              page_size, page.attestations);
  return page;
}

absl::StatusOr<int> InMemoryAttestationStore::ExpireAttestations(absl::Time before, int limit,
                                                                 absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("expire attestations"));  // call_scope.h
  BULWARK_RETURN_IF_ERROR(
      records::ValidateExpiry(before, limit, AttestationStore::kMaxExpireBatch));
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "expire attestations"));
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<absl::Time, std::string>> expired;
  for (const auto& [id, r] : records_) {
    if (r.expires < before) expired.emplace_back(r.expires, id);
  }
  std::sort(expired.begin(), expired.end());
  if (static_cast<int>(expired.size()) > limit) expired.resize(limit);
  for (const auto& e : expired) records_.erase(e.second);
  return static_cast<int>(expired.size());
}

absl::StatusOr<std::map<std::string, absl::Time>> InMemoryAttestationStore::LatestExpiryByKey(
    absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckDeadline(deadline, "latest expiry by key"));
  absl::MutexLock lock(&mu_);
  std::map<std::string, absl::Time> out;
  for (const auto& [id, r] : records_) {
    auto [it, inserted] = out.emplace(r.key_id, r.expires);
    if (!inserted) it->second = std::max(it->second, r.expires);
  }
  return out;
}

size_t InMemoryAttestationStore::size() const {
  absl::MutexLock lock(&mu_);
  return records_.size();
}

}  // namespace bulwark::verifier
