#include "libraries/jsonschema/schema_registry.h"

#include <map>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

TEST(SchemaRegistryTest, VisitsEverySubschemaKeyword) {
  const json schema = json::parse(R"({
    "items": [true, {"type": "string"}], "additionalItems": false, "contains": {},
    "properties": {"a/b": {}}, "patternProperties": {"^x": {}}, "additionalProperties": {},
    "definitions": {"d": {}}, "dependencies": {"p": ["q"], "r": {}}, "propertyNames": {},
    "allOf": [{}], "anyOf": [{}, {}], "oneOf": [{}], "not": {}, "if": {}, "then": {},
    "else": {}, "enum": [{"type": "x"}], "const": {"properties": {}}, "unknown": {}})");
  std::map<std::string, const json*> seen;
  ForEachSubschema(
      schema, [&](const json& subschema, const std::string& suffix) { seen[suffix] = &subschema; });
  std::vector<std::string> suffixes;
  for (const auto& [suffix, subschema] : seen) suffixes.push_back(suffix);
  EXPECT_THAT(suffixes, ::testing::UnorderedElementsAre(
                            "/items/0", "/items/1", "/additionalItems", "/contains",
                            "/properties/a~1b", "/patternProperties/^x", "/additionalProperties",
                            "/definitions/d", "/dependencies/r", "/propertyNames", "/allOf/0",
                            "/anyOf/0", "/anyOf/1", "/oneOf/0", "/not", "/if", "/then", "/else"));
  EXPECT_EQ(seen["/items/1"], &schema["items"][1]);
}

TEST(SchemaRegistryTest, ResolvesPointersAnchorsAndIds) {
  const json schema = json::parse(R"({
    "$id": "http://example.com/root.json",
    "definitions": {
      "a%b": {"type": "integer"},
      "anchored": {"$id": "#here"},
      "nested": {"$id": "nested/inner.json", "definitions": {"x": {"$id": "#x"}}},
      "ignored": {"$id": "http://example.com/ignored.json", "$ref": "#"}
    }})");
  SchemaRegistry registry(schema);
  const std::string base = "http://example.com/root.json";

  absl::StatusOr<SchemaRegistry::Target> target = registry.Resolve(base, "#");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->schema, &schema);

  target = registry.Resolve(base, "#/definitions/a%25b");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->schema, &schema["definitions"]["a%b"]);
  EXPECT_EQ(target->scope.location, "#/definitions/a%b");
  EXPECT_EQ(target->scope.base, base);

  target = registry.Resolve(base, "#here");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->schema, &schema["definitions"]["anchored"]);

  target = registry.Resolve(base, "nested/inner.json#x");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->schema, &schema["definitions"]["nested"]["definitions"]["x"]);
  EXPECT_EQ(target->scope.base, "http://example.com/nested/inner.json");

  // An $id beside $ref does not identify anything (draft-07).
  EXPECT_EQ(registry.Resolve(base, "ignored.json").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SchemaRegistryTest, DocumentWithoutIdUsesTheDefaultBase) {
  const json schema = json::parse(R"({"definitions": {"a": {}}})");
  SchemaRegistry registry(schema);
  const SchemaRegistry::Scope scope = registry.ScopeOf(schema, {"", ""});
  EXPECT_EQ(scope.base, kDefaultBaseUri);
  EXPECT_EQ(scope.location, "#");
  absl::StatusOr<SchemaRegistry::Target> target = registry.Resolve(scope.base, "#/definitions/a");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->schema, &schema["definitions"]["a"]);
}

TEST(SchemaRegistryTest, KnowsTheMetaSchema) {
  const json schema = json::object();
  SchemaRegistry registry(schema);
  absl::StatusOr<SchemaRegistry::Target> target =
      registry.Resolve(kDefaultBaseUri,
                       "http://json-schema.org/draft-07/schema#/definitions/"
                       "nonNegativeInteger");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->schema->at("minimum"), 0);
  EXPECT_EQ(target->scope.location,
            "http://json-schema.org/draft-07/schema#/definitions/nonNegativeInteger");
}

TEST(SchemaRegistryTest, ReportsWhatDoesNotResolve) {
  const json schema = json::parse(R"({"definitions": {"a": {}}})");
  SchemaRegistry registry(schema);
  struct Case {
    const char* ref;
    const char* message;
  };
  for (const Case& c :
       {Case{"#/definitions/b", "does not resolve"}, Case{"#nowhere", "no such anchor"},
        Case{"http://localhost:1234/x.json", "remote references are not fetched"},
        Case{"other.json#/a", "remote references are not fetched"}}) {
    absl::StatusOr<SchemaRegistry::Target> target = registry.Resolve(kDefaultBaseUri, c.ref);
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument) << c.ref;
    EXPECT_THAT(target.status().message(), HasSubstr(c.message)) << c.ref;
    EXPECT_THAT(target.status().message(), HasSubstr(c.ref)) << c.ref;
  }
}

}  // namespace
}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
