#include "libraries/pg/errors.h"

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace bulwark::pg {

std::string SqlState(const std::exception& e) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) return sql->sqlstate();
  return "";
}

absl::StatusCode CodeForSqlState(absl::string_view s) {
  if (s == "23505") return absl::StatusCode::kAlreadyExists;
  if (s == "23503" || s == "23514" || s == "23502" || s == "23001") {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;
  if (s == "57014") return absl::StatusCode::kDeadlineExceeded;
  if (s == "42501") return absl::StatusCode::kPermissionDenied;
  if (s == "53300" || s == "57P01" || s == "57P02" || s == "57P03" ||
      absl::StartsWith(s, "08")) {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

absl::Status StatusFromException(const std::exception& e, absl::string_view context) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return absl::UnavailableError(
        absl::StrCat(context, ": the database connection failed; retry later"));
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return absl::UnknownError(
        absl::StrCat(context, ": the connection broke during commit; outcome unknown"));
  }
  // libpqxx 6 derives these from pqxx::failure, not sql_error: no SQLSTATE to read.
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
    return absl::UnknownError(
        absl::StrCat(context, ": the connection broke mid-statement; outcome unknown"));
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return absl::AbortedError(
        absl::StrCat(context, ": conflicted with a concurrent change; retry"));
  }
  std::string state = SqlState(e);
  if (state.empty()) {
    return absl::InternalError(absl::StrCat(context, ": ", e.what()));
  }
  absl::StatusCode code = CodeForSqlState(state);
  if (code == absl::StatusCode::kInternal) {
    // Internal messages are logged, not shown to callers (see ToGrpcStatus).
    return absl::InternalError(absl::StrCat(context, ": SQLSTATE ", state, ": ", e.what()));
  }
  std::string reason;
  switch (code) {
    case absl::StatusCode::kAlreadyExists:
      reason = "already exists";
      break;
    case absl::StatusCode::kFailedPrecondition:
      reason = "a constraint was violated";
      break;
    case absl::StatusCode::kAborted:
      reason = "conflicted with a concurrent change; retry";
      break;
    case absl::StatusCode::kDeadlineExceeded:
      reason = "the statement ran out of time";
      break;
    case absl::StatusCode::kPermissionDenied:
      reason = "permission denied in the database";
      break;
    default:
      reason = "the database is unavailable; retry later";
  }
  return absl::Status(code, absl::StrCat(context, ": ", reason, " (SQLSTATE ", state, ")"));
}

}  // namespace bulwark::pg
