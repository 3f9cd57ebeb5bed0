// File: services/verifier/store/in_memory_verifier_store.h
//
// InMemoryVerifierStore (testonly): VerifierStore in memory, for unit tests of the verifier
// service. It validates, orders, pages and fails exactly like PostgresVerifierStore (the
// conformance suite checks they agree); a call whose deadline is not after `clock.Now()`
// fails with DEADLINE_EXCEEDED before doing anything, as a database transaction would.
//
// Thread-safety: one mutex guards everything; safe for concurrent use.
// Errors: as VerifierStore (never UNAVAILABLE).

#ifndef BULWARK_SERVICES_VERIFIER_STORE_IN_MEMORY_VERIFIER_STORE_H_
#define BULWARK_SERVICES_VERIFIER_STORE_IN_MEMORY_VERIFIER_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libraries/clock/clock.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier {

class InMemoryVerifierStore final : public VerifierStore {
 public:
  // `clock` is what deadlines are compared with (they are wall-clock times in production).
  explicit InMemoryVerifierStore(Clock& clock = Clock::Real()) : clock_(clock) {}

  absl::StatusOr<PolicyRecord> RecordPolicy(const std::string& version, const std::string& sha256,
                                            const std::string& document, absl::Time loaded_at,
                                            absl::Time deadline) override;
  absl::StatusOr<PolicyRecord> GetPolicy(const std::string& version, absl::Time deadline) override;
  absl::StatusOr<PolicyRecord> LatestPolicy(absl::Time deadline) override;
  absl::StatusOr<std::vector<PolicyRecord>> ListPolicies(absl::Time deadline) override;
  absl::StatusOr<VerificationRecord> InsertVerification(const VerificationRecord& verification,
                                                        absl::Time deadline) override;
  absl::StatusOr<VerificationRecord> GetVerification(const std::string& verification_id,
                                                     absl::Time deadline) override;
  absl::StatusOr<VerificationPage> ListVerifications(const std::string& task_id, int page_size,
                                                     const std::string& continuation_token,
                                                     absl::Time deadline) override;
  absl::StatusOr<int> ExpireVerifications(absl::Time before, int limit,
                                          absl::Time deadline) override;

 private:
  absl::Status CheckDeadline(absl::Time deadline, const char* operation) const;

  Clock& clock_;
  absl::Mutex mu_;
  std::map<std::string, PolicyRecord> policies_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, VerificationRecord> verifications_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_IN_MEMORY_VERIFIER_STORE_H_
