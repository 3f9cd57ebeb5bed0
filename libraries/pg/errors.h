// File: libraries/pg/errors.h
//
// The one table that turns libpqxx exceptions (and their SQLSTATE) into absl::Status:
//
//   unique_violation (23505)                      → ALREADY_EXISTS
//   foreign_key (23503), check (23514),
//   not_null (23502), restrict (23001)            → FAILED_PRECONDITION
//   serialization_failure (40001),
//   deadlock_detected (40P01)                     → ABORTED (retried by RunTransaction)
//   query_canceled (57014, statement timeout)     → DEADLINE_EXCEEDED
//   insufficient_privilege (42501)                → PERMISSION_DENIED
//   data exceptions (class 22: NUL or invalid
//   UTF-8 in text, value out of range)            → INVALID_ARGUMENT (the caller's input)
//   broken_connection, too_many_connections,
//   cannot_connect_now (57P03), admin_shutdown    → UNAVAILABLE
//   in_doubt_error, statement_completion_unknown  → UNAVAILABLE, "outcome unknown; retrying the
//                                                   same request is safe" (never retried by
//                                                   RunTransaction itself)
//   anything else                                 → INTERNAL
//
// The message says what failed (`context`) and the SQLSTATE, never the SQL text or
// parameters. A store method that knows better may override the code (e.g. a foreign-key
// miss reported as NOT_FOUND) by inspecting SqlState().
//
// Thread-safety: pure functions.

#ifndef BULWARK_LIBRARIES_PG_ERRORS_H_
#define BULWARK_LIBRARIES_PG_ERRORS_H_

#include <exception>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bulwark::pg {

// Maps the exception currently being handled, or `e`, to a Status.
absl::Status StatusFromException(const std::exception& e, absl::string_view context);

// The SQLSTATE of a pqxx::sql_error (empty for other exceptions).
std::string SqlState(const std::exception& e);

// Whether `e` means the connection broke while a COMMIT or statement was in flight, so that
// whether it took effect is unknown.
bool IsOutcomeUnknown(const std::exception& e);

// Maps a SQLSTATE alone (exposed for tests and for overrides).
absl::StatusCode CodeForSqlState(absl::string_view sqlstate);

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_ERRORS_H_
