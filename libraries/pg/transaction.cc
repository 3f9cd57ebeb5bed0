#include "libraries/pg/transaction.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/logging/log.h"
#include "libraries/pg/connection_safety.h"
#include "libraries/pg/errors.h"

namespace bulwark::pg {
namespace {

const char* IsolationSql(Isolation isolation) {
  switch (isolation) {
    case Isolation::kReadCommitted:
      return "READ COMMITTED";
    case Isolation::kRepeatableRead:
      return "REPEATABLE READ";
    case Isolation::kSerializable:
      return "SERIALIZABLE";
  }
  return "READ COMMITTED";
}

// The caller's cancellation, from the options or the thread's CallScope (call_scope.h).
bool CallerGone(const TransactionOptions& options) {
  return (options.cancelled && options.cancelled()) || CallScope::CallerGone();
}

}  // namespace

absl::Status RunTransaction(ConnectionPool& pool, const TransactionOptions& options,
                            const std::function<absl::Status(pqxx::work&)>& body) {
  absl::Status last;
  bool retried_connection = false;
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    absl::Duration left = options.deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat(options.name, ": the call's deadline passed before it could finish"));
    }
    if (CallerGone(options)) {
      LogInfo("caller went away; nothing started", {{"transaction", options.name}});
      return absl::CancelledError(
          absl::StrCat(options.name, ": the caller went away; nothing was written"));
    }
    auto lease = pool.Acquire(options.deadline);
    if (!lease.ok()) return lease.status();
    // A frozen server honours no statement_timeout: past the deadline, the socket is shut down.
    SocketDeadline guard(lease->connection(), options.deadline);
    try {
      pqxx::work txn(lease->connection());
      txn.exec(absl::StrCat("SET TRANSACTION ISOLATION LEVEL ", IsolationSql(options.isolation),
                            options.read_only ? " READ ONLY" : ""));
      if (options.deadline != absl::InfiniteFuture()) {
        int64_t ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(left));
        txn.exec(absl::StrCat("SET LOCAL statement_timeout = ", ms));
      }
      absl::Status status = body(txn);
      if (!status.ok()) {
        txn.abort();
        return status;
      }
      if (absl::Now() >= options.deadline) {
        txn.abort();
        return absl::DeadlineExceededError(absl::StrCat(
            options.name, ": the call's deadline passed before COMMIT; nothing was written"));
      }
      if (CallerGone(options)) {
        txn.abort();
        LogInfo("caller went away; rolled back", {{"transaction", options.name}});
        return absl::CancelledError(
            absl::StrCat(options.name,
                         ": the caller went away before COMMIT; rolled back, nothing was written"));
      }
      txn.commit();
      return absl::OkStatus();
    } catch (const std::exception& e) {
      last = StatusFromException(e, options.name);
      // The COMMIT may have taken effect (also when the deadline closed the connection during
      // it): running the body again could apply it twice; the caller is told the outcome is
      // unknown.
      if (IsOutcomeUnknown(e)) {
        lease->Discard();
        return last;
      }
      if (guard.fired()) {
        lease->Discard();
        return absl::DeadlineExceededError(
            absl::StrCat(options.name,
                         ": the database did not answer before the call's deadline; the "
                         "connection was closed and nothing was committed"));
      }
      if (last.code() == absl::StatusCode::kUnavailable) {
        // A pooled connection that died (e.g. the server restarted) rolled its transaction
        // back; try once more on a fresh connection before giving up.
        lease->Discard();
        if (!retried_connection) {
          retried_connection = true;
          continue;
        }
      }
      if (last.code() != absl::StatusCode::kAborted) return last;
    }
  }
  return absl::AbortedError(absl::StrCat(options.name, ": gave up after ", options.max_attempts,
                                         " attempts conflicted with concurrent changes"));
}

}  // namespace bulwark::pg
