// File: services/verifier/store/postgres_verifier_store.h
//
// PostgresVerifierStore: VerifierStore over the `verifier` schema (services/verifier/schema),
// connected as the runtime role bulwark_verifier. Every method is one transaction
// (pg::RunTransaction, bounded by the call's deadline). Concurrency comes from single
// statements: RecordPolicy is one INSERT … ON CONFLICT that refuses other content, so racing
// loaders of one version agree on a single document; InsertVerification inserts or compares
// with the row a concurrent caller committed; ExpireVerifications deletes one bounded batch
// (SKIP LOCKED is not available: it needs UPDATE rights the runtime role deliberately lacks, so
// a concurrent batch is waited for and its rows, already gone, are not counted again).
//
// The schema backs the store's rules: CHECK constraints repeat the validation, the policy
// version of a verification is a foreign key, and the runtime role cannot change a policy's
// document or a verification once written (only policy load times are updatable).
//
// Thread-safety: safe for concurrent use. Errors: as VerifierStore; database failures as
// libraries/pg/errors.h maps them, never with SQL text.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_POSTGRES_VERIFIER_STORE_H_
#define BULWARK_SERVICES_VERIFIER_STORE_POSTGRES_VERIFIER_STORE_H_

#include <string>
#include <vector>

#include "libraries/pg/pool.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier {

class PostgresVerifierStore final : public VerifierStore {
 public:
  explicit PostgresVerifierStore(pg::ConnectionPool& pool) : pool_(pool) {}

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
  pg::ConnectionPool& pool_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_POSTGRES_VERIFIER_STORE_H_
