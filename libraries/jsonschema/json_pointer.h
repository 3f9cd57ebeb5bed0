// File: libraries/jsonschema/json_pointer.h
//
// RFC 6901 JSON Pointers: escaping reference tokens (for error paths such as
// `/a~1b/0`), resolving a pointer against a document (for `$ref` fragments),
// and the syntax checks behind the formats "json-pointer" and
// "relative-json-pointer".
//
// Thread-safety: pure functions. Errors: ResolvePointer returns NOT_FOUND
// naming the pointer when it is malformed or leads nowhere.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_JSON_POINTER_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_JSON_POINTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace internal {

// `token` with '~' written as "~0" and '/' as "~1".
std::string EscapePointerToken(absl::string_view token);

// The value `pointer` (already percent-decoded, e.g. "/definitions/a~1b/0")
// designates in `root`. The result points into `root`.
absl::StatusOr<const nlohmann::json*> ResolvePointer(const nlohmann::json& root,
                                                     absl::string_view pointer);

// Format checks: RFC 6901 syntax, and the relative JSON pointer draft
// (a non-negative integer followed by '#' or a JSON pointer).
bool IsJsonPointer(absl::string_view text);
bool IsRelativeJsonPointer(absl::string_view text);

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_JSON_POINTER_H_
