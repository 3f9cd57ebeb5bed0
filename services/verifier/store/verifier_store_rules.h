// File: services/verifier/store/verifier_store_rules.h
//
// The rules every VerifierStore shares, so that the PostgreSQL store and the in-memory fake
// accept, refuse and page exactly alike: input validation (with the messages callers see),
// the continuation token format, and the errors for conflicts and misses. What the
// AttestationStore shares too (ids, times, bounds, the token, newest-first order) is in
// record_rules.h; kTokenFormat is this store's tag in the continuation token.
//
// Thread-safety: pure functions.
// Errors: the Validate* functions return INVALID_ARGUMENT naming the field and the rule;
// record_rules::DecodeToken returns INVALID_ARGUMENT for a token this store would not have issued.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_RULES_H_
#define BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_RULES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/verifier/store/record_rules.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier::store_rules {

// RecordPolicy's arguments, including that `sha256` is the SHA-256 of `document`.
absl::Status ValidatePolicy(const std::string& version, const std::string& sha256,
                            const std::string& document, absl::Time loaded_at);
absl::Status ValidatePolicyVersion(const std::string& version);
// Every field of a verification, and that a PASS has passed checks and no failed one.
absl::Status ValidateVerification(const VerificationRecord& verification);

// The continuation token's format tag (record_rules::EncodeToken).
inline constexpr char kTokenFormat[] = "v1";

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
