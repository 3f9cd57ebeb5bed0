// File: libraries/jsone/unicode.h
//
// UTF-8 string helpers with the semantics JSON-e needs: counting, indexing and
// slicing by Unicode code point; comparing strings in JavaScript's order
// (UTF-16 code units); JavaScript's whitespace set for strip/lstrip/rstrip; and
// case mapping for lowercase/uppercase.
//
// Inputs must be valid UTF-8 (nlohmann::json guarantees this for parsed text).
// Case mapping follows Unicode's default case conversion as JavaScript does:
// single code point mappings come from glibc's C.UTF-8 locale, upper cases
// that are several code points (ß -> SS, ligatures) from special_casing.inc,
// and capital sigma lower-cases to ς at the end of a word. glibc's tables may
// lag JavaScript's Unicode version, so characters added in recent Unicode
// versions may keep their case; without a C.UTF-8 locale only ASCII is mapped.
//
// Thread-safety: pure functions. Errors: none.

#ifndef BULWARK_LIBRARIES_JSONE_UNICODE_H_
#define BULWARK_LIBRARIES_JSONE_UNICODE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace bulwark::jsone {

// True when every byte is below 0x80.
bool IsAscii(std::string_view text);

// Decodes the code point starting at byte `*pos` and advances `*pos` past it.
char32_t DecodeUtf8(std::string_view text, size_t* pos);

// Appends `code_point` to `out` as UTF-8.
void AppendUtf8(char32_t code_point, std::string* out);

// Number of code points in `text`.
size_t CodePointCount(std::string_view text);

// The code points [begin, end) of `text`; 0 <= begin <= end <=
// CodePointCount(text).
std::string_view CodePointSubstr(std::string_view text, size_t begin, size_t end);

// Three-way comparison in JavaScript's order (by UTF-16 code unit): <0, 0 or
// >0.
int CompareUtf16(std::string_view a, std::string_view b);

// True for the characters JavaScript's \s and String.prototype.trim treat as
// whitespace.
bool IsJsWhitespace(char32_t code_point);

// `text` without leading (`left`) and/or trailing (`right`) JavaScript
// whitespace.
std::string_view TrimJsWhitespace(std::string_view text, bool left, bool right);

// String.prototype.toLowerCase / toUpperCase (see the coverage note above).
std::string JsToLower(std::string_view text);
std::string JsToUpper(std::string_view text);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_UNICODE_H_
