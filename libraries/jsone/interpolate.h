// File: libraries/jsone/interpolate.h
//
// String interpolation: every ${expr} in a template string (values and object
// keys) is replaced by the expression's value (strings as they are, numbers as
// JavaScript prints them, booleans, null as ""), and $${ is a literal ${.
// Interpolations run left to right, each parsed only when reached, so an error
// in an earlier one wins.
//
// Thread-safety: reentrant. Errors: SyntaxError ("unterminated ${..}
// expression", parse errors), TemplateError "interpolation of '<expr>' produced
// an array or object", and any evaluation error.

#ifndef BULWARK_LIBRARIES_JSONE_INTERPOLATE_H_
#define BULWARK_LIBRARIES_JSONE_INTERPOLATE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libraries/jsone/scope.h"

namespace bulwark::jsone {

// True when `text` contains "${" and so needs Interpolate.
inline bool NeedsInterpolation(std::string_view text) {
  return text.find("${") != std::string_view::npos;
}

// Appends `text` with its interpolations replaced to *out.
absl::Status Interpolate(std::string_view text, const Scope& scope, std::string* out);

// `text` with its interpolations replaced.
absl::StatusOr<std::string> Interpolate(std::string_view text, const Scope& scope);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_INTERPOLATE_H_
