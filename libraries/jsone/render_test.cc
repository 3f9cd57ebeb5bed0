// Tests of the public API (render.h) beyond the specification suite: context
// functions, context validation, determinism, error values and concurrency.

#include "libraries/jsone/render.h"

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace bulwark::jsone {
namespace {

using nlohmann::json;

const absl::Time kNow = absl::FromUnixMillis(1577836800000);  // 2020-01-01

TEST(RenderTest, RendersWithJsonContext) {
  const json tmpl = json::parse(R"js({
      "$if": "firedBy != 'none'",
      "then": {"taskGroupId": "${taskId}", "deadline": {"$fromNow": "1 day"},
               "n": {"$eval": "2 ** 3 ** 2"}, "$$keep": "x", "lit": "$${x}"}})js");
  absl::StatusOr<json> out =
      Render(tmpl, json{{"firedBy", "triggerHook"}, {"taskId", "abc"}}, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, json::parse(R"js({"taskGroupId": "abc",
      "deadline": "2020-01-02T00:00:00.000Z", "n": 512, "$keep": "x",
      "lit": "${x}"})js"));
}

TEST(RenderTest, NothingRendersAsNull) {
  absl::StatusOr<json> out =
      Render(json::parse(R"js({"$if": "false", "then": 1})js"), json::object(), kNow);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->is_null());
}

TEST(RenderTest, NowComesFromTheCallerNotTheClock) {
  const json tmpl = json::parse(R"js([{"$eval": "now"}, {"$fromNow": "1 hour"}])js");
  absl::StatusOr<json> out = Render(tmpl, json::object(), kNow);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::parse(R"js(["2020-01-01T00:00:00.000Z",
                                    "2020-01-01T01:00:00.000Z"])js"));
  // A `now` in the context wins over the argument.
  out = Render(tmpl, json{{"now", "2000-01-01T00:00:00.000Z"}}, kNow);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[1], "2000-01-01T01:00:00.000Z");
}

TEST(RenderTest, ErrorsCarryTypeLocationAndMessage) {
  absl::StatusOr<json> out =
      Render(json::parse(R"js({"payload": {"env": [1, {"$eval": "payload.x"}]}})js"),
             json::object(), kNow);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "InterpreterError at template.payload.env[1]: unknown context "
            "value payload");
  const std::optional<Error> error = Error::FromStatus(out.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, ErrorType::kInterpreterError);
  EXPECT_EQ(error->location, ".payload.env[1]");
  EXPECT_EQ(error->message, "unknown context value payload");
}

TEST(RenderTest, ValidatesTheContext) {
  EXPECT_EQ(Render(json(1), json::array(), kNow).status().message(),
            "TemplateError: context must be an object");
  EXPECT_EQ(Render(json(1), json{{"a-b", 1}}, kNow).status().message(),
            "TemplateError: top level keys of context must follow "
            "/[a-zA-Z_][a-zA-Z0-9_]*/");
  Context context;
  context.SetJson("ok", 1).SetJson("2bad", 2);
  EXPECT_FALSE(context.Validate().ok());
}

absl::StatusOr<Value> Greet(absl::Span<const Value> args) {
  if (args.size() != 1 || !args[0].is_string()) {
    return absl::InvalidArgumentError("greet wants one string");
  }
  return Value::Concat("hello ", args[0].string());
}

absl::StatusOr<Value> Fail(absl::Span<const Value>) {
  return absl::UnavailableError("backend down");
}

TEST(RenderTest, ContextFunctions) {
  Context context;
  context.SetJson("name", "world");
  context.SetFunction("greet", &Greet);
  context.SetFunction("fail", &Fail);

  absl::StatusOr<json> out = Render(json::parse(R"js({"a": "${greet(name)}",
                               "t": {"$eval": "typeof(greet)"},
                               "d": {"$eval": "defined('greet')"}})js"),
                                    context, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, json::parse(R"js({"a": "hello world", "t": "function", "d": true})js"));

  // A function's own error comes back unchanged, with no JSON-e location.
  out = Render(json::parse(R"js({"a": [{"$eval": "fail()"}]})js"), context, kNow);
  EXPECT_EQ(out.status(), absl::UnavailableError("backend down"));
  EXPECT_FALSE(Error::FromStatus(out.status()).has_value());

  // A function left in the result is an error.
  out = Render(json::parse(R"js({"f": {"$eval": "greet"}})js"), context, kNow);
  EXPECT_EQ(out.status().message(),
            "TemplateError: evaluated template contained uncalled functions");
}

