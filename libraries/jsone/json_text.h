// File: libraries/jsone/json_text.h
//
// Text forms of values as JavaScript writes them: JSON text like
// JSON.stringify (used by `$json`, which sorts keys, and by the jsone command)
// and String(value) (used by string interpolation, `join` and error messages).
//
// Thread-safety: pure functions. Errors: none.

#ifndef BULWARK_LIBRARIES_JSONE_JSON_TEXT_H_
#define BULWARK_LIBRARIES_JSONE_JSON_TEXT_H_

#include <string>
#include <string_view>

#include "libraries/jsone/value.h"

namespace bulwark::jsone {

// Appends `text` as a JSON string literal escaped as JSON.stringify does (", \,
// and control characters; everything else as is).
void AppendJsonString(std::string_view text, std::string* out);

enum class KeyOrder {
  kCodePoint,  // Object order (byte order of UTF-8, i.e. code point order).
  kUtf16,      // JavaScript's default sort, as json-stable-stringify uses for
               // $json.
};

struct StringifyOptions {
  KeyOrder key_order = KeyOrder::kCodePoint;
  // Spaces per nesting level; 0 writes everything on one line without spaces.
  int indent = 0;
};

// JSON text of `value` as JSON.stringify writes it: numbers as JavaScript
// prints them, NaN and infinities as null, functions omitted from objects and
// null in arrays.
std::string Stringify(const Value& value, const StringifyOptions& options = {});
void AppendStringified(const Value& value, const StringifyOptions& options, std::string* out);

// Appends String(value): numbers as JavaScript prints them, arrays joined with
// "," (null items empty), objects as "[object Object]".
void AppendJsString(const Value& value, std::string* out);
std::string JsString(const Value& value);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_JSON_TEXT_H_
