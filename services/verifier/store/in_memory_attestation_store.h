// File: services/verifier/store/in_memory_attestation_store.h
//
// InMemoryAttestationStore (testonly): AttestationStore in memory, for unit tests of the verifier
// service. It validates, orders, pages and fails like PostgresAttestationStore (the conformance
// suite checks they agree); a call whose deadline is not after `clock.Now()` fails with
// DEADLINE_EXCEEDED before doing anything.
//
// Thread-safety: one mutex guards everything. Errors: as AttestationStore (never UNAVAILABLE).

#ifndef BULWARK_SERVICES_VERIFIER_STORE_IN_MEMORY_ATTESTATION_STORE_H_
#define BULWARK_SERVICES_VERIFIER_STORE_IN_MEMORY_ATTESTATION_STORE_H_

#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "libraries/clock/clock.h"
#include "services/verifier/store/attestation_store.h"

namespace bulwark::verifier {

class InMemoryAttestationStore final : public AttestationStore {
 public:
  explicit InMemoryAttestationStore(Clock& clock = Clock::Real()) : clock_(clock) {}

  absl::StatusOr<AttestationRecord> InsertAttestation(const AttestationRecord& record,
                                                      absl::Time deadline) override;
  absl::StatusOr<AttestationRecord> LatestAttestation(const std::string& task_id,
                                                      absl::Time deadline) override;
  absl::StatusOr<AttestationPage> ListAttestations(const std::string& task_id, int page_size,
                                                   const std::string& continuation_token,
                                                   absl::Time deadline) override;
  absl::StatusOr<int> ExpireAttestations(absl::Time before, int limit,
                                         absl::Time deadline) override;
  absl::StatusOr<std::map<std::string, absl::Time>> LatestExpiryByKey(absl::Time deadline) override;

  // How many records are stored (tests).
  size_t size() const;

 private:
  absl::Status CheckDeadline(absl::Time deadline, const char* operation) const;

  Clock& clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, AttestationRecord> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_IN_MEMORY_ATTESTATION_STORE_H_
