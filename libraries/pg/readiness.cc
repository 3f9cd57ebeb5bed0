#include "libraries/pg/readiness.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/pg/connection_safety.h"
#include "libraries/pg/errors.h"

namespace bulwark::pg {

absl::Status SchemaReadiness(ConnectionPool& pool, const MigrationSet& set,
                             absl::Duration timeout) {
  auto lease = pool.Acquire(absl::Now() + timeout);
  if (!lease.ok()) return lease.status();
  SocketDeadline guard(lease->connection(), absl::Now() + timeout);
  try {
    pqxx::read_transaction txn(lease->connection());
    txn.exec(absl::StrCat("SET LOCAL statement_timeout = ",
                          std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout))));
    pqxx::row row = txn.exec1("SELECT coalesce(max(version), 0) FROM " +
                              txn.quote_name(set.schema()) + ".schema_migrations");
    int version = row[0].as<int>();
    if (version < set.latest_version()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the ", set.schema(), " schema is at version ", version,
                       "; this binary needs ", set.latest_version(), ": run migrations"));
    }
    return absl::OkStatus();
  } catch (const std::exception& e) {
    lease->Discard();
    if (guard.fired()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "readiness check: the database did not answer within ", absl::FormatDuration(timeout)));
    }
    absl::Status s = StatusFromException(e, "readiness check");
    if (s.code() == absl::StatusCode::kInternal || SqlState(e) == "42P01" ||
        SqlState(e) == "3F000") {
      return absl::FailedPreconditionError(
          absl::StrCat("the ", set.schema(), " schema is missing or unreadable: run migrations"));
    }
    return s;
  }
}

}  // namespace bulwark::pg
