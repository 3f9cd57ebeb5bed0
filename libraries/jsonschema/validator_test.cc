#include "libraries/jsonschema/validator.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Schema MustCompile(const char* text) {
  absl::StatusOr<Schema> schema = Compile(json::parse(text));
  EXPECT_TRUE(schema.ok()) << schema.status();
  return *std::move(schema);
}

std::vector<std::string> ErrorStrings(const Schema& schema, const char* instance) {
  std::vector<std::string> out;
  for (const ValidationError& error : schema.Errors(json::parse(instance))) {
    out.push_back(error.ToString());
  }
  return out;
}

TEST(ValidatorTest, ErrorNamesInstancePathKeywordAndSchemaPath) {
  const Schema schema = MustCompile(R"({
    "type": "object",
    "properties": {"tags": {"type": "array", "items": {"type": "string"}}}})");
  const json instance = json::parse(R"({"tags": ["ok", 7]})");
  const absl::Status status = schema.Validate(instance);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "/tags/1: must be string (type)");
  EXPECT_THAT(schema.Errors(instance),
              ElementsAre(ValidationError{"/tags/1", "type", "#/properties/tags/items/type",
                                          "must be string"}));
  EXPECT_FALSE(schema.IsValid(instance));
  EXPECT_TRUE(schema.Validate(json::parse(R"({"tags": ["a", "b"]})")).ok());
  EXPECT_TRUE(schema.IsValid(json::parse(R"({"tags": []})")));
  EXPECT_TRUE(schema.Errors(json::parse("{}")).empty());
}

TEST(ValidatorTest, RootAndEscapedPaths) {
  const Schema schema = MustCompile(R"({
    "type": ["object", "null"],
    "additionalProperties": {"additionalProperties": {"items": {"minimum": 0}}}})");
  EXPECT_THAT(ErrorStrings(schema, "7"), ElementsAre("(root): must be object or null (type)"));
  EXPECT_THAT(ErrorStrings(schema, R"({"a/b": {"c~d": [1, -1]}})"),
              ElementsAre("/a~1b/c~0d/1: must be >= 0 (minimum)"));
}

TEST(ValidatorTest, CollectsEveryError) {
  const Schema schema = MustCompile(R"({
    "type": "object",
    "required": ["name", "owner"],
    "properties": {"name": {"type": "string", "maxLength": 3}, "n": {"multipleOf": 2}},
    "additionalProperties": false})");
  EXPECT_THAT(ErrorStrings(schema, R"({"name": "abcd\u00e9", "n": 3, "x": 1})"),
              ElementsAre("(root): must have required property \"owner\" (required)",
                          "/n: must be a multiple of 2 (multipleOf)",
                          "/name: must NOT have more than 3 characters (maxLength)",
                          "(root): must NOT have additional property \"x\" "
                          "(additionalProperties)"));
  EXPECT_EQ(schema.Validate(json::parse(R"({"name": "abc", "x": 1})")).message(),
            "(root): must have required property \"owner\" (required); "
            "(root): must NOT have additional property \"x\" (additionalProperties)");
}

TEST(ValidatorTest, LimitsTheErrorsInTheStatusMessage) {
  const Schema schema = MustCompile(R"({"items": {"type": "string"}})");
  const json instance = json(std::vector<int>(Schema::kMaxReportedErrors + 3, 1));
  const absl::Status status = schema.Validate(instance);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("/0: must be string (type); /1: must be string"));
  EXPECT_THAT(std::string(status.message()), ::testing::EndsWith("; and 3 more"));
  EXPECT_EQ(schema.Errors(instance).size(), Schema::kMaxReportedErrors + 3);
}

