// Benchmarks for a hook's triggerSchema: compiling it (meta-schema check
// included) and validating trigger payloads against it. Run:
//   bazel run -c opt //libraries/jsonschema:validator_benchmark

#include "benchmark/benchmark.h"
#include "libraries/jsonschema/validator.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace {

using json = nlohmann::json;

// A triggerSchema of the kind hooks carry: a push or pull-request event with a
// repository, a commit, an owner and a few optional lists, referencing shared
// definitions.
const json& TriggerSchema() {
  static const json* const schema = new json(json::parse(R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["event", "repository", "revision", "owner"],
    "additionalProperties": false,
    "definitions": {
      "slug": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8}[Q-T][A-Za-z0-9_-][CGKOSWaeimquy26-][A-Za-z0-9_-]{10}[AQgw]$"},
      "label": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9._-]*$"}
    },
    "properties": {
      "event": {"enum": ["push", "pull_request", "tag", "cron"]},
      "repository": {
        "type": "object",
        "required": ["url", "name"],
        "properties": {
          "url": {"type": "string", "format": "uri", "pattern": "^https://"},
          "name": {"type": "string", "maxLength": 255},
          "private": {"type": "boolean"}
        }
      },
      "revision": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
      "branch": {"type": "string", "minLength": 1, "maxLength": 255},
      "owner": {"type": "string", "format": "email"},
      "taskId": {"$ref": "#/definitions/slug"},
      "labels": {"type": "array", "items": {"$ref": "#/definitions/label"}, "uniqueItems": true, "maxItems": 32},
      "files": {"type": "array", "items": {"type": "string", "maxLength": 4096}},
      "pushedAt": {"type": "string", "format": "date-time"},
      "priority": {"type": "integer", "minimum": 0, "maximum": 10},
      "extra": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}
    },
    "if": {"properties": {"event": {"const": "pull_request"}}},
    "then": {"required": ["branch"]}
  })"));
  return *schema;
}

const json& Payload() {
  static const json* const payload = new json(json::parse(R"({
    "event": "pull_request",
    "repository": {"url": "https://github.com/example/project", "name": "example/project", "private": false},
    "revision": "9f3c1e0b5a7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e",
    "branch": "feature/faster-builds",
    "owner": "release-team@example.com",
    "taskId": "fN1SbArXTPSVFNUvaOlinQ",
    "labels": ["ci", "linux64", "opt", "tests.unit", "tests.integration"],
    "files": ["src/main.cc", "src/server/handler.cc", "docs/README.md", "BUILD.bazel",
              "tests/integration/run.py", "tools/lint.sh", "third_party/BUILD", "config/ci.yml"],
    "pushedAt": "2024-05-17T10:31:07.123Z",
    "priority": 3,
    "extra": {"retries": 2, "notify": true, "channel": "#ci", "ticket": null}
  })"));
  return *payload;
}

void BM_Compile(benchmark::State& state) {
  for (auto _ : state) {
    absl::StatusOr<Schema> schema = Compile(TriggerSchema());
    benchmark::DoNotOptimize(schema);
  }
}
BENCHMARK(BM_Compile);

void BM_IsValid(benchmark::State& state) {
  const Schema schema = Compile(TriggerSchema()).value();
  for (auto _ : state) benchmark::DoNotOptimize(schema.IsValid(Payload()));
}
BENCHMARK(BM_IsValid);

void BM_Validate(benchmark::State& state) {
  const Schema schema = Compile(TriggerSchema()).value();
  for (auto _ : state) benchmark::DoNotOptimize(schema.Validate(Payload()));
}
BENCHMARK(BM_Validate);

// Three errors: a bad revision, a duplicate label and an unknown property.
void BM_ValidateInvalid(benchmark::State& state) {
  const Schema schema = Compile(TriggerSchema()).value();
  json payload = Payload();
  payload["revision"] = "HEAD";
  payload["labels"].push_back("ci");
  payload["unexpected"] = 1;
  for (auto _ : state) benchmark::DoNotOptimize(schema.Validate(payload));
}
BENCHMARK(BM_ValidateInvalid);

// The default triggerSchema, {type: object, additionalProperties: false},
// against {}.
void BM_ValidateDefaultSchema(benchmark::State& state) {
  const Schema schema =
      Compile(json::parse(R"({"type": "object", "additionalProperties": false})")).value();
  const json empty = json::object();
  for (auto _ : state) benchmark::DoNotOptimize(schema.Validate(empty));
}
BENCHMARK(BM_ValidateDefaultSchema);

}  // namespace
}  // namespace jsonschema
}  // namespace bulwark
