#include "libraries/pg/errors.h"

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace bulwark::pg {

namespace {

template <typename T>
bool Is(const std::exception& e) {
  return dynamic_cast<const T*>(&e) != nullptr;
}

}  // namespace

std::string SqlState(const std::exception& e) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  if (sql == nullptr) return "";
  if (!sql->sqlstate().empty()) return sql->sqlstate();
  // libpqxx 6 throws its specific classes without the SQLSTATE; recover it from the class
  // (most derived first).
  if (Is<pqxx::unique_violation>(e)) return "23505";
  if (Is<pqxx::foreign_key_violation>(e)) return "23503";
  if (Is<pqxx::check_violation>(e)) return "23514";
  if (Is<pqxx::not_null_violation>(e)) return "23502";
  if (Is<pqxx::restrict_violation>(e)) return "23001";
  if (Is<pqxx::integrity_constraint_violation>(e)) return "23000";
  if (Is<pqxx::insufficient_privilege>(e)) return "42501";
  if (Is<pqxx::undefined_table>(e)) return "42P01";
  if (Is<pqxx::undefined_column>(e)) return "42703";
  if (Is<pqxx::undefined_function>(e)) return "42883";
  if (Is<pqxx::syntax_error>(e)) return "42601";
  if (Is<pqxx::disk_full>(e)) return "53100";
  if (Is<pqxx::out_of_memory>(e)) return "53200";
  if (Is<pqxx::insufficient_resources>(e)) return "53000";
  if (Is<pqxx::plpgsql_no_data_found>(e)) return "P0002";
  if (Is<pqxx::plpgsql_too_many_rows>(e)) return "P0003";
  if (Is<pqxx::plpgsql_raise>(e)) return "P0001";
  if (Is<pqxx::feature_not_supported>(e)) return "0A000";
  if (Is<pqxx::data_exception>(e)) return "22000";
  return "";
}

bool IsOutcomeUnknown(const std::exception& e) {
  return Is<pqxx::in_doubt_error>(e) || Is<pqxx::statement_completion_unknown>(e);
}

absl::StatusCode CodeForSqlState(absl::string_view s) {
  if (s == "23505") return absl::StatusCode::kAlreadyExists;
  if (s == "23503" || s == "23514" || s == "23502" || s == "23001") {
    return absl::StatusCode::kFailedPrecondition;
  }
  // Class 22 (data exception: a NUL or invalid UTF-8 in text, a number out of range, a bad
  // value for a type) is the caller's input; services check input first, this is the last line.
  if (absl::StartsWith(s, "22")) return absl::StatusCode::kInvalidArgument;
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;
  if (s == "57014") return absl::StatusCode::kDeadlineExceeded;
  if (s == "42501") return absl::StatusCode::kPermissionDenied;
  if (s == "53300" || s == "57P01" || s == "57P02" || s == "57P03" || absl::StartsWith(s, "08")) {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

absl::Status StatusFromException(const std::exception& e, absl::string_view context) {
  if (Is<pqxx::broken_connection>(e)) {
    return absl::UnavailableError(
        absl::StrCat(context, ": the database connection failed; retry later"));
  }
  // The request may or may not have taken effect. Every Bulwark mutation is idempotent for the
  // same request (ids chosen by the caller, identical repeats succeed), so the client is told
  // to retry it, as for any other unavailability.
  if (Is<pqxx::in_doubt_error>(e)) {
    return absl::UnavailableError(absl::StrCat(
        context,
        ": the database connection broke during commit; outcome unknown; retrying the same "
        "request is safe"));
  }
  // libpqxx 6 derives these from pqxx::failure, not sql_error: no SQLSTATE to read.
  if (Is<pqxx::statement_completion_unknown>(e)) {
    return absl::UnavailableError(absl::StrCat(
        context,
        ": the database connection broke mid-statement; outcome unknown; retrying the same "
        "request is safe"));
  }
  if (Is<pqxx::transaction_rollback>(e)) {
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
    case absl::StatusCode::kInvalidArgument:
      reason =
          "the database refused a value as invalid data (a NUL byte, invalid UTF-8, a number "
          "out of range or a malformed value)";
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
