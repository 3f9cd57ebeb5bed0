// File: libraries/jsonschema/validation_error.h
//
// ValidationError: one reason an instance does not match a JSON Schema, naming
// where in the instance (a JSON pointer), which keyword failed and where that
// keyword sits in the schema.
//
// Thread-safety: a plain value type. Errors: none.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_VALIDATION_ERROR_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_VALIDATION_ERROR_H_

#include <string>

namespace bulwark {
namespace jsonschema {

struct ValidationError {
  // JSON pointer (RFC 6901) to the failing value in the instance: "" for the
  // instance itself, "/tags/0" for the first element of its "tags" member.
  std::string instance_path;
  // The failing keyword: "type", "required", "additionalProperties", ...;
  // "false schema" when the schema at that point is `false`.
  std::string keyword;
  // The keyword's location in the schema as a URI reference:
  // "#/properties/tags/items/type", or an absolute URI with fragment for a
  // keyword in the built-in meta-schema.
  std::string schema_path;
  // What is wrong, e.g. "must be string".
  std::string message;

  // "<instance_path or (root)>: <message> (<keyword>)", e.g. "/tags/0: must be
  // string (type)".
  std::string ToString() const;
};

inline bool operator==(const ValidationError& a, const ValidationError& b) {
  return a.instance_path == b.instance_path && a.keyword == b.keyword &&
         a.schema_path == b.schema_path && a.message == b.message;
}

}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_VALIDATION_ERROR_H_
