// File: libraries/jsonschema/utf8.h
//
// UTF-8 helpers for JSON Schema: counting code points (maxLength/minLength) and
// decoding to UTF-32 for the regular-expression engine, which matches code
// points, not bytes.
//
// Thread-safety: pure functions. Errors: none; each byte of an ill-formed UTF-8
// sequence counts as (and decodes to) U+FFFD, so every input has a defined
// length.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_UTF8_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace bulwark {
namespace jsonschema {
namespace internal {

// The number of Unicode code points in `text`.
size_t CodePointCount(absl::string_view text);

// `text` as UTF-32 code points in a wstring (wchar_t is 32 bits on our
// platforms).
std::wstring DecodeUtf8(absl::string_view text);

// True if every byte of `text` is below 0x80.
bool IsAscii(absl::string_view text);

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_UTF8_H_
