#include "libraries/jsone/js_number.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace bulwark::jsone {
namespace {

TEST(FormatJsNumberTest, MatchesJavaScriptString) {
  EXPECT_EQ(FormatJsNumber(1), "1");
  EXPECT_EQ(FormatJsNumber(1.0), "1");
  EXPECT_EQ(FormatJsNumber(-0.0), "0");
  EXPECT_EQ(FormatJsNumber(1.5), "1.5");
  EXPECT_EQ(FormatJsNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatJsNumber(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatJsNumber(100), "100");
  EXPECT_EQ(FormatJsNumber(1e20), "100000000000000000000");
  EXPECT_EQ(FormatJsNumber(1e21), "1e+21");
  EXPECT_EQ(FormatJsNumber(1.5e21), "1.5e+21");
  EXPECT_EQ(FormatJsNumber(std::pow(2.0, 60)), "1152921504606847000");
  EXPECT_EQ(FormatJsNumber(0.000001), "0.000001");
  EXPECT_EQ(FormatJsNumber(1e-7), "1e-7");
  EXPECT_EQ(FormatJsNumber(1.5e-7), "1.5e-7");
  EXPECT_EQ(FormatJsNumber(123e-20), "1.23e-18");
  EXPECT_EQ(FormatJsNumber(-2.5), "-2.5");
  EXPECT_EQ(FormatJsNumber(5e-324), "5e-324");
  EXPECT_EQ(FormatJsNumber(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FormatJsNumber(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatJsNumber(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(FormatJsNumber(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(ParseJsNumberTest, FollowsNumberOfString) {
  EXPECT_EQ(ParseJsNumber("42"), 42);
  EXPECT_EQ(ParseJsNumber("  12.5\t\n"), 12.5);
  EXPECT_EQ(ParseJsNumber(""), 0);
  EXPECT_EQ(ParseJsNumber("   "), 0);
  EXPECT_EQ(ParseJsNumber("-7"), -7);
  EXPECT_EQ(ParseJsNumber("+.5e1"), 5);
  EXPECT_EQ(ParseJsNumber("1."), 1);
  EXPECT_EQ(ParseJsNumber(".5"), 0.5);
  EXPECT_EQ(ParseJsNumber("1e3"), 1000);
  EXPECT_EQ(ParseJsNumber("0x1F"), 31);
  EXPECT_EQ(ParseJsNumber("0o17"), 15);
  EXPECT_EQ(ParseJsNumber("0b101"), 5);
  EXPECT_EQ(ParseJsNumber("-Infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseJsNumber("1e400"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseJsNumber("1e-400"), 0);
  for (const char* nan : {"abc", "1e", ".", "0x", "-0x10", "1_000", "infinity", "1 2", "0xG"}) {
    EXPECT_TRUE(std::isnan(ParseJsNumber(nan))) << nan;
  }
}

TEST(IsJsIntegerTest, FiniteWholeNumbersOnly) {
  EXPECT_TRUE(IsJsInteger(3));
  EXPECT_TRUE(IsJsInteger(-0.0));
  EXPECT_FALSE(IsJsInteger(2.5));
  EXPECT_FALSE(IsJsInteger(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(IsJsInteger(std::numeric_limits<double>::quiet_NaN()));
}

}  // namespace
}  // namespace bulwark::jsone
