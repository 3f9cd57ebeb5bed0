// File: services/verifier/store/attestation_store_rules.h
//
// The rules both AttestationStores share, so that PostgreSQL and the in-memory fake accept,
// refuse and page alike: an attestation's validation (with the messages callers see) and the
// errors. What the VerifierStore shares too (ids, times, bounds, the continuation token,
// newest-first order) is in record_rules.h; kTokenFormat is this store's tag in the token
// ("a1|<task filter>|<created µs>|<verification id>", URL-safe base64).
//
// Thread-safety: pure functions. Errors: ValidateAttestation returns INVALID_ARGUMENT naming the
// field.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_RULES_H_
#define BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "services/verifier/store/attestation_store.h"
#include "services/verifier/store/record_rules.h"

namespace bulwark::verifier::attestation_rules {

absl::Status ValidateAttestation(const AttestationRecord& record);

// The continuation token's format tag (record_rules::EncodeToken).
inline constexpr char kTokenFormat[] = "a1";

absl::Status Conflict(const std::string& verification_id);  // ALREADY_EXISTS
absl::Status NotFound(const std::string& task_id);          // NOT_FOUND

}  // namespace bulwark::verifier::attestation_rules

#endif  // BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_RULES_H_
