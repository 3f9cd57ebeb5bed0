// File: libraries/jsone/error.h
//
// JSON-e errors. A failed render returns an absl::Status whose message is
// exactly the string the reference implementation's `err.toString()` gives:
//   TemplateError at template.foo[1]["123"][0]: $eval must be given a string
//   expression
//   InterpreterError: unknown context value payload
// so a caller can record status.message() as it is. Error::FromStatus recovers
// the parts (type, location, message) for callers that want them separately.
//
// Types: SyntaxError, InterpreterError, TemplateError and BuiltinError as in
// the reference, plus "Error" for the one failure the reference raises as a
// plain JavaScript Error, an unparsable $fromNow/fromNow offset
// ("Error: String: 'x' isn't a time expression"); like the reference, such
// errors carry no template location.
//
// Statuses that did not come from JSON-e (a context function's own failure)
// pass through rendering unchanged and are not JSON-e errors.
//
// Thread-safety: value types and pure functions.

#ifndef BULWARK_LIBRARIES_JSONE_ERROR_H_
#define BULWARK_LIBRARIES_JSONE_ERROR_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace bulwark::jsone {

enum class ErrorType {
  kSyntaxError,
  kInterpreterError,
  kTemplateError,
  kBuiltinError,
  kError,
};

// "SyntaxError", "InterpreterError", "TemplateError", "BuiltinError" or
// "Error".
std::string_view ErrorTypeName(ErrorType type);

struct Error {
  ErrorType type = ErrorType::kTemplateError;
  // Where in the template: ".key" for identifier-like keys, "[\"key\"]" for
  // others, "[i]" for array items, outermost first; empty when the error is not
  // inside an array or object.
  std::string location;
  std::string message;

  // "<Type>[ at template<location>]: <message>".
  std::string ToString() const;
  // kInvalidArgument with message ToString() and a payload FromStatus reads
  // back.
  absl::Status ToStatus() const;
  // The JSON-e error carried by `status`; nullopt for OK and for other
  // statuses.
  static std::optional<Error> FromStatus(const absl::Status& status);
};

// A JSON-e error status with no location yet.
absl::Status MakeError(ErrorType type, std::string message);
inline absl::Status SyntaxError(std::string message) {
  return MakeError(ErrorType::kSyntaxError, std::move(message));
}
inline absl::Status InterpreterError(std::string message) {
  return MakeError(ErrorType::kInterpreterError, std::move(message));
}
inline absl::Status TemplateError(std::string message) {
  return MakeError(ErrorType::kTemplateError, std::move(message));
}
inline absl::Status BuiltinError(std::string message) {
  return MakeError(ErrorType::kBuiltinError, std::move(message));
}

// Adds `step` (".key", "[\"key\"]" or "[3]") in front of the location of a
// JSON-e error of one of the four JSON-e types; returns any other status
// unchanged.
absl::Status PrependLocation(const absl::Status& status, std::string_view step);

// The location step for object key `key`: ".key" when it matches
// ^[a-zA-Z][a-zA-Z0-9]*$, otherwise the key as a JSON string in brackets.
std::string KeyLocation(std::string_view key);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_ERROR_H_
