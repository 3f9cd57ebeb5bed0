// File: services/verifier/store/pg_paging.h
//
// The PostgreSQL queries the verifier's two stores share for tables of records keyed by
// (created, verification_id) with a task_id column (verifier.verifications,
// verifier.attestations), and their single-record lookups:
//   - SelectFirst: the first row of a query, mapped to a record, in a read-only transaction;
//   - SelectNewestFirst: one keyset page, newest first, for a task filter and after a cursor
//     (record_rules.h), fetching one row more than the page so FinishPage can tell whether
//     there is a next page;
//   - DeleteOldestBatch: one bounded batch of expiry, oldest first by a time column.
// Each runs in its own transaction from the pool, with the caller's deadline; arguments are
// validated by the caller (record_rules.h) before these are called.
//
// Thread-safety: as the pool: safe to call concurrently.
// Errors: those of pg::RunTransaction (DEADLINE_EXCEEDED, UNAVAILABLE, INTERNAL, ...).

#ifndef BULWARK_SERVICES_VERIFIER_STORE_PG_PAGING_H_
#define BULWARK_SERVICES_VERIFIER_STORE_PG_PAGING_H_

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/pg/pool.h"
#include "libraries/pg/transaction.h"
#include "services/verifier/store/record_rules.h"

namespace bulwark::verifier::pg_paging {

// The first row `sql` returns for `params`, mapped by `from_row`; nullopt when it returns none.
// Runs in a read-only transaction named `transaction`.
template <typename Record, typename... Params>
absl::StatusOr<std::optional<Record>> SelectFirst(pg::ConnectionPool& pool,
                                                  const std::string& transaction,
                                                  absl::Time deadline,
                                                  Record (*from_row)(const pqxx::row&),
                                                  const std::string& sql, const Params&... params) {
  std::optional<Record> found;
  absl::Status s = pg::RunTransaction(
      pool, pg::TransactionOptions::Named(deadline, transaction, /*read_only=*/true),
      [&](pqxx::work& txn) {
        pqxx::result r = txn.exec_params(sql, params...);
        found.reset();
        if (!r.empty()) found = from_row(r[0]);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return found;
}

// What a newest-first page reads.
struct PageQuery {
  std::string table;        // schema-qualified, e.g. "verifier.attestations"
  std::string columns;      // the select list, in the order the row mapper reads
  std::string transaction;  // names the transaction in logs and errors
};

// Calls `take` with the rows of the page (at most `page_size` + 1 rows of `q.table` with
// task_id = `task_filter`, or every task's when it is empty, strictly after `cursor`, newest
// first). `take` may be called again with a fresh result if the transaction is retried.
absl::Status SelectNewestFirstRows(pg::ConnectionPool& pool, const PageQuery& q,
                                   const std::string& task_filter,
                                   const std::optional<record_rules::Cursor>& cursor, int page_size,
                                   absl::Time deadline,
                                   const std::function<void(const pqxx::result&)>& take);

// SelectNewestFirstRows, each row turned into a Record by `from_row`.
template <typename Record>
absl::StatusOr<std::vector<Record>> SelectNewestFirst(
    pg::ConnectionPool& pool, const PageQuery& q, const std::string& task_filter,
    const std::optional<record_rules::Cursor>& cursor, int page_size, absl::Time deadline,
    Record (*from_row)(const pqxx::row&)) {
  std::vector<Record> rows;
  absl::Status s = SelectNewestFirstRows(pool, q, task_filter, cursor, page_size, deadline,
                                         [&](const pqxx::result& result) {
                                           rows.clear();
                                           for (const pqxx::row& r : result) {
                                             rows.push_back(from_row(r));
                                           }
                                         });
  if (!s.ok()) return s;
  return rows;
}

// Deletes up to `limit` rows of `table` whose `time_column` is before `before`, oldest first
// (ties by verification_id), and returns how many this call removed. Rows a concurrent batch
// deletes first are waited for, then found gone and skipped, so the count is exact.
absl::StatusOr<int> DeleteOldestBatch(pg::ConnectionPool& pool, const std::string& table,
                                      const std::string& time_column, absl::Time before, int limit,
                                      absl::Time deadline, const std::string& transaction);

}  // namespace bulwark::verifier::pg_paging

#endif  // BULWARK_SERVICES_VERIFIER_STORE_PG_PAGING_H_
