// File: services/verifier/store/postgres_attestation_store.h
//
// PostgresAttestationStore: AttestationStore over the `verifier.attestations` table
// (services/verifier/schema/migrations/0003_attestations.sql), connected as the runtime role
// bulwark_verifier, which may insert and delete rows but never update one. Every method is one
// transaction (pg::RunTransaction, bounded by the call's deadline). InsertAttestation inserts or
// compares with the row a concurrent caller committed; ExpireAttestations deletes one bounded
// batch.
//
// Thread-safety: safe for concurrent use. Errors: as AttestationStore; database failures as
// libraries/pg/errors.h maps them, never with SQL text.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_POSTGRES_ATTESTATION_STORE_H_
#define BULWARK_SERVICES_VERIFIER_STORE_POSTGRES_ATTESTATION_STORE_H_

#include <map>
#include <string>

#include "libraries/pg/pool.h"
#include "services/verifier/store/attestation_store.h"

namespace bulwark::verifier {

class PostgresAttestationStore final : public AttestationStore {
 public:
  explicit PostgresAttestationStore(pg::ConnectionPool& pool) : pool_(pool) {}

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

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_POSTGRES_ATTESTATION_STORE_H_
