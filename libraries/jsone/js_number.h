// File: libraries/jsone/js_number.h
//
// JavaScript number semantics that JSON-e output depends on:
// Number.prototype.toString (the shortest round-trip digits laid out the way JS
// prints them: 1, 0.1, 1e+21, 1e-7, NaN, Infinity) and the Number(string)
// conversion used by the `number` builtin.
//
// Thread-safety: pure functions. Errors: none; unparsable input gives NaN, as
// in JS.

#ifndef BULWARK_LIBRARIES_JSONE_JS_NUMBER_H_
#define BULWARK_LIBRARIES_JSONE_JS_NUMBER_H_

#include <string>
#include <string_view>

namespace bulwark::jsone {

// Appends `value` to `out` exactly as JavaScript's String(value) writes it.
void AppendJsNumber(double value, std::string* out);

// Returns String(value) as JavaScript writes it.
std::string FormatJsNumber(double value);

// JavaScript's Number(text): trims JS whitespace; "" is 0; accepts decimal
// literals with an optional sign and exponent, "Infinity", and 0x/0o/0b
// integers; anything else is NaN.
double ParseJsNumber(std::string_view text);

// True when `value` is finite and has no fractional part (Number.isInteger).
bool IsJsInteger(double value);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_JS_NUMBER_H_
