// File: services/verifier/store/verifier_store_rules.h
//
// The rules every VerifierStore shares, so that the PostgreSQL store and the in-memory fake
// accept, refuse and page exactly alike: input validation (with the messages callers see),
// the continuation token format, and the errors for conflicts and misses.
//
// Continuation token: URL-safe base64 of "v1|<task filter>|<created µs>|<verification id>",
// naming the last row of the previous page. Callers must treat it as opaque; the store checks
// it was issued for the same task filter.
//
// Thread-safety: pure functions.
// Errors: the Validate* functions return INVALID_ARGUMENT naming the field and the rule;
// DecodePageToken returns INVALID_ARGUMENT for a token this store would not have issued.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_RULES_H_
#define BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_RULES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier::store_rules {

// RecordPolicy's arguments, including that `sha256` is the SHA-256 of `document`.
absl::Status ValidatePolicy(const std::string& version, const std::string& sha256,
                            const std::string& document, absl::Time loaded_at);
absl::Status ValidatePolicyVersion(const std::string& version);
// Every field of a verification, and that a PASS has passed checks and no failed one.
absl::Status ValidateVerification(const VerificationRecord& verification);
absl::Status ValidateVerificationId(const std::string& verification_id);
// A task id to filter on; empty (all tasks) is allowed.
absl::Status ValidateTaskFilter(const std::string& task_id);
absl::Status ValidatePageSize(int page_size);
absl::Status ValidateExpiry(absl::Time before, int limit);

// `t` truncated to the microsecond, the precision the database keeps.
absl::Time ToMicros(absl::Time t);

// Where a page starts: strictly older than (created, verification_id).
struct Cursor {
  absl::Time created;
  std::string verification_id;
};
std::string EncodePageToken(const std::string& task_filter, const Cursor& last);
// nullopt for an empty token (the first page).
absl::StatusOr<std::optional<Cursor>> DecodePageToken(const std::string& task_filter,
                                                      const std::string& token);
// Whether `v` comes strictly after `cursor` in newest-first order.
bool After(const VerificationRecord& v, const Cursor& cursor);
// Newest-first order: created descending, then verification_id descending (bytewise).
bool NewerFirst(const VerificationRecord& a, const VerificationRecord& b);
// LatestPolicy's order: last_loaded descending, then version descending (bytewise).
bool LatestFirst(const PolicyRecord& a, const PolicyRecord& b);

// The errors both stores report.
absl::Status PolicyConflict(const std::string& version);        // FAILED_PRECONDITION
absl::Status PolicyNotFound(const std::string& version);        // NOT_FOUND
absl::Status NoPolicyRecorded();                                // NOT_FOUND
absl::Status UnknownPolicyVersion(const std::string& version);  // FAILED_PRECONDITION
absl::Status VerificationConflict(const std::string& id);       // ALREADY_EXISTS
absl::Status VerificationNotFound(const std::string& id);       // NOT_FOUND

}  // namespace bulwark::verifier::store_rules

#endif  // BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_RULES_H_
