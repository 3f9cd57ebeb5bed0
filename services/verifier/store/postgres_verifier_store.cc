#include "services/verifier/store/postgres_verifier_store.h"

#include <optional>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"
#include "libraries/status/status_macros.h"
#include "services/verifier/store/pg_paging.h"
#include "services/verifier/store/verifier_store_rules.h"

namespace bulwark::verifier {
namespace {

namespace rules = store_rules;
namespace records = record_rules;
using pg::Micros;
using pg::MicrosOf;
using pg::TimeFromMicros;
using pg::TimestampParam;

const std::string& PolicyColumns() {
  static const std::string* const columns = new std::string(absl::StrCat(
      "version, sha256, document, ", MicrosOf("first_loaded"), ", ", MicrosOf("last_loaded")));
  return *columns;
}

PolicyRecord PolicyFromRow(const pqxx::row& r) {
  PolicyRecord p;
  p.version = r[0].as<std::string>();
  p.sha256 = r[1].as<std::string>();
  p.document = pqxx::binarystring(r[2]).str();
  p.first_loaded = TimeFromMicros(r[3]);
  p.last_loaded = TimeFromMicros(r[4]);
  return p;
}

const std::string& VerificationColumns() {
  static const std::string* const columns = new std::string(
      absl::StrCat("verification_id, task_id, task_type, verdict, policy_version, report, "
                   "checks_passed, checks_failed, ",
                   MicrosOf("created")));
  return *columns;
}

VerificationRecord VerificationFromRow(const pqxx::row& r) {
  VerificationRecord v;
  v.verification_id = r[0].as<std::string>();
  v.task_id = r[1].as<std::string>();
  v.task_type = r[2].as<std::string>();
  v.verdict = r[3].as<std::string>() == "PASS" ? VerificationRecord::Verdict::kPass
                                               : VerificationRecord::Verdict::kFail;
  v.policy_version = r[4].as<std::string>();
  v.report = pqxx::binarystring(r[5]).str();
  v.checks_passed = r[6].as<int>();
  v.checks_failed = r[7].as<int>();
  v.created = TimeFromMicros(r[8]);
  return v;
}

}  // namespace

absl::StatusOr<PolicyRecord> PostgresVerifierStore::RecordPolicy(const std::string& version,
                                                                 const std::string& sha256,
                                                                 const std::string& document,
                                                                 absl::Time loaded_at,
                                                                 absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(rules::ValidatePolicy(version, sha256, document, loaded_at));
  PolicyRecord stored;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "record policy"),
      [&](pqxx::work& txn) -> absl::Status {
        // One statement: a concurrent recorder of the same version is waited for, and a
        // different document is never overwritten (the WHERE leaves such a row alone and
        // returns nothing).
        pqxx::result r = txn.exec_params(
            absl::StrCat("INSERT INTO verifier.policy_versions AS p (version, sha256, document, "
                         "first_loaded, last_loaded) VALUES ($1, $2, $3, ",
                         TimestampParam(4), ", ", TimestampParam(4),
                         ") ON CONFLICT (version) DO UPDATE SET "
                         "first_loaded = LEAST(p.first_loaded, EXCLUDED.first_loaded), "
                         "last_loaded = GREATEST(p.last_loaded, EXCLUDED.last_loaded) "
                         "WHERE p.sha256 = EXCLUDED.sha256 RETURNING ",
                         MicrosOf("p.first_loaded"), ", ", MicrosOf("p.last_loaded")),
            version, sha256, pqxx::binarystring(document), Micros(loaded_at));
        if (r.empty()) return rules::PolicyConflict(version);
        stored = {version, sha256, document, TimeFromMicros(r[0][0]), TimeFromMicros(r[0][1])};
        return absl::OkStatus();
      }));
  return stored;
}

absl::StatusOr<PolicyRecord> PostgresVerifierStore::GetPolicy(const std::string& version,
                                                              absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(rules::ValidatePolicyVersion(version));
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<PolicyRecord> found,
      pg_paging::SelectFirst(
          pool_, "get policy", deadline, &PolicyFromRow,
          "SELECT " + PolicyColumns() + " FROM verifier.policy_versions WHERE version = $1",
          version));
  if (!found) return rules::PolicyNotFound(version);
  return *found;
}

absl::StatusOr<PolicyRecord> PostgresVerifierStore::LatestPolicy(absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<PolicyRecord> found,
      pg_paging::SelectFirst(pool_, "get latest policy", deadline, &PolicyFromRow,
                             "SELECT " + PolicyColumns() +
                                 " FROM verifier.policy_versions "
                                 "ORDER BY last_loaded DESC, version DESC LIMIT 1"));
  if (!found) return rules::NoPolicyRecorded();
  return *found;
}