TEST(RenderTest, ConcurrentRendersShareAContext) {
  const Context context(json{{"items", json::array({1, 2, 3})}});
  const json tmpl =
      json::parse(R"js({"$map": {"$eval": "items"}, "each(x,i)": "${x * 10}-${i}"})js");
  const json want = json::parse(R"js(["10-0", "20-1", "30-2"])js");
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        absl::StatusOr<json> out = Render(tmpl, context, kNow);
        if (!out.ok() || *out != want) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(RenderTest, RenderValueKeepsJavaScriptNumbers) {
  absl::StatusOr<Value> out =
      RenderValue(json::parse(R"js({"$eval": "0.1 + 0.2"})js"), Context(), kNow);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->number(), 0.1 + 0.2);
}

json Nested(int depth) {
  return json::parse(std::string(depth, '[') + "1" + std::string(depth, ']'));
}

TEST(RenderTest, ContextDepthLimitIsExact) {
  const json tmpl = json::parse(R"js({"$eval": "len(x)"})js");
  json ok = json::object();
  ok["x"] = Nested(1000);
  json too_deep = json::object();
  too_deep["x"] = Nested(1001);
  // Lazily read JSON context and converted Context agree.
  EXPECT_TRUE(Render(tmpl, ok, kNow).ok());
  EXPECT_TRUE(Render(tmpl, Context(ok), kNow).ok());
  const std::string error = "TemplateError: context nests too deeply (more than 1000 levels)";
  EXPECT_EQ(Render(tmpl, too_deep, kNow).status().message(), error);
  EXPECT_EQ(Render(tmpl, Context(too_deep), kNow).status().message(), error);
}

TEST(RenderTest, JsonContextIsReadLazilyButAlike) {
  const json context = json::parse(R"js({"event": {"repository":
      {"name": "bulwark", "topics": ["a", "b"]}, "n": null}, "x": 1})js");
  const json tmpl = json::parse(R"js({
      "a": "${event.repository.name}",
      "b": {"$eval": "event.repository.topics[1] + event.repository['name']"},
      "c": {"$eval": "event"},
      "d": {"$eval": "defined('event') && !(defined('nope'))"},
      "e": {"$let": {"event": 5}, "in": {"$eval": "event"}},
      "f": {"$map": {"$eval": "event.repository.topics"}, "each(t)": "${t}${x}"}})js");
  absl::StatusOr<json> lazy = Render(tmpl, context, kNow);
  absl::StatusOr<json> eager = Render(tmpl, Context(context), kNow);
  ASSERT_TRUE(lazy.ok()) << lazy.status();
  ASSERT_TRUE(eager.ok()) << eager.status();
  EXPECT_EQ(*lazy, *eager);
  EXPECT_EQ((*lazy)["e"], 5);  // $let shadows the JSON member.
  for (const char* bad : {"event.nope", "event.n.x", "event.repository.topics.x", "nope.x"}) {
    const json t = {{"$eval", bad}};
    EXPECT_EQ(Render(t, context, kNow).status().message(),
              Render(t, Context(context), kNow).status().message())
        << bad;
    EXPECT_FALSE(Render(t, context, kNow).ok()) << bad;
  }
}

