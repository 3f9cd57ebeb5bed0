#include "services/verifier/service/json_diff.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(JsonDiffTest, EqualDocuments) {
  json a = {{"b", {1, 2, {{"c", "d"}}}}, {"e", nullptr}, {"f", true}};
  json b = json::parse(R"({"f": true, "e": null, "b": [1, 2, {"c": "d"}]})");
  EXPECT_THAT(JsonDiff(a, b), IsEmpty());
  EXPECT_TRUE(JsonStructurallyEqual(a, b));
}

TEST(JsonDiffTest, NumbersCompareByValue) {
  EXPECT_TRUE(JsonStructurallyEqual(json::parse("1"), json::parse("1.0")));
  EXPECT_TRUE(JsonStructurallyEqual(json(5u), json(5)));
  EXPECT_FALSE(JsonStructurallyEqual(json(-1), json(18446744073709551615u)));
  EXPECT_FALSE(JsonStructurallyEqual(json(1), json(1.5)));
  EXPECT_FALSE(JsonStructurallyEqual(json(1), json(true)));
  EXPECT_FALSE(JsonStructurallyEqual(json(0), json(nullptr)));
  EXPECT_FALSE(JsonStructurallyEqual(json("1"), json(1)));
}

TEST(JsonDiffTest, MissingMembersAreDifferencesEvenWhenEmpty) {
  std::vector<JsonDifference> d = JsonDiff(json::object(), {{"x", nullptr}, {"y", json::array()}});
  ASSERT_THAT(d, SizeIs(2));
  EXPECT_EQ(d[0].pointer, "/x");
  EXPECT_FALSE(d[0].a.has_value());
  EXPECT_EQ(*d[0].b, "null");
  EXPECT_EQ(d[1].pointer, "/y");
}

TEST(JsonDiffTest, PointersAreEscapedAndInDocumentOrder) {
  json a = {{"a/b", 1}, {"c~d", {{"e", {1, 2, 3}}}}, {"z", "same"}};
  json b = {{"a/b", 2}, {"c~d", {{"e", {1, 9, 3}}}}, {"z", "same"}};
  std::vector<JsonDifference> d = JsonDiff(a, b);
  ASSERT_THAT(d, SizeIs(2));
  EXPECT_EQ(d[0].pointer, "/a~1b");
  EXPECT_EQ(d[1].pointer, "/c~0d/e/1");
  EXPECT_EQ(DescribeDifferences(d, "signed", "queue"),
            "at /a~1b: signed 1, queue 2; at /c~0d/e/1: signed 2, queue 9");
}

TEST(JsonDiffTest, ArraysOfDifferentLengthDifferWhole) {
  std::vector<JsonDifference> d = JsonDiff({{"x", {1, 2}}}, {{"x", {1, 2, 3}}});
  ASSERT_THAT(d, SizeIs(1));
  EXPECT_EQ(d[0].pointer, "/x");
  EXPECT_EQ(*d[0].a, "[1,2]");
}

TEST(JsonDiffTest, TypeChangesAndRoot) {
  std::vector<JsonDifference> d = JsonDiff(json::object(), json::array());
  ASSERT_THAT(d, SizeIs(1));
  EXPECT_EQ(DescribeDifferences(d, "a", "b"), "at (root): a {}, b []");
}

TEST(JsonDiffTest, StopsAtTheLimitAndShortensLongValues) {
  json a = json::object();
  json b = json::object();
  for (int i = 0; i < 50; ++i) a[std::to_string(100 + i)] = i;
  EXPECT_THAT(JsonDiff(a, b, 3), SizeIs(3));
  std::vector<JsonDifference> d = JsonDiff(json(std::string(200, 'x')), json("y"));
  EXPECT_LT(DescribeDifferences(d, "a", "b").size(), 120u);
}

TEST(JsonDiffTest, DeepNestingDoesNotExhaustTheStack) {
  json a = 1;
  json b = 2;
  for (int i = 0; i < 100000; ++i) {
    a = json::array({std::move(a)});
    b = json::array({std::move(b)});
  }
  std::vector<JsonDifference> d = JsonDiff(a, b);
  ASSERT_THAT(d, SizeIs(1));
  EXPECT_EQ(d[0].pointer.size(), 2u * 100000);
}

}  // namespace
}  // namespace bulwark::verifier