TEST(ValidatorTest, MessagesPerKeyword) {
  struct Case {
    const char* schema;
    const char* instance;
    const char* error;
  };
  const Case cases[] = {
      {R"({"enum": [1, "a"]})", "2", "(root): must be equal to one of the allowed values (enum)"},
      {R"({"const": {"a": 1}})", "{}", "(root): must be equal to constant {\"a\":1} (const)"},
      {R"({"maximum": 1.5})", "2", "(root): must be <= 1.5 (maximum)"},
      {R"({"exclusiveMaximum": 2})", "2", "(root): must be < 2 (exclusiveMaximum)"},
      {R"({"minimum": 3})", "2", "(root): must be >= 3 (minimum)"},
      {R"({"exclusiveMinimum": 2})", "2.0", "(root): must be > 2 (exclusiveMinimum)"},
      {R"({"minLength": 2})", R"("\u00e9")",
       "(root): must NOT have fewer than 2 characters (minLength)"},
      {R"({"pattern": "^a"})", R"("ba")", "(root): must match pattern \"^a\" (pattern)"},
      {R"({"format": "email"})", R"("nobody")", "(root): must match format \"email\" (format)"},
      {R"({"format": "date-time"})", R"("2024-02-30T00:00:00Z")",
       "(root): must match format \"date-time\" (format)"},
      {R"({"maxItems": 1})", "[1, 2]", "(root): must NOT have more than 1 items (maxItems)"},
      {R"({"minItems": 1})", "[]", "(root): must NOT have fewer than 1 items (minItems)"},
      {R"({"uniqueItems": true})", "[1, 2, 1.0]",
       "(root): must NOT have duplicate items (items 0 and 2 are equal) "
       "(uniqueItems)"},
      {R"({"items": [{}], "additionalItems": false})", "[1, 2]",
       "(root): must NOT have more than 1 items (additionalItems)"},
      {R"({"contains": {"type": "null"}})", "[1]",
       "(root): must contain at least one item that matches the contains "
       "schema (contains)"},
      {R"({"maxProperties": 0})", R"({"a": 1})",
       "(root): must NOT have more than 0 properties (maxProperties)"},
      {R"({"minProperties": 1})", "{}",
       "(root): must NOT have fewer than 1 properties (minProperties)"},
      {R"({"propertyNames": {"maxLength": 2}})", R"({"abc": 1})",
       "(root): property name \"abc\" is invalid (propertyNames)"},
      {R"({"dependencies": {"a": ["b"]}})", R"({"a": 1})",
       "(root): must have property \"b\" when property \"a\" is present "
       "(dependencies)"},
      {R"({"dependencies": {"a": {"required": ["c"]}}})", R"({"a": 1})",
       "(root): must have required property \"c\" (required)"},
      {R"({"anyOf": [{"type": "string"}, {"type": "null"}]})", "1",
       "(root): must match at least one schema in anyOf (anyOf)"},
      {R"({"oneOf": [{"type": "string"}, {"type": "null"}]})", "1",
       "(root): must match exactly one schema in oneOf (matched none) (oneOf)"},
      {R"({"oneOf": [{"minimum": 0}, {"type": "integer"}, {"maximum": 5}]})", "1",
       "(root): must match exactly one schema in oneOf (matched schemas 0 and "
       "1 and 2) (oneOf)"},
      {R"({"not": {"type": "integer"}})", "1",
       "(root): must NOT be valid against the schema in not (not)"},
      {R"({"if": {"type": "integer"}, "then": {"minimum": 5}, "else": {"type": "string"}})", "1",
       "(root): must be >= 5 (minimum)"},
      {R"({"if": {"type": "integer"}, "then": {"minimum": 5}, "else": {"type": "string"}})", "null",
       "(root): must be string (type)"},
      {R"({"properties": {"a": false}})", R"({"a": 1})", "/a: is not allowed (false schema)"},
      {"false", "1", "(root): is not allowed (false schema)"},
  };
  for (const Case& c : cases) {
    const Schema schema = MustCompile(c.schema);
    EXPECT_THAT(ErrorStrings(schema, c.instance), ElementsAre(c.error)) << c.schema;
  }
}

TEST(ValidatorTest, RefErrorsPointAtTheReferencedSchema) {
  const Schema schema = MustCompile(R"({
    "definitions": {"id": {"type": "string", "pattern": "^[a-z]+$"}},
    "properties": {"ids": {"items": {"$ref": "#/definitions/id"}}}})");
  EXPECT_THAT(schema.Errors(json::parse(R"({"ids": ["ok", "NO"]})")),
              ElementsAre(ValidationError{"/ids/1", "pattern", "#/definitions/id/pattern",
                                          "must match pattern \"^[a-z]+$\""}));
}

