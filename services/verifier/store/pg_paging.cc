#include "services/verifier/store/pg_paging.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"

namespace bulwark::verifier::pg_paging {

absl::Status SelectNewestFirstRows(pg::ConnectionPool& pool, const PageQuery& q,
                                   const std::string& task_filter,
                                   const std::optional<record_rules::Cursor>& cursor, int page_size,
                                   absl::Time deadline,
                                   const std::function<void(const pqxx::result&)>& take) {
  // $1 limit, $2 task id (NULL: all tasks), $3/$4 the cursor (NULL: first page). A filter is
  // written out only when it applies (else its parameters are only typed), so the planner sees
  // plain index conditions.
  std::string sql = absl::StrCat(
      "SELECT ", q.columns, " FROM ", q.table, " WHERE ",
      task_filter.empty() ? "$2::text IS NULL" : "task_id = $2", " AND ",
      cursor ? absl::StrCat("(created, verification_id) < (", pg::TimestampParam(3), ", $4)")
             : "$3::bigint IS NULL AND $4::text IS NULL",
      " ORDER BY created DESC, verification_id DESC LIMIT $1");
  std::optional<std::string> task_param;
  if (!task_filter.empty()) task_param = task_filter;
  std::optional<int64_t> created_param;
  std::optional<std::string> id_param;
  if (cursor) {
    created_param = pg::Micros(cursor->created);
    id_param = cursor->verification_id;
  }
  return pg::RunTransaction(
      pool, pg::TransactionOptions::Named(deadline, q.transaction, /*read_only=*/true),
      [&](pqxx::work& txn) {
        take(txn.exec_params(sql, page_size + 1, task_param, created_param, id_param));
        return absl::OkStatus();
      });
}

absl::StatusOr<int> DeleteOldestBatch(pg::ConnectionPool& pool, const std::string& table,
                                      const std::string& time_column, absl::Time before, int limit,
                                      absl::Time deadline, const std::string& transaction) {
  const std::string sql =
      absl::StrCat("DELETE FROM ", table, " WHERE verification_id IN (SELECT verification_id FROM ",
                   table, " WHERE ", time_column, " < ", pg::TimestampParam(1), " ORDER BY ",
                   time_column, ", verification_id LIMIT $2) RETURNING 1");
  int deleted = 0;
  absl::Status s = pg::RunTransaction(
      pool, pg::TransactionOptions::Named(deadline, transaction), [&](pqxx::work& txn) {
        pqxx::result r = txn.exec_params(sql, pg::Micros(before), limit);
        deleted = static_cast<int>(r.size());
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return deleted;
}

}  // namespace bulwark::verifier::pg_paging
