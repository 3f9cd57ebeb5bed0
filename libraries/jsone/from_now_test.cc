#include "libraries/jsone/from_now.h"

#include <cmath>

#include "gtest/gtest.h"
#include "libraries/jsone/error.h"

namespace bulwark::jsone {
namespace {

const absl::Time kNow = absl::FromUnixMillis(1484843240974);  // 2017-01-19T16:27:20.974Z

std::string Shift(std::string_view offset, const Value& reference = Value()) {
  absl::StatusOr<Value> v = FromNow(offset, reference, kNow);
  if (!v.ok()) return std::string(v.status().message());
  return v->is_null() ? "null" : std::string(v->string());
}

TEST(FromNowTest, Offsets) {
  EXPECT_EQ(Shift(""), "2017-01-19T16:27:20.974Z");
  EXPECT_EQ(Shift("1 day"), "2017-01-20T16:27:20.974Z");
  EXPECT_EQ(Shift("2 days 3 hours"), "2017-01-21T19:27:20.974Z");
  EXPECT_EQ(Shift("1 month"), "2017-02-18T16:27:20.974Z");  // 30 days.
  EXPECT_EQ(Shift("1 year"), "2018-01-19T16:27:20.974Z");   // 365 days.
  EXPECT_EQ(Shift("-1y2mo3w4d5h6m7s"), "2015-10-27T11:21:13.974Z");
  EXPECT_EQ(Shift(" + 1 Y 2 MO "), "2018-03-20T16:27:20.974Z");
  EXPECT_EQ(Shift("12min"), "2017-01-19T16:39:20.974Z");
  EXPECT_EQ(Shift("1 years"), "2018-01-19T16:27:20.974Z");
}

TEST(FromNowTest, BadOffsetIsAPlainError) {
  absl::StatusOr<Value> v = FromNow("1s 1 y", Value(), kNow);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "Error: String: '1s 1 y' isn't a time expression");
  const std::optional<Error> error = Error::FromStatus(v.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, ErrorType::kError);
  EXPECT_FALSE(FromNow("soon", Value(), kNow).ok());
}

TEST(FromNowTest, References) {
  EXPECT_EQ(Shift("1 day", Value::String("2017-01-01T01:00:00.123Z")), "2017-01-02T01:00:00.123Z");
  EXPECT_EQ(Shift("0s", Value::String("2017-01-01")), "2017-01-01T00:00:00.000Z");
  EXPECT_EQ(Shift("0s", Value::String("2017-01-01T10:00:00+02:00")), "2017-01-01T08:00:00.000Z");
  EXPECT_EQ(Shift("0s", Value::Number(1000)), "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(Shift("0s", Value::String("")),
            "2017-01-19T16:27:20.974Z");  // Falsy: now.
  EXPECT_EQ(Shift("0s", Value::String("not a date")), "null");
  EXPECT_EQ(Shift("300000000 days"),
            "null");  // Beyond JavaScript's date range.
}

TEST(DateTest, ParsesIsoForms) {
  EXPECT_EQ(ParseDateMs("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(ParseDateMs("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(ParseDateMs("1970-01-02"), 86400000);
  EXPECT_EQ(ParseDateMs("1970"), 0);
  EXPECT_EQ(ParseDateMs("1970-01-01T00:00:00.9999Z"), 999);
  EXPECT_EQ(ParseDateMs("1970-01-01T24:00:00Z"), 86400000);
  EXPECT_EQ(ParseDateMs("2017-02-30"), ParseDateMs("2017-03-02"));
  for (const char* bad : {"2017-13-01", "2017-01-32", "20170119", " 2017-01-01",
                          "2017-01-01T25:00:00Z", "Jan 19 2017", ""}) {
    EXPECT_TRUE(std::isnan(ParseDateMs(bad))) << bad;
  }
}

TEST(DateTest, FormatsLikeToJson) {
  EXPECT_EQ(FormatDateMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatDateMs(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatDateMs(8.64e15), "+275760-09-13T00:00:00.000Z");
  EXPECT_EQ(FormatDateMs(-62198755200000.0), "-000001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatDateMs(8.64e15 + 1), std::nullopt);
  EXPECT_EQ(FormatDateMs(ToDateMs(kNow)), "2017-01-19T16:27:20.974Z");
}

}  // namespace
}  // namespace bulwark::jsone