TEST(ValidatorTest, NumbersCompareByValue) {
  const Schema integer = MustCompile(R"({"type": "integer"})");
  EXPECT_TRUE(integer.IsValid(json::parse("1.0")));
  EXPECT_TRUE(integer.IsValid(json::parse("-9223372036854775808")));
  EXPECT_TRUE(integer.IsValid(json::parse("18446744073709551615")));
  EXPECT_FALSE(integer.IsValid(json::parse("1.5")));
  const Schema one = MustCompile(R"({"enum": [1]})");
  EXPECT_TRUE(one.IsValid(json::parse("1.0")));
  EXPECT_FALSE(one.IsValid(json::parse("true")));
  const Schema big = MustCompile(R"({"maximum": 18446744073709551615})");
  EXPECT_TRUE(big.IsValid(json::parse("18446744073709551615")));
  EXPECT_FALSE(big.IsValid(json::parse("18446744073709551616")));  // Parsed as a double.
  const Schema tenth = MustCompile(R"({"multipleOf": 0.1})");
  EXPECT_TRUE(tenth.IsValid(json::parse("0.3")));
  EXPECT_TRUE(tenth.IsValid(json::parse("4500000.3")));
  EXPECT_FALSE(tenth.IsValid(json::parse("0.35")));
}

TEST(ValidatorTest, UniqueItemsOnLargeArrays) {
  const Schema schema = MustCompile(R"({"uniqueItems": true})");
  json items = json::array();
  for (int i = 0; i < 200; ++i) items.push_back({{"n", i}, {"list", {i, i + 1}}});
  EXPECT_TRUE(schema.IsValid(items));
  items.push_back(json::parse(R"({"list": [150.0, 151], "n": 150})"));
  EXPECT_THAT(schema.Errors(items),
              ElementsAre(::testing::Field(&ValidationError::message,
                                           "must NOT have duplicate items (items 150 and 200 "
                                           "are equal)")));
}

