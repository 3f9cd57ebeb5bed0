// File: services/verifier/store/attestation_store.h
//
// AttestationStore: where the verifier keeps the signed attestations it issues for passed
// verifications (libraries/attest; docs/attestations.md), as an interface.
// PostgresAttestationStore (postgres_attestation_store.h) is the real one, over the
// `verifier.attestations` table; InMemoryAttestationStore (in_memory_attestation_store.h) is a
// testonly fake; attestation_store_conformance.h runs the same tests against both.
//
// One record per passed verification that had artifacts to attest, keyed by its verification
// id: the task and run it attests, the id of the key that signed it, the DSSE envelope as issued
// (opaque bytes to the store) and when it expires. Records are written once and only ever removed
// by expiry. There is no foreign key to the verification: attestations usually outlive the
// verification records (which expire sooner), and the envelope is self-contained.
//
// Listing pages newest first, by (created, verification_id) descending, with an opaque
// continuation token (keyset paging, bound to the task filter), exactly like
// VerifierStore::ListVerifications.
//
// Thread-safety: implementations are safe for concurrent use, also across processes sharing one
// database. Errors (every method): INVALID_ARGUMENT for malformed input (the message names the
// field), DEADLINE_EXCEEDED when `deadline` has passed or passes during the call, UNAVAILABLE when
// the database cannot be reached. Per method as documented below.
// CANCELLED, nothing written, from every method that changes something when the thread's
// CallScope says the caller has gone (libraries/call/call_scope.h).

#ifndef BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_H_
#define BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulwark::verifier {

// Times are kept to the microsecond.
struct AttestationRecord {
  // The verification it attests: 1-64 characters of [A-Za-z0-9_-].
  std::string verification_id;
  // The attested task: 1-64 characters of [A-Za-z0-9_-].
  std::string task_id;
  // The attested run (>= 0).
  int run_id = 0;
  // The signing key's id: 1-64 characters of [A-Za-z0-9._:-].
  std::string key_id;
  // The DSSE envelope JSON, non-empty, at most kMaxEnvelopeBytes.
  std::string envelope;
  absl::Time created;
  // After `created`.
  absl::Time expires;

  friend bool operator==(const AttestationRecord& a, const AttestationRecord& b);
  friend bool operator!=(const AttestationRecord& a, const AttestationRecord& b) {
    return !(a == b);
  }
};

struct AttestationPage {
  std::vector<AttestationRecord> attestations;  // newest first
  std::string continuation_token;               // empty when this page is the last
};

class AttestationStore {
 public:
  static constexpr int kMaxPageSize = 1000;
  static constexpr int kMaxExpireBatch = 10000;
  static constexpr size_t kMaxEnvelopeBytes = 4 << 20;  // 4 MiB

  virtual ~AttestationStore() = default;

  // Stores an attestation and returns it as stored. Storing an identical record again succeeds
  // (a retried call); a different record under the same verification id is ALREADY_EXISTS.
  virtual absl::StatusOr<AttestationRecord> InsertAttestation(const AttestationRecord& record,
                                                              absl::Time deadline) = 0;
  // The newest attestation of `task_id` (greatest created, then verification id). NOT_FOUND when
  // it has none (never attested, or expired).
  virtual absl::StatusOr<AttestationRecord> LatestAttestation(const std::string& task_id,
                                                              absl::Time deadline) = 0;
  // Attestations of `task_id` (all tasks when empty), newest first, at most `page_size`
  // (1..kMaxPageSize). INVALID_ARGUMENT for a token this store did not issue for this filter.
  virtual absl::StatusOr<AttestationPage> ListAttestations(const std::string& task_id,
                                                           int page_size,
                                                           const std::string& continuation_token,
                                                           absl::Time deadline) = 0;
  // Deletes up to `limit` (1..kMaxExpireBatch) attestations whose `expires` is before `before`,
  // soonest-expiring first; returns how many it deleted.
  virtual absl::StatusOr<int> ExpireAttestations(absl::Time before, int limit,
                                                 absl::Time deadline) = 0;
  // For each key id that signed a stored attestation, the latest `expires` among them: an old
  // key's public half must stay published until then.
  virtual absl::StatusOr<std::map<std::string, absl::Time>> LatestExpiryByKey(
      absl::Time deadline) = 0;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_H_
