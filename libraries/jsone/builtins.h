// File: libraries/jsone/builtins.h
//
// The JSON-e builtin functions: min, max, sqrt, ceil, floor, abs, range,
// lowercase, uppercase, str, number, len, strip, rstrip, lstrip, split, join,
// fromNow, typeof and defined. Argument checking follows the reference: wrong
// types give BuiltinError "invalid arguments to builtin: <name>", too few
// arguments for min/max/range/fromNow "invalid arguments to builtin: <name>:
// expected at least <n> arguments". Where the reference fails with a JavaScript
// TypeError or RangeError (extra arguments to a fixed-arity builtin, range()
// with step 0 and a non-empty span), this gives the BuiltinError above.
//
// Thread-safety: the table is built once and immutable.

#ifndef BULWARK_LIBRARIES_JSONE_BUILTINS_H_
#define BULWARK_LIBRARIES_JSONE_BUILTINS_H_

#include "libraries/jsone/value.h"

namespace bulwark::jsone {

// All builtins, by name, as function values.
const Object& Builtins();

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_BUILTINS_H_
