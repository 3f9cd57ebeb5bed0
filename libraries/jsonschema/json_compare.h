// File: libraries/jsonschema/json_compare.h
//
// JSON value semantics that JSON Schema needs and nlohmann::json does not give
// exactly: numbers compared by mathematical value across its three number types
// (1 == 1.0, 2^63 as unsigned vs. -1 as signed), "is an integer" for floats
// with no fractional part, deep equality built on that, and a hash consistent
// with it (for uniqueItems).
//
// Thread-safety: pure functions. Errors: none. Deeply nested values are walked
// without recursion.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_JSON_COMPARE_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_JSON_COMPARE_H_

#include <cstddef>

#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace internal {

// -1, 0 or 1 as a < b, a == b, a > b, by exact value. Both must be numbers. NaN
// sorts above every number and equals itself (JSON text cannot carry NaN).
int CompareNumbers(const nlohmann::json& a, const nlohmann::json& b);

// True for integer numbers and for finite floats without a fractional part.
bool IsInteger(const nlohmann::json& value);

// Deep equality where numbers compare by value and objects ignore member order.
bool JsonEqual(const nlohmann::json& a, const nlohmann::json& b);

// A hash with JsonEqual(a, b) implies JsonHash(a) == JsonHash(b).
size_t JsonHash(const nlohmann::json& value);

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_JSON_COMPARE_H_
