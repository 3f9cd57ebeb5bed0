// File: libraries/jsonschema/compiler.h
//
// CompileSchema (internal): turns a draft-07 schema document into a
// CompiledSchema: parses every keyword once, compiles every pattern once, and
// links every `$ref` to its Node (cycles allowed). Only validation keywords are
// compiled, plus `definitions` so that a broken reference anywhere in the
// document is reported at compile time. Unknown keywords are ignored, as
// draft-07 specifies.
//
// It does not check the document against the meta-schema (validator.cc does
// that first), but it still reports any malformed keyword it meets rather than
// misreading it.
//
// Thread-safety: pure function; the result is immutable.
// Errors: INVALID_ARGUMENT naming the schema location, for an unresolvable
// `$ref`, an invalid or unsupported regular expression, or a keyword of the
// wrong type.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_COMPILER_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_COMPILER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "libraries/jsonschema/schema_node.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace internal {

absl::StatusOr<std::shared_ptr<const CompiledSchema>> CompileSchema(const nlohmann::json& schema);

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_COMPILER_H_
