// File: services/verifier/store/attestation_store_rules.h
//
// The rules both AttestationStores share, so that PostgreSQL and the in-memory fake accept,
// refuse and page alike: validation (with the messages callers see), the continuation token
// (URL-safe base64 of "a1|<task filter>|<created µs>|<verification id>"), ordering and errors.
//
// Thread-safety: pure functions. Errors: Validate* return INVALID_ARGUMENT naming the field;
// DecodeAttestationToken returns INVALID_ARGUMENT for a token this store would not have issued.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_RULES_H_
#define BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_RULES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/verifier/store/attestation_store.h"

namespace bulwark::verifier::attestation_rules {

absl::Status ValidateAttestation(const AttestationRecord& record);
// A task id to look up or filter on; `allow_empty` for a filter (all tasks).
absl::Status ValidateTaskId(const std::string& task_id, bool allow_empty);
absl::Status ValidatePageSize(int page_size);
absl::Status ValidateExpiry(absl::Time before, int limit);

absl::Time ToMicros(absl::Time t);

struct Cursor {
  absl::Time created;
  std::string verification_id;
};
std::string EncodeToken(const std::string& task_filter, const Cursor& last);
absl::StatusOr<std::optional<Cursor>> DecodeToken(const std::string& task_filter,
                                                  const std::string& token);
// Newest first: created descending, then verification_id descending (bytewise).
bool NewerFirst(const AttestationRecord& a, const AttestationRecord& b);
// Whether `r` comes strictly after `cursor` in newest-first order.
bool After(const AttestationRecord& r, const Cursor& cursor);

absl::Status Conflict(const std::string& verification_id);  // ALREADY_EXISTS
absl::Status NotFound(const std::string& task_id);          // NOT_FOUND

}  // namespace bulwark::verifier::attestation_rules

#endif  // BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_RULES_H_