absl::StatusOr<std::vector<PolicyRecord>> PostgresVerifierStore::ListPolicies(absl::Time deadline) {
  std::vector<PolicyRecord> policies;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "list policies", true), [&](pqxx::work& txn) {
        policies.clear();
        for (const pqxx::row& r :
             txn.exec("SELECT " + PolicyColumns() +
                      " FROM verifier.policy_versions ORDER BY last_loaded DESC, version DESC")) {
          policies.push_back(PolicyFromRow(r));
        }
        return absl::OkStatus();
      }));
  return policies;
}

absl::StatusOr<VerificationRecord> PostgresVerifierStore::InsertVerification(
    const VerificationRecord& verification, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(rules::ValidateVerification(verification));
  VerificationRecord wanted = verification;
  wanted.created = records::ToMicros(wanted.created);
  VerificationRecord stored;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "insert verification"),
      [&](pqxx::work& txn) -> absl::Status {
        // Policy versions are never deleted (the runtime role cannot), so this check cannot be
        // invalidated before the insert; the foreign key backs it anyway.
        if (txn.exec_params("SELECT 1 FROM verifier.policy_versions WHERE version = $1",
                            wanted.policy_version)
                .empty()) {
          return rules::UnknownPolicyVersion(wanted.policy_version);
        }
        pqxx::result inserted = txn.exec_params(
            absl::StrCat("INSERT INTO verifier.verifications (verification_id, task_id, "
                         "task_type, verdict, policy_version, report, checks_passed, "
                         "checks_failed, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ",
                         TimestampParam(9),
                         ") ON CONFLICT (verification_id) DO NOTHING RETURNING 1"),
            wanted.verification_id, wanted.task_id, wanted.task_type,
            std::string(VerdictName(wanted.verdict)), wanted.policy_version,
            pqxx::binarystring(wanted.report), wanted.checks_passed, wanted.checks_failed,
            Micros(wanted.created));
        if (!inserted.empty()) {
          stored = wanted;
          return absl::OkStatus();
        }
        // The id is taken (perhaps by a concurrent call that has just committed): identical
        // content is a retried call; anything else is a conflict.
        pqxx::result existing = txn.exec_params("SELECT " + VerificationColumns() +
                                                    " FROM verifier.verifications "
                                                    "WHERE verification_id = $1",
                                                wanted.verification_id);
        if (existing.empty() || VerificationFromRow(existing[0]) != wanted) {
          return rules::VerificationConflict(wanted.verification_id);
        }
        stored = wanted;
        return absl::OkStatus();
      }));
  return stored;
}

absl::StatusOr<VerificationRecord> PostgresVerifierStore::GetVerification(
    const std::string& verification_id, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(records::ValidateVerificationId(verification_id));
  BULWARK_ASSIGN_OR_RETURN(
      std::optional<VerificationRecord> found,
      pg_paging::SelectFirst(pool_, "get verification", deadline, &VerificationFromRow,
                             "SELECT " + VerificationColumns() +
                                 " FROM verifier.verifications WHERE verification_id = $1",
                             verification_id));
  if (!found) return rules::VerificationNotFound(verification_id);
  return *found;
}

absl::StatusOr<VerificationPage> PostgresVerifierStore::ListVerifications(
    const std::string& task_id, int page_size, const std::string& continuation_token,
    absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<records::Cursor> cursor,
                           records::StartPage(rules::kTokenFormat, task_id, page_size,
                                              VerifierStore::kMaxPageSize, continuation_token));
  VerificationPage page;
  BULWARK_ASSIGN_OR_RETURN(
      page.verifications,
      pg_paging::SelectNewestFirst(
          pool_, {"verifier.verifications", VerificationColumns(), "list verifications"}, task_id,
          cursor, page_size, deadline, &VerificationFromRow));
  page.continuation_token =
      records::FinishPage(page.verifications, page_size, rules::kTokenFormat, task_id);
  return page;
}

absl::StatusOr<int> PostgresVerifierStore::ExpireVerifications(absl::Time before, int limit,
                                                               absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(records::ValidateExpiry(before, limit, VerifierStore::kMaxExpireBatch));
  return pg_paging::DeleteOldestBatch(pool_, "verifier.verifications", "created", before, limit,
                                      deadline, "expire verifications");
}

}  // namespace bulwark::verifier
