#include "libraries/grpc_server/status.h"

#include <string>

#include "gtest/gtest.h"

namespace bulwark {
namespace {

TEST(ToGrpcStatusTest, MapsEveryCodeOneToOne) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status in(static_cast<absl::StatusCode>(code), "m");
    grpc::Status out = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(out.error_code()), code);
    EXPECT_EQ(FromGrpcStatus(out).code(), in.code());
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(ToGrpcStatusTest, KeepsUserMessagesAndHidesInternalOnes) {
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("no client x")).error_message(), "no client x");
  grpc::Status internal = ToGrpcStatus(absl::InternalError("syntax error at SELECT secret"));
  EXPECT_EQ(internal.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(internal.error_message().find("secret"), std::string::npos);
}

TEST(ToGrpcStatusTest, TruncatesLongMessages) {
  grpc::Status out = ToGrpcStatus(absl::InvalidArgumentError(std::string(5000, 'x')));
  EXPECT_LE(out.error_message().size(), 1024u);
  EXPECT_NE(out.error_message().find("[truncated]"), std::string::npos);
}

}  // namespace
}  // namespace bulwark
