#include "services/verifier/store/postgres_attestation_store.h"

#include <optional>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"
#include "libraries/status/status_macros.h"
#include "services/verifier/store/attestation_store_rules.h"
#include "services/verifier/store/pg_paging.h"

namespace bulwark::verifier {
namespace {

namespace rules = attestation_rules;
namespace records = record_rules;
using pg::Micros;
using pg::MicrosOf;
using pg::TimeFromMicros;
using pg::TimestampParam;

const std::string& Columns() {
  static const std::string* const columns =
      new std::string(absl::StrCat("verification_id, task_id, run_id, key_id, envelope, ",
                                   MicrosOf("created"), ", ", MicrosOf("expires")));
  return *columns;
}

AttestationRecord FromRow(const pqxx::row& r) {
  AttestationRecord a;
  a.verification_id = r[0].as<std::string>();
  a.task_id = r[1].as<std::string>();
  a.run_id = r[2].as<int>();
  a.key_id = r[3].as<std::string>();
  a.envelope = pqxx::binarystring(r[4]).str();
  a.created = TimeFromMicros(r[5]);
  a.expires = TimeFromMicros(r[6]);
  return a;
}

const char kNewestFirst[] = " ORDER BY created DESC, verification_id DESC";

}  // namespace

absl::StatusOr<AttestationRecord> PostgresAttestationStore::InsertAttestation(
    const AttestationRecord& record, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(rules::ValidateAttestation(record));
  AttestationRecord wanted = record;
  wanted.created = records::ToMicros(wanted.created);
  wanted.expires = records::ToMicros(wanted.expires);
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "insert attestation"),
      [&](pqxx::work& txn) -> absl::Status {
        pqxx::result inserted = txn.exec_params(
            absl::StrCat("INSERT INTO verifier.attestations (verification_id, task_id, run_id, "
                         "key_id, envelope, created, expires) VALUES ($1, $2, $3, $4, $5, ",
                         TimestampParam(6), ", ", TimestampParam(7),
                         ") ON CONFLICT (verification_id) DO NOTHING RETURNING 1"),
            wanted.verification_id, wanted.task_id, wanted.run_id, wanted.key_id,
            pqxx::binarystring(wanted.envelope), Micros(wanted.created), Micros(wanted.expires));
        if (!inserted.empty()) return absl::OkStatus();
        // Taken, perhaps by a concurrent call: identical content is a retried call.
        pqxx::result existing = txn.exec_params(
            "SELECT " + Columns() + " FROM verifier.attestations WHERE verification_id = $1",
            wanted.verification_id);
        if (existing.empty() || FromRow(existing[0]) != wanted) {
          return rules::Conflict(wanted.verification_id);
        }
        return absl::OkStatus();
      }));
  return wanted;
}

absl::StatusOr<AttestationRecord> PostgresAttestationStore::LatestAttestation(
    const std::string& task_id, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(records::ValidateTaskId(task_id, false));
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<AttestationRecord> found,
      pg_paging::SelectFirst(pool_, "get attestation", deadline, &FromRow,
                             "SELECT " + Columns() +
                                 " FROM verifier.attestations WHERE task_id = $1" + kNewestFirst +
                                 " LIMIT 1",
                             task_id));
  if (!found) return rules::NotFound(task_id);
  return *found;
}

absl::StatusOr<AttestationPage> PostgresAttestationStore::ListAttestations(
    const std::string& task_id, int page_size, const std::string& continuation_token,
    absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<records::Cursor> cursor,
                           records::StartPage(rules::kTokenFormat, task_id, page_size,
                                              AttestationStore::kMaxPageSize, continuation_token));
  AttestationPage page;
  BULWARK_ASSIGN_OR_RETURN(
      page.attestations,
      pg_paging::SelectNewestFirst(pool_, {"verifier.attestations", Columns(), "list attestations"},
                                   task_id, cursor, page_size, deadline, &FromRow));
  page.continuation_token =
      records::FinishPage(page.attestations, page_size, rules::kTokenFormat, task_id);
  return page;
}

absl::StatusOr<int> PostgresAttestationStore::ExpireAttestations(absl::Time before, int limit,
                                                                 absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(
      records::ValidateExpiry(before, limit, AttestationStore::kMaxExpireBatch));
  return pg_paging::DeleteOldestBatch(pool_, "verifier.attestations", "expires", before, limit,
                                      deadline, "expire attestations");
}

absl::StatusOr<std::map<std::string, absl::Time>> PostgresAttestationStore::LatestExpiryByKey(
    absl::Time deadline) {
  std::map<std::string, absl::Time> out;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "latest expiry by key", true),
      [&](pqxx::work& txn) {
        out.clear();
        for (const pqxx::row& r : txn.exec("SELECT key_id, " + MicrosOf("max(expires)") +
                                           " FROM verifier.attestations GROUP BY key_id")) {
          out[r[0].as<std::string>()] = TimeFromMicros(r[1]);
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace bulwark::verifier
