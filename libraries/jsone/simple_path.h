// File: libraries/jsone/simple_path.h
//
// A fast path for the commonest expressions in real templates: a variable name
// followed by property accesses, e.g. `taskId` or `event.repository.name`
// (ASCII spaces around the whole path allowed). Such text is evaluated
// directly, with the same results and errors as parsing and interpreting it;
// anything else (keywords, other whitespace, operators) is left to the parser.
//
// Thread-safety: pure functions of their arguments.

#ifndef BULWARK_LIBRARIES_JSONE_SIMPLE_PATH_H_
#define BULWARK_LIBRARIES_JSONE_SIMPLE_PATH_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "libraries/jsone/scope.h"
#include "libraries/jsone/value.h"

namespace bulwark::jsone {

// The value of `source` when all of it is a simple path; nullopt otherwise.
std::optional<absl::StatusOr<Value>> EvaluateSimplePath(std::string_view source,
                                                        const Scope& scope);

// For interpolations: when `source` (the text after "${") starts with a simple
// path followed by "}", its value, with *length set to the bytes up to and
// including the "}".
std::optional<absl::StatusOr<Value>> EvaluateSimpleInterpolation(std::string_view source,
                                                                 const Scope& scope,
                                                                 size_t* length);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_SIMPLE_PATH_H_
