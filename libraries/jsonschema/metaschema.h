// File: libraries/jsonschema/metaschema.h
//
// The JSON Schema draft-07 meta-schema, http://json-schema.org/draft-07/schema#
// as published: json-schema-org/json-schema-spec at 567f768, the revision
// json-schema.org serves (sha256 of the text 692e1d16...dae8404). Compile()
// validates every schema against it, and a `$ref` to its URI resolves to it
// without network access.
//
// Thread-safety: constant data; the parsed document is built once, on first
// use, safely. Errors: none.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_METASCHEMA_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_METASCHEMA_H_

#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {

// The meta-schema's `$id` without the empty fragment.
inline constexpr char kDraft07MetaSchemaUri[] = "http://json-schema.org/draft-07/schema";

// The meta-schema document, byte for byte as published.
extern const char kDraft07MetaSchema[];

// kDraft07MetaSchema parsed, for the life of the process.
const nlohmann::json& Draft07MetaSchemaDocument();

}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_METASCHEMA_H_
