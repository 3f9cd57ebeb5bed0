#include "libraries/jsone/json_text.h"

#include "gtest/gtest.h"

namespace bulwark::jsone {
namespace {

Value Parse(const char* text) { return Value::FromJson(nlohmann::json::parse(text)); }

TEST(JsonTextTest, StringifiesLikeJavaScript) {
  EXPECT_EQ(Stringify(Parse(R"({"b": [1.0, 2.5, null], "a": "x\"y\\z"})")),
            R"({"a":"x\"y\\z","b":[1,2.5,null]})");
  EXPECT_EQ(Stringify(Value::String("\b\t\n\v\f\r\x01\x1f é")),
            R"("\b\t\n\u000b\f\r\u0001\u001f é")");
  EXPECT_EQ(Stringify(Value::Number(1e21)), "1e+21");
  EXPECT_EQ(Stringify(Value::Number(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(Stringify(Value::MakeArray({})), "[]");
  EXPECT_EQ(Stringify(Value::MakeObject(Object())), "{}");
}

TEST(JsonTextTest, Indents) {
  StringifyOptions options;
  options.indent = 2;
  EXPECT_EQ(Stringify(Parse(R"({"a": [1], "b": {}})"), options),
            "{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}");
}

TEST(JsonTextTest, SortsKeysByUtf16WhenAsked) {
  const Value v = Parse(R"({"😁": 1, "～": 2})");
  EXPECT_EQ(Stringify(v), R"({"～":2,"😁":1})");  // Code point order.
  StringifyOptions options;
  options.key_order = KeyOrder::kUtf16;
  EXPECT_EQ(Stringify(v, options), R"({"😁":1,"～":2})");
}

TEST(JsonTextTest, JsStringOfValues) {
  EXPECT_EQ(JsString(Value()), "null");
  EXPECT_EQ(JsString(Value::Bool(false)), "false");
  EXPECT_EQ(JsString(Value::Number(0.5)), "0.5");
  EXPECT_EQ(JsString(Parse(R"([1, null, [2, 3], "x"])")), "1,,2,3,x");
  EXPECT_EQ(JsString(Parse(R"({"a": 1})")), "[object Object]");
}

}  // namespace
}  // namespace bulwark::jsone