TEST(ValidatorTest, EndlessRefLoopsFailInsteadOfHanging) {
  for (const char* text : {
           R"({"$ref": "#"})",
           R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
               "$ref": "#/definitions/a"})",
           R"({"anyOf": [{"$ref": "#"}]})",
       }) {
    const Schema schema = MustCompile(text);
    EXPECT_FALSE(schema.IsValid(json(1))) << text;
    const absl::Status status = schema.Validate(json(1));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
  }
  // Under `not`, a loop must not turn into a pass.
  const Schema negated = MustCompile(R"({"not": {"$ref": "#"}})");
  EXPECT_FALSE(negated.IsValid(json(1)));
  EXPECT_THAT(ErrorStrings(negated, "1"),
              ElementsAre("(root): $ref to # comes back to the same value without end ($ref)"));
  EXPECT_THAT(ErrorStrings(MustCompile(R"({"$ref": "#"})"), "1"),
              ElementsAre("(root): $ref to # comes back to the same value without end ($ref)"));
}

TEST(ValidatorTest, RecursiveSchemasFollowTheInstance) {
  const Schema tree = MustCompile(R"({
    "type": "object", "required": ["value"],
    "properties": {"value": {"type": "number"},
                   "children": {"type": "array", "items": {"$ref": "#"}}}})");
  EXPECT_TRUE(tree.IsValid(
      json::parse(R"({"value": 1, "children": [{"value": 2}, {"value": 3, "children": []}]})")));
  EXPECT_THAT(ErrorStrings(tree, R"({"value": 1, "children": [{"value": 2}, {"children": []}]})"),
              ElementsAre("/children/1: must have required property \"value\" (required)"));
}

TEST(ValidatorTest, DeepInstancesHitTheDepthLimitNotTheStack) {
  const Schema schema = MustCompile(R"({"items": {"$ref": "#"}})");
  // Built in place: copying a deep json value recurses once per level.
  const auto nested = [](int depth) {
    json value = json::array();
    json* innermost = &value;
    for (int i = 0; i < depth; ++i) innermost = &innermost->emplace_back(json::array());
    return value;
  };
  EXPECT_TRUE(schema.IsValid(nested(100)));
  const json deep = nested(5000);
  EXPECT_FALSE(schema.IsValid(deep));
  EXPECT_THAT(std::string(schema.Validate(deep).message()),
              HasSubstr("nesting exceeds the limit of 500 levels"));
  // Under `not`, hitting the limit must not turn into a pass.
  const Schema negated = MustCompile(R"({"not": {"items": {"not": {"$ref": "#"}}}})");
  EXPECT_FALSE(negated.IsValid(deep));
  EXPECT_THAT(negated.Errors(deep), ElementsAre(::testing::Field(&ValidationError::message,
                                                                 HasSubstr("nesting exceeds"))));
}

TEST(ValidatorTest, RefToTheMetaSchemaValidatesSchemas) {
  const Schema schema = MustCompile(R"({"$ref": "http://json-schema.org/draft-07/schema#"})");
  EXPECT_TRUE(schema.IsValid(json::parse(R"({"type": "string", "minLength": 1})")));
  EXPECT_THAT(ErrorStrings(schema, R"({"minLength": -1})"),
              ElementsAre("/minLength: must be >= 0 (minimum)"));
}

TEST(ValidatorTest, DefaultTriggerSchemaAcceptsOnlyTheEmptyObject) {
  const Schema schema = MustCompile(R"({"type": "object", "additionalProperties": false})");
  EXPECT_TRUE(schema.Validate(json::object()).ok());
  EXPECT_EQ(schema.Validate(json::parse(R"({"x": 1})")).message(),
            "(root): must NOT have additional property \"x\" (additionalProperties)");
  EXPECT_EQ(schema.Validate(json::array()).message(), "(root): must be object (type)");
}

TEST(ValidatorTest, BackreferencePatternOverTheLengthLimitIsAnError) {
  const Schema schema = MustCompile(R"({"pattern": "(a)\\1"})");
  EXPECT_TRUE(schema.IsValid(json("xaax")));
  EXPECT_THAT(ErrorStrings(schema, ("\"" + std::string(2000, 'a') + "\"").c_str()),
              ElementsAre(HasSubstr("uses backreferences and is not matched against strings "
                                    "over 1000 characters (pattern)")));
}

TEST(ValidatorTest, ConcurrentValidationAgrees) {
  const Schema schema = MustCompile(R"({
    "type": "object", "properties": {"id": {"type": "string", "pattern": "^[a-z]{3}$"}},
    "required": ["id"]})");
  const json good = json::parse(R"({"id": "abc"})");
  const json bad = json::parse(R"({"id": "abcd"})");
  std::vector<int> mismatches(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t, copy = schema] {
      for (int i = 0; i < 200; ++i) {
        if (!copy.IsValid(good) || copy.Validate(bad).ok()) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

TEST(ValidatorTest, KeepsTheDocument) {
  const json text = json::parse(R"({"title": "x", "type": "null"})");
  EXPECT_EQ(MustCompile(R"({"title": "x", "type": "null"})").document(), text);
}

TEST(CompileTest, RejectsInvalidSchemasNamingThePath) {
  struct Case {
    const char* schema;
    const char* message;
  };
  const Case cases[] = {
      {"5",
       "not a valid draft-07 JSON Schema: (root): must be object or boolean "
       "(type)"},
      {R"({"type": "strin"})",
       "not a valid draft-07 JSON Schema: /type: must match at least one "
       "schema in anyOf "
       "(anyOf)"},
      {R"({"properties": {"a": {"minLength": -1}}})",
       "not a valid draft-07 JSON Schema: /properties/a/minLength: must be >= "
       "0 (minimum)"},
      {R"({"required": "a"})", "/required: must be array (type)"},
      {R"({"enum": []})", "/enum: must NOT have fewer than 1 items (minItems)"},
      {R"({"multipleOf": 0})", "/multipleOf: must be > 0 (exclusiveMinimum)"},
      {R"({"pattern": "^(a"})", "/pattern: must match format \"regex\" (format)"},
      {R"({"patternProperties": {"(": {}}})",
       "/patternProperties: property name \"(\" is invalid (propertyNames)"},
      {R"({"$ref": "#/definitions/missing"})",
       "invalid JSON Schema: #/$ref: cannot resolve $ref "
       "\"#/definitions/missing\""},
      {R"({"properties": {"a": {"$ref": "http://localhost:1234/integer.json"}}})",
       "#/properties/a/$ref: cannot resolve $ref "
       "\"http://localhost:1234/integer.json\" "
       "(http://localhost:1234/integer.json): no schema with that URI here; "
       "remote references "
       "are not fetched"},
      {R"({"definitions": {"unused": {"$ref": "#/nowhere"}}})",
       "#/definitions/unused/$ref: cannot resolve"},
      {R"({"$schema": "http://json-schema.org/draft-04/schema#"})",
       "unsupported $schema \"http://json-schema.org/draft-04/schema#\""},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<Schema> schema = Compile(json::parse(c.schema));
    EXPECT_EQ(schema.status().code(), absl::StatusCode::kInvalidArgument) << c.schema;
    EXPECT_THAT(std::string(schema.status().message()), HasSubstr(c.message)) << c.schema;
  }
}

TEST(CompileTest, RejectsDocumentsNestedTooDeeply) {
  json schema = json::object();
  json* innermost = &schema["const"];
  for (size_t i = 0; i < Schema::kMaxSchemaNesting + 1; ++i) {
    innermost = &innermost->emplace_back(json::array());
  }
  const absl::StatusOr<Schema> compiled = Compile(schema);
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(compiled.status().message()), HasSubstr("nests deeper than 512 levels"));
  EXPECT_EQ(CompileWithoutMetaSchemaCheck(schema).status().code(),
            absl::StatusCode::kInvalidArgument);

  json deep_schema = json::object();
  innermost = &deep_schema;
  for (int i = 0; i < 300; ++i) innermost = &(*innermost)["not"];
  *innermost = json::object();
  EXPECT_THAT(std::string(Compile(deep_schema).status().message()),
              HasSubstr("nesting exceeds the limit of 500 levels"));
}

TEST(CompileTest, AcceptsDraft07SchemaDeclarations) {
  for (const char* text :
       {R"({"$schema": "http://json-schema.org/draft-07/schema#"})",
        R"({"$schema": "http://json-schema.org/draft-07/schema"})", "true", "{}"}) {
    EXPECT_TRUE(Compile(json::parse(text)).ok()) << text;
  }
}

TEST(CompileTest, MetaSchemaCompilesWithoutTheCheck) {
  const absl::StatusOr<Schema> schema = CompileWithoutMetaSchemaCheck(json::parse(R"({
    "properties": {"n": {"maxLength": -1}}})"));
  EXPECT_EQ(schema.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(schema.status().message()),
              HasSubstr("#/properties/n/maxLength: must be a non-negative integer"));
}

// d0 -> anyOf [d1, d1] -> ... : 2^levels applications for an instance no branch accepts.
json ExponentialSchema(int levels) {
  json defs = json::object();
  for (int i = 0; i < levels; ++i) {
    std::string next = "#/definitions/d" + std::to_string(i + 1);
    defs["d" + std::to_string(i)] = {{"anyOf", {{{"$ref", next}}, {{"$ref", next}}}}};
  }
  defs["d" + std::to_string(levels)] = {{"type", "string"}};
  return {{"definitions", defs}, {"$ref", "#/definitions/d0"}};
}

TEST(ValidatorBudgetTest, NestedAnyOfRefRunsOutOfStepsNotTime) {
  absl::StatusOr<Schema> schema = Compile(ExponentialSchema(40));
  ASSERT_TRUE(schema.ok()) << schema.status();
  absl::Status s = schema->Validate(json(1));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("more than 1000000 steps"));
  EXPECT_FALSE(schema->IsValid(json(1)));
  // Small enough, the same shape evaluates normally.
  absl::StatusOr<Schema> small = Compile(ExponentialSchema(4));
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->Validate(json(1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(small->Validate(json("s")).ok());
}

TEST(ValidatorBudgetTest, ThePassedDeadlineStopsEvaluation) {
  absl::StatusOr<Schema> schema = Compile(ExponentialSchema(40));
  ASSERT_TRUE(schema.ok());
  Schema::Limits limits;
  limits.max_steps = UINT64_MAX;
  limits.deadline = absl::Now() - absl::Seconds(1);
  absl::Status s = schema->Validate(json(1), limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("ran out of the call's time"));
}

TEST(ValidatorBudgetTest, ACostlyPatternIsNeverAResultEvenUnderNot) {
  absl::StatusOr<Schema> schema = Compile({{"not", {{"pattern", "^[a-z]+x$"}}}});
  ASSERT_TRUE(schema.ok());
  absl::Status s = schema->Validate(json(std::string(1000000, 'a')));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("pattern length times text length"));
  EXPECT_TRUE(schema->Validate(json("abcx1")).ok());
}

}  // namespace
}  // namespace jsonschema
}  // namespace bulwark
