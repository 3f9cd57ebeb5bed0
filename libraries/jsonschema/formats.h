// File: libraries/jsonschema/formats.h
//
// Checkers for the JSON Schema draft-07 `format` keyword: date-time, date, time
// (RFC 3339), email, idn-email, hostname, idn-hostname, ipv4, ipv6, uri,
// uri-reference, iri, iri-reference, uri-template, json-pointer,
// relative-json-pointer, regex (ECMA-262, as EcmaRegex accepts it), plus uuid
// (RFC 4122 text form, from later drafts; hook schemas use it). The idn-*
// checks accept non-ASCII characters without applying IDNA rules. Formats apply
// to strings only; the validator passes other types without calling a checker.
//
// Thread-safety: the checkers are pure functions. Errors: none; a checker
// returns false.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_FORMATS_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_FORMATS_H_

#include "absl/strings/string_view.h"

namespace bulwark {
namespace jsonschema {

using FormatChecker = bool (*)(absl::string_view value);

// The checker for format `name`, or nullptr for a format this library does not
// know (an unknown format is an annotation only and accepts every value, as
// draft-07 specifies).
FormatChecker FindFormatChecker(absl::string_view name);

}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_FORMATS_H_
