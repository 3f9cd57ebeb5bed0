#include "libraries/client/dependency.h"

#include "gtest/gtest.h"

namespace bulwark {
namespace {

absl::StatusCode CodeOf(grpc::StatusCode code, Signer signer = Signer::kOwnCredentials) {
  return DependencyStatus("queue", grpc::Status(code, "detail"), signer).code();
}

TEST(DependencyStatusTest, DeadlinesAndCancellationPassThrough) {
  EXPECT_EQ(CodeOf(grpc::StatusCode::DEADLINE_EXCEEDED), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CodeOf(grpc::StatusCode::CANCELLED), absl::StatusCode::kCancelled);
  EXPECT_EQ(CodeOf(grpc::StatusCode::UNAVAILABLE), absl::StatusCode::kUnavailable);
}

TEST(DependencyStatusTest, OwnCredentialsRefusedIsUnavailableNotTheCallersUnauthenticated) {
  absl::Status s = DependencyStatus(
      "queue", grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad mac"), Signer::kOwnCredentials);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("configuration error"), absl::string_view::npos) << s;
  EXPECT_EQ(CodeOf(grpc::StatusCode::UNAUTHENTICATED, Signer::kNone),
            absl::StatusCode::kUnauthenticated);
}

TEST(DependencyStatusTest, DependencyFailuresAreInternalAndRequestErrorsPassThrough) {
  EXPECT_EQ(CodeOf(grpc::StatusCode::INTERNAL), absl::StatusCode::kInternal);
  EXPECT_EQ(CodeOf(grpc::StatusCode::UNIMPLEMENTED), absl::StatusCode::kInternal);
  EXPECT_EQ(CodeOf(grpc::StatusCode::PERMISSION_DENIED), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(grpc::StatusCode::INVALID_ARGUMENT), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(grpc::StatusCode::ALREADY_EXISTS), absl::StatusCode::kAlreadyExists);
  absl::Status s = DependencyStatus(
      "queue", grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "missing scopes: x"),
      Signer::kOwnCredentials);
  EXPECT_EQ(s.message(), "missing scopes: x");
  EXPECT_TRUE(DependencyStatus("queue", grpc::Status::OK, Signer::kNone).ok());
}

TEST(SetDeadlineTest, SetsFiniteDeadlinesOnly) {
  grpc::ClientContext unset;
  SetDeadline(unset, absl::InfiniteFuture());
  EXPECT_GT(absl::FromChrono(unset.deadline()), absl::Now() + absl::Hours(24 * 365 * 100));
  grpc::ClientContext set;
  absl::Time t = absl::Now() + absl::Seconds(3);
  SetDeadline(set, t);
  EXPECT_LT(absl::AbsDuration(absl::FromChrono(set.deadline()) - t), absl::Milliseconds(1));
}

}  // namespace
}  // namespace bulwark