// Deep nesting must fail cleanly, not exhaust the stack.
TEST(RenderTest, DeepNestingFailsCleanly) {
  // (Built by parsing: nlohmann::json copies recursively, its parser does not.)
  const auto deep_array = [] {
    return json::parse(std::string(100000, '[') + "1" + std::string(100000, ']'));
  };
  const json deep = deep_array();
  std::string location;
  for (int i = 0; i < 1000; ++i) location += "[0]";
  EXPECT_EQ(Render(deep, json::object(), kNow).status().message(),
            "TemplateError at template" + location +
                ": template nests too deeply (more than 1000 levels)");
  json context = json::object();
  context["x"] = deep_array();
  EXPECT_EQ(Render(json(1), context, kNow).status().message(),
            "TemplateError: context nests too deeply (more than 1000 levels)");

  // A $reduce that wraps its accumulator once per item.
  const json wrap = json::parse(R"js({"$reduce": {"$eval": "range(0, 100000)"},
      "initial": [], "each(acc, x)": [{"$eval": "acc"}]})js");
  EXPECT_EQ(Render(wrap, json::object(), kNow).status().message(),
            "TemplateError: $reduce value nests too deeply (more than 1000 "
            "levels)");

  const std::string parens = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_EQ(Render(json{{"$eval", parens}}, json::object(), kNow).status().message(),
            "SyntaxError: expression nests too deeply (more than 1000 levels)");
  std::string chain = "1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  EXPECT_EQ(Render(json{{"$eval", chain}}, json::object(), kNow).status().message(),
            "SyntaxError: expression nests too deeply (more than 1000 levels)");
  std::string powers = "1";
  for (int i = 0; i < 100000; ++i) powers += "**1";
  EXPECT_FALSE(Render(json{{"$eval", powers}}, json::object(), kNow).ok());

  // Within the limits, deep values work.
  std::string nested = "x";
  for (int i = 0; i < 900; ++i) nested = absl::StrCat("[", nested, "]");
  absl::StatusOr<json> out =
      Render(json{{"$eval", nested + " == " + nested}}, json{{"x", 1}}, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, true);
}

}  // namespace
}  // namespace bulwark::jsone

namespace bulwark::jsone {
namespace {

const absl::Time kBudgetNow = absl::FromUnixMillis(1577836800000);

TEST(RenderBudgetTest, RangeOfMillionsIsRefusedBeforeAllocating) {
  absl::StatusOr<nlohmann::json> out = Render(nlohmann::json{{"$eval", "range(0, 100000000)"}},
                                              nlohmann::json::object(), kBudgetNow);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted) << out.status();
  EXPECT_NE(out.status().message().find("rendering stopped"), std::string::npos);
}

TEST(RenderBudgetTest, ARangeOfTwoMillionIsRefused) {
  // The fuzzer's input: within the old output budget, it took seconds and hundreds of MB.
  absl::StatusOr<nlohmann::json> out =
      Render(nlohmann::json{{"$eval", "range(1, 2444443)"}}, nlohmann::json::object(), kBudgetNow);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted) << out.status();
  // A million items is the most one render produces.
  out =
      Render(nlohmann::json{{"$eval", "range(0, 1000000)"}}, nlohmann::json::object(), kBudgetNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), 1000000u);
}

TEST(RenderBudgetTest, DeepMapFanOutRunsOutOfSteps) {
  // 1000 x 1000 x 1000 items: each range is small, the product is not.
  nlohmann::json tmpl = nlohmann::json::parse(R"js({
      "$map": {"$eval": "range(0, 1000)"}, "each(a)": {
        "$map": {"$eval": "range(0, 1000)"}, "each(b)": {
          "$map": {"$eval": "range(0, 1000)"}, "each(c)": "${a}"}}})js");
  absl::StatusOr<nlohmann::json> out = Render(tmpl, nlohmann::json::object(), kBudgetNow);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted) << out.status();
}

TEST(RenderBudgetTest, DoublingStringsRunOutOfOutput) {
  // 40 doublings would build a terabyte string.
  nlohmann::json tmpl = nlohmann::json::parse(R"js({
      "$reduce": {"$eval": "range(0, 40)"}, "initial": "xxxxxxxx",
      "each(s, i)": {"$eval": "s + s"}})js");
  absl::StatusOr<nlohmann::json> out = Render(tmpl, nlohmann::json::object(), kBudgetNow);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted) << out.status();
}

TEST(RenderBudgetTest, LimitsAreTheCallersAndOrdinaryTemplatesFit) {
  nlohmann::json tmpl = nlohmann::json::parse(R"js({
      "$map": {"$eval": "range(0, 100)"}, "each(i)": {"n": "${i}"}})js");
  absl::StatusOr<nlohmann::json> out = Render(tmpl, nlohmann::json::object(), kBudgetNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), 100u);
  RenderLimits tight;
  tight.max_steps = 50;
  out = Render(tmpl, nlohmann::json::object(), kBudgetNow, tight);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace bulwark::jsone
