// File: libraries/jsone/identifier.h
//
// JSON-e identifiers, /^[a-zA-Z_][a-zA-Z0-9_]*$/: variable names in
// expressions, and the rule for context keys, $let keys and each(...)/by(...)
// parameters.
//
// Thread-safety: pure functions.

#ifndef BULWARK_LIBRARIES_JSONE_IDENTIFIER_H_
#define BULWARK_LIBRARIES_JSONE_IDENTIFIER_H_

#include <string_view>

namespace bulwark::jsone {

inline bool IsIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

inline bool IsIdentifierChar(char c) { return IsIdentifierStart(c) || (c >= '0' && c <= '9'); }

inline bool IsIdentifier(std::string_view s) {
  if (s.empty() || !IsIdentifierStart(s[0])) return false;
  for (char c : s.substr(1)) {
    if (!IsIdentifierChar(c)) return false;
  }
  return true;
}

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_IDENTIFIER_H_
