// File: libraries/jsonschema/validator.h
//
// JSON Schema draft-07 validation: Compile a schema once, then Validate many
// instances against it (hooks validate every trigger payload against the
// hook's stored triggerSchema).
//
//   absl::StatusOr<jsonschema::Schema> schema =
//       jsonschema::Compile(trigger_schema);
//   if (!schema.ok()) return schema.status();  // Not a valid schema.
//   absl::Status valid = schema->Validate(payload);
//   // INVALID_ARGUMENT: "/tags/0: must be string (type); (root): must have
//   // required property \"owner\" (required)"
//
// Supported: every draft-07 validation keyword (type, enum, const, multipleOf,
// maximum, exclusiveMaximum, minimum, exclusiveMinimum, maxLength/minLength in
// code points, pattern, format, items, additionalItems, maxItems, minItems,
// uniqueItems, contains, maxProperties, minProperties, required, properties,
// patternProperties, additionalProperties, dependencies, propertyNames,
// if/then/else, allOf, anyOf, oneOf, not), boolean schemas, `definitions`, and
// `$ref` within the document: JSON-pointer fragments, `$id`-based URIs and
// anchors, and the draft-07 meta-schema's own URI. Remote references are never
// fetched (Compile fails on them). Numbers compare by value (1.0 is an integer
// and equals 1). Patterns are ECMA-262 (see ecma_regex.h for the limits); the
// formats are those of formats.h, and unknown formats accept everything.
//
// Thread-safety: a Schema is immutable; Validate, Errors and IsValid may run
// concurrently from any number of threads. Copies are cheap and share the
// compiled form.
//
// Errors:
//  * Compile returns INVALID_ARGUMENT when the schema is not a valid draft-07
//    schema (checked against the meta-schema; the message lists the failing
//    paths in the schema), nests deeper than kMaxSchemaNesting, declares a
//    `$schema` other than draft-07, has a `$ref` that does not resolve, or
//    uses a regular expression feature std::regex cannot run.
//  * Validate returns INVALID_ARGUMENT listing up to kMaxReportedErrors errors
//    as "<instance path>: <message> (<keyword>)" joined by "; ". Instances of
//    any depth are safe: a `$ref` loop, or evaluation nested deeper than 500
//    schema applications (only reachable through recursive `$ref`s), is an
//    error rather than a hang or a stack overflow. Work is bounded: more than
//    Limits::max_steps schema applications (nested anyOf/oneOf/$ref are
//    exponential), or passing Limits::deadline, is RESOURCE_EXHAUSTED; a
//    pattern too costly to run (ecma_regex.h) likewise ends the evaluation.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_VALIDATOR_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_VALIDATOR_H_

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/jsonschema/validation_error.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {

namespace internal {
struct CompiledSchema;
}  // namespace internal

class Schema {
 public:
  // How many errors Validate puts in its message; the rest are counted ("and 3
  // more").
  static constexpr size_t kMaxReportedErrors = 20;
  // How many errors Errors returns at most.
  static constexpr size_t kMaxErrors = 1000;
  // How deeply a schema document may nest (arrays and objects, at any
  // position).
  static constexpr size_t kMaxSchemaNesting = 512;

  // The work one Validate may do: schema applications, and the caller's deadline.
  struct Limits {
    uint64_t max_steps = 1000000;
    absl::Time deadline = absl::InfiniteFuture();
  };

  // OK, or INVALID_ARGUMENT listing what does not match, or RESOURCE_EXHAUSTED when the
  // evaluation needed more than `limits` allow (then nothing is known about the instance).
  absl::Status Validate(const nlohmann::json& instance) const { return Validate(instance, {}); }
  absl::Status Validate(const nlohmann::json& instance, const Limits& limits) const;

  // Every error (up to kMaxErrors), in evaluation order; empty when the
  // instance is valid.
  std::vector<ValidationError> Errors(const nlohmann::json& instance) const;

  // Whether the instance is valid; stops at the first failure and builds no
  // messages.
  bool IsValid(const nlohmann::json& instance) const;

  // The schema document as compiled.
  const nlohmann::json& document() const;

 private:
  friend absl::StatusOr<Schema> Compile(const nlohmann::json& schema);
  friend absl::StatusOr<Schema> CompileWithoutMetaSchemaCheck(const nlohmann::json& schema);

  explicit Schema(std::shared_ptr<const internal::CompiledSchema> compiled)
      : compiled_(std::move(compiled)) {}

  std::shared_ptr<const internal::CompiledSchema> compiled_;
};

// Checks `schema` against the draft-07 meta-schema and compiles it.
absl::StatusOr<Schema> Compile(const nlohmann::json& schema);

// Compiles without the meta-schema check (for schemas already known to be
// valid, such as the meta-schema itself). A malformed keyword is still an
// error; a subtly invalid schema (say, `"minLength": -1`) may be reported
// differently than Compile would.
absl::StatusOr<Schema> CompileWithoutMetaSchemaCheck(const nlohmann::json& schema);

}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_VALIDATOR_H_
