// File: libraries/pg/transaction.h
//
// RunTransaction: runs a function inside one database transaction from a pool, commits it,
// and retries the whole function when PostgreSQL reports a serialization failure or deadlock
// (both mean "nothing was written; try again"). The call's deadline bounds everything: a
// deadline already past fails before touching the database, and each attempt sets
// `statement_timeout` to the time left, so a slow query cannot outlive its caller. Nothing
// commits after the caller is gone, on every path that serves a call: when an attempt starts
// and again just before COMMIT the deadline and the caller's cancellation are checked - the
// cancellation being the thread's CallScope (libraries/call/call_scope.h), which the gRPC
// adapter of every service installs for each call, and `options.cancelled` if given - and the
// transaction is rolled back (DEADLINE_EXCEEDED / CANCELLED, the latter logged as "caller went
// away; rolled back") when either says the answer could no longer reach the caller. Work with no
// caller (sweepers, schedulers) runs without a scope and is bounded by its own deadline only.
// The deadline is also enforced on the client side (SocketDeadline, connection_safety.h): a
// server that stops answering altogether (frozen, partitioned) cannot hold the call past its
// deadline; the connection is closed, the server rolls back, and the call fails
// DEADLINE_EXCEEDED.
//
//   TransactionOptions options;
//   options.deadline = DeadlineFrom(grpc_context);
//   absl::Status s = RunTransaction(pool, options, [&](pqxx::work& txn) -> absl::Status {
//     txn.exec_params("UPDATE auth.clients SET disabled = true WHERE client_id = $1", id);
//     return absl::OkStatus();
//   });
//
// The function may run several times: it must not have side effects outside the transaction.
// A connection found broken (e.g. after a database restart) is replaced and the call retried
// once.
// Returning a non-OK status rolls back and returns that status (no retry). libpqxx exceptions
// thrown inside are mapped by StatusFromException (errors.h).
//
// Thread-safety: safe to call concurrently; each call uses its own connection.

#ifndef BULWARK_LIBRARIES_PG_TRANSACTION_H_
#define BULWARK_LIBRARIES_PG_TRANSACTION_H_

#include <functional>
#include <pqxx/transaction>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libraries/pg/pool.h"

namespace bulwark::pg {

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct TransactionOptions {
  Isolation isolation = Isolation::kReadCommitted;
  bool read_only = false;
  // Absolute deadline for the whole call, retries included.
  absl::Time deadline = absl::InfiniteFuture();
  // Attempts in all, for serialization failures and deadlocks.
  int max_attempts = 5;
  // Names the operation in error messages ("create client").
  std::string name = "database transaction";
  // Whether the caller has gone (e.g. the gRPC call was cancelled); checked with the thread's
  // CallScope, which covers every call on its own: this is for a predicate not installed as one.
  std::function<bool()> cancelled;

  // The common case: read committed, `name`d, bounded by `deadline`.
  static TransactionOptions Named(absl::Time deadline, std::string name, bool read_only = false) {
    TransactionOptions o;
    o.deadline = deadline;
    o.name = std::move(name);
    o.read_only = read_only;
    return o;
  }
};

absl::Status RunTransaction(ConnectionPool& pool, const TransactionOptions& options,
                            const std::function<absl::Status(pqxx::work&)>& body);

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_TRANSACTION_H_
