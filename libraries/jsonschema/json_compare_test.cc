#include "libraries/jsonschema/json_compare.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

using json = nlohmann::json;

TEST(JsonCompareTest, ComparesNumbersAcrossTypes) {
  EXPECT_EQ(CompareNumbers(json(1), json(1.0)), 0);
  EXPECT_EQ(CompareNumbers(json(1u), json(1)), 0);
  EXPECT_EQ(CompareNumbers(json(-1), json(1u)), -1);
  EXPECT_EQ(CompareNumbers(json(std::numeric_limits<uint64_t>::max()), json(-1)), 1);
  EXPECT_EQ(CompareNumbers(json(1.5), json(1)), 1);
  EXPECT_EQ(CompareNumbers(json(-1.5), json(-1)), -1);
  EXPECT_EQ(CompareNumbers(json(-1.5), json(-2)), 1);
  EXPECT_EQ(CompareNumbers(json(2.5), json(3u)), -1);
  EXPECT_EQ(CompareNumbers(json(1e300), json(std::numeric_limits<uint64_t>::max())), 1);
  EXPECT_EQ(CompareNumbers(json(-1e300), json(std::numeric_limits<int64_t>::min())), -1);
  // 2^53 + 1 is not a double; the comparison must not round it.
  EXPECT_EQ(CompareNumbers(json(9007199254740992.0), json(int64_t{9007199254740993})), -1);
  EXPECT_EQ(CompareNumbers(json(9007199254740992.0), json(int64_t{9007199254740992})), 0);
}

TEST(JsonCompareTest, IsInteger) {
  EXPECT_TRUE(IsInteger(json(3)));
  EXPECT_TRUE(IsInteger(json(3u)));
  EXPECT_TRUE(IsInteger(json(1.0)));
  EXPECT_TRUE(IsInteger(json(1e308)));
  EXPECT_FALSE(IsInteger(json(1.5)));
  EXPECT_FALSE(IsInteger(json("1")));
  EXPECT_FALSE(IsInteger(json(std::numeric_limits<double>::infinity())));
}

TEST(JsonCompareTest, DeepEquality) {
  EXPECT_TRUE(JsonEqual(json::parse(R"({"a": [1, 2.0, {"b": null}], "c": "x"})"),
                        json::parse(R"({"c": "x", "a": [1.0, 2, {"b": null}]})")));
  EXPECT_FALSE(JsonEqual(json::parse("[1, 2]"), json::parse("[2, 1]")));
  EXPECT_FALSE(JsonEqual(json::parse(R"({"a": 1})"), json::parse(R"({"a": 1, "b": 2})")));
  EXPECT_FALSE(JsonEqual(json(false), json(0)));
  EXPECT_FALSE(JsonEqual(json(true), json(1)));
  EXPECT_FALSE(JsonEqual(json(nullptr), json(0)));
  EXPECT_FALSE(JsonEqual(json("1"), json(1)));
  EXPECT_FALSE(JsonEqual(json::array(), json::object()));
}

TEST(JsonCompareTest, EqualValuesHashAlike) {
  EXPECT_EQ(JsonHash(json(1)), JsonHash(json(1.0)));
  EXPECT_EQ(JsonHash(json(0.0)), JsonHash(json(-0.0)));
  EXPECT_EQ(JsonHash(json::parse(R"({"a": [1, 2]})")), JsonHash(json::parse(R"({"a": [1.0, 2]})")));
  EXPECT_NE(JsonHash(json::parse("[1, 2]")), JsonHash(json::parse("[2, 1]")));
  EXPECT_NE(JsonHash(json("a")), JsonHash(json("b")));
}

TEST(JsonCompareTest, DeepValuesDoNotExhaustTheStack) {
  // Built in place: copying a deep json value recurses once per level.
  const auto nested = [](int depth, int leaf) {
    json value = json::array();
    json* innermost = &value;
    for (int i = 0; i < depth; ++i) innermost = &innermost->emplace_back(json::object())["a"];
    *innermost = leaf;
    return value;
  };
  const json a = nested(200000, 1);
  EXPECT_TRUE(JsonEqual(a, nested(200000, 1)));
  EXPECT_FALSE(JsonEqual(a, nested(200000, 2)));
  EXPECT_EQ(JsonHash(a), JsonHash(nested(200000, 1)));
}

}  // namespace
}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
