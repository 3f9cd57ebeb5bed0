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

TEST(ErrorsTest, MessagesNameTheOperationNotTheSql) {
  pqxx::unique_violation e("duplicate key value violates unique constraint", "INSERT secret",
                           "23505");
  absl::Status s = StatusFromException(e, "create client");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("create client"), std::string::npos);
  EXPECT_EQ(s.message().find("secret"), std::string::npos);
  EXPECT_EQ(StatusFromException(pqxx::broken_connection("gone"), "x").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromException(pqxx::in_doubt_error("?"), "x").code(),
            absl::StatusCode::kUnknown);
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
