#include "libraries/pg/errors.h"

#include <pqxx/pqxx>

#include "gtest/gtest.h"

namespace bulwark::pg {
namespace {

TEST(ErrorsTest, MapsSqlStates) {
  EXPECT_EQ(CodeForSqlState("23505"), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeForSqlState("23503"), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForSqlState("23514"), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForSqlState("40001"), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("40P01"), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("57014"), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CodeForSqlState("42501"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeForSqlState("08006"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("53300"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("42601"), absl::StatusCode::kInternal);
}

TEST(ErrorsTest, DataExceptionsAreTheCallersInput) {
  EXPECT_EQ(CodeForSqlState("22021"), absl::StatusCode::kInvalidArgument);  // bad UTF-8 / NUL
  EXPECT_EQ(CodeForSqlState("22P05"), absl::StatusCode::kInvalidArgument);  // \u0000 in jsonb
  EXPECT_EQ(CodeForSqlState("22003"), absl::StatusCode::kInvalidArgument);  // out of range
  absl::Status s = StatusFromException(
      pqxx::data_exception("invalid byte sequence for encoding \"UTF8\": 0x00", "INSERT x"),
      "create task");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("create task"), std::string::npos);
  EXPECT_EQ(s.message().find("INSERT"), std::string::npos);
}

TEST(ErrorsTest, RecoversSqlStateFromLibpqxxClasses) {
  // libpqxx 6 throws these without a SQLSTATE.
  EXPECT_EQ(SqlState(pqxx::insufficient_privilege("permission denied")), "42501");
  EXPECT_EQ(SqlState(pqxx::unique_violation("dup")), "23505");
  EXPECT_EQ(SqlState(pqxx::foreign_key_violation("fk")), "23503");
  EXPECT_EQ(SqlState(pqxx::undefined_table("nope")), "42P01");
  EXPECT_EQ(SqlState(pqxx::sql_error("generic", "q", "57014")), "57014");
  EXPECT_EQ(StatusFromException(pqxx::insufficient_privilege("denied"), "x").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(ErrorsTest, MessagesNameTheOperationNotTheSql) {
  pqxx::unique_violation e("duplicate key value violates unique constraint", "INSERT secret");
  absl::Status s = StatusFromException(e, "create client");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("create client"), std::string::npos);
  EXPECT_EQ(s.message().find("secret"), std::string::npos);
  EXPECT_EQ(StatusFromException(pqxx::broken_connection("gone"), "x").code(),
            absl::StatusCode::kUnavailable);
  // Issue 14 item 5: an unknown outcome is UNAVAILABLE and says that retrying is safe.
  absl::Status in_doubt = StatusFromException(pqxx::in_doubt_error("?"), "x");
  EXPECT_EQ(in_doubt.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(in_doubt.message().find("outcome unknown; retrying the same request is safe"),
            std::string::npos)
      << in_doubt;
  EXPECT_TRUE(IsOutcomeUnknown(pqxx::in_doubt_error("?")));
  EXPECT_FALSE(IsOutcomeUnknown(pqxx::broken_connection("gone")));
  EXPECT_EQ(StatusFromException(pqxx::serialization_failure("conflict"), "x").code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromException(pqxx::deadlock_detected("deadlock"), "x").code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromException(pqxx::too_many_connections("full"), "x").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromException(std::runtime_error("boom"), "x").code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace bulwark::pg
