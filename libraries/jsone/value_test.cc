#include "libraries/jsone/value.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace bulwark::jsone {
namespace {

using nlohmann::json;

TEST(ValueTest, RoundTripsJson) {
  const json in = json::parse(
      R"({"a": [1, 2.5, "x", true, null, {"b": {}}], "c": -3, "d": 18446744073709551615})");
  const Value v = Value::FromJson(in);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.object().size(), 3u);
  EXPECT_TRUE(v.object().Find("a")->array()[0].is_number());
  json out;
  ASSERT_TRUE(v.ToJson(&out));
  EXPECT_EQ(out, in);
  EXPECT_TRUE(out["c"].is_number_integer());
}

TEST(ValueTest, NumbersBecomeIntegersWhenExact) {
  json out;
  ASSERT_TRUE(Value::Number(3.0).ToJson(&out));
  EXPECT_TRUE(out.is_number_integer());
  ASSERT_TRUE(Value::Number(-0.0).ToJson(&out));
  EXPECT_EQ(out.dump(), "0");
  ASSERT_TRUE(Value::Number(2.5).ToJson(&out));
  EXPECT_TRUE(out.is_number_float());
  ASSERT_TRUE(Value::Number(1e300).ToJson(&out));
  EXPECT_TRUE(out.is_number_float());
}

TEST(ValueTest, FunctionsDoNotConvertToJson) {
  Array items;
  items.push_back(Value::MakeFunction(Function(
      "f",
      Function::Native([](absl::Span<const Value>) -> absl::StatusOr<Value> { return Value(); }))));
  const Value v = Value::MakeArray(std::move(items));
  EXPECT_TRUE(v.ContainsFunctions());
  json out;
  EXPECT_FALSE(v.ToJson(&out));
}

TEST(ValueTest, ObjectsAreSortedAndLastDuplicateWins) {
  std::vector<Object::Member> members;
  members.emplace_back("b", Value::Number(1));
  members.emplace_back("a", Value::Number(2));
  members.emplace_back("b", Value::Number(3));
  const Object object = Object::FromMembers(std::move(members));
  ASSERT_EQ(object.size(), 2u);
  EXPECT_EQ(object.begin()->first, "a");
  EXPECT_EQ(object.Find("b")->number(), 3);
  EXPECT_EQ(object.Find("c"), nullptr);
  Object copy = object;
  copy.Set("aa", Value::Bool(true));
  copy.Set("a", Value::Null());
  EXPECT_EQ((copy.begin() + 1)->first, "aa");
  EXPECT_TRUE(copy.Find("a")->is_null());
  EXPECT_EQ(object.Find("a")->number(), 2);  // The original is unchanged.
}

TEST(ValueTest, CopiesShareStorage) {
  const Value a = Value::String("a fairly long string, longer than SSO");
  // The copy is the subject of the test.
  const Value b = a;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_TRUE(a.SameStorage(b));
  EXPECT_EQ(b.string(), "a fairly long string, longer than SSO");
  EXPECT_EQ(Value::Concat("ab", "cd").string(), "abcd");
}

TEST(ValueTest, Truthiness) {
  EXPECT_FALSE(IsTruthy(Value()));
  EXPECT_FALSE(IsTruthy(Value::Bool(false)));
  EXPECT_FALSE(IsTruthy(Value::Number(0)));
  EXPECT_FALSE(IsTruthy(Value::String("")));
  EXPECT_FALSE(IsTruthy(Value::MakeArray({})));
  EXPECT_FALSE(IsTruthy(Value::MakeObject(Object())));
  EXPECT_FALSE(IsTruthy(Value::DeleteMarker()));
  EXPECT_TRUE(IsTruthy(Value::Number(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(IsTruthy(Value::String("0")));
  EXPECT_TRUE(IsTruthy(Value::MakeArray({Value()})));
}

TEST(ValueTest, DeleteMarkerIsAnEmptyObject) {
  const Value marker = Value::DeleteMarker();
  EXPECT_TRUE(marker.IsDeleteMarker());
  EXPECT_TRUE(marker.is_object());
  EXPECT_TRUE(marker.object().empty());
  EXPECT_FALSE(Value::MakeObject(Object()).IsDeleteMarker());
  EXPECT_TRUE(Equals(marker, Value::MakeObject(Object())));
}

TEST(ValueTest, EqualityIsDeep) {
  const Value a = Value::FromJson(json::parse(R"({"x": [1, {"y": "z"}]})"));
  const Value b = Value::FromJson(json::parse(R"({"x": [1, {"y": "z"}]})"));
  const Value c = Value::FromJson(json::parse(R"({"x": [1, {"y": "w"}]})"));
  EXPECT_TRUE(Equals(a, b));
  EXPECT_FALSE(Equals(a, c));
  EXPECT_FALSE(Equals(Value::Number(1), Value::String("1")));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(Equals(Value::Number(nan), Value::Number(nan)));
  EXPECT_TRUE(Equals(Value::Number(0.0), Value::Number(-0.0)));
}

TEST(ValueTest, TypeNames) {
  EXPECT_EQ(TypeName(Value()), "null");
  EXPECT_EQ(TypeName(Value::Bool(true)), "boolean");
  EXPECT_EQ(TypeName(Value::Number(1)), "number");
  EXPECT_EQ(TypeName(Value::String("")), "string");
  EXPECT_EQ(TypeName(Value::MakeArray({})), "array");
  EXPECT_EQ(TypeName(Value::MakeObject(Object())), "object");
}

}  // namespace
}  // namespace bulwark::jsone
