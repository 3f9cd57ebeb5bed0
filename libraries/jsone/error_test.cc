#include "libraries/jsone/error.h"

#include "gtest/gtest.h"

namespace bulwark::jsone {
namespace {

TEST(ErrorTest, ToStringWithAndWithoutLocation) {
  EXPECT_EQ((Error{ErrorType::kTemplateError, "", "boom"}).ToString(), "TemplateError: boom");
  EXPECT_EQ((Error{ErrorType::kInterpreterError, ".a[0]", "x"}).ToString(),
            "InterpreterError at template.a[0]: x");
}

TEST(ErrorTest, StatusRoundTrip) {
  const Error error{ErrorType::kBuiltinError, "[\"k k\"]", "bad\nthing"};
  const absl::Status status = error.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), error.ToString());
  const std::optional<Error> back = Error::FromStatus(status);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->type, ErrorType::kBuiltinError);
  EXPECT_EQ(back->location, "[\"k k\"]");
  EXPECT_EQ(back->message, "bad\nthing");
  EXPECT_FALSE(Error::FromStatus(absl::OkStatus()).has_value());
  EXPECT_FALSE(Error::FromStatus(absl::InternalError("x")).has_value());
}

TEST(ErrorTest, PrependLocation) {
  absl::Status status = TemplateError("m");
  status = PrependLocation(status, "[1]");
  status = PrependLocation(status, ".foo");
  EXPECT_EQ(status.message(), "TemplateError at template.foo[1]: m");
  // Plain errors and other statuses get no location.
  const absl::Status plain = MakeError(ErrorType::kError, "String: 'x' ...");
  EXPECT_EQ(PrependLocation(plain, ".a").message(), "Error: String: 'x' ...");
  const absl::Status other = absl::UnavailableError("down");
  EXPECT_EQ(PrependLocation(other, ".a"), other);
}

TEST(ErrorTest, KeyLocation) {
  EXPECT_EQ(KeyLocation("foo"), ".foo");
  EXPECT_EQ(KeyLocation("a1"), ".a1");
  EXPECT_EQ(KeyLocation("123"), "[\"123\"]");
  EXPECT_EQ(KeyLocation("_x"), "[\"_x\"]");
  EXPECT_EQ(KeyLocation("a-b"), "[\"a-b\"]");
  EXPECT_EQ(KeyLocation("q\""), "[\"q\\\"\"]");
}

}  // namespace
}  // namespace bulwark::jsone
