// File: libraries/jsone/interpreter.h
//
// Evaluates a parsed JSON-e expression in a scope, with the reference's type
// rules and InterpreterError messages ("infix: + expects numbers/strings +
// numbers/strings", "unknown context value x", "index out of bounds", ...).
// Strings are indexed and sliced by code point; string ordering is JavaScript's
// (UTF-16 code units); indices and slice bounds follow the reference's
// arithmetic, including its JavaScript coercions.
//
// Thread-safety: reentrant; the expression and scope are only read.

#ifndef BULWARK_LIBRARIES_JSONE_INTERPRETER_H_
#define BULWARK_LIBRARIES_JSONE_INTERPRETER_H_

#include "absl/status/statusor.h"
#include "libraries/jsone/expression.h"
#include "libraries/jsone/scope.h"
#include "libraries/jsone/value.h"

namespace bulwark::jsone {

absl::StatusOr<Value> Evaluate(const Expression& expression, const Scope& scope);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_INTERPRETER_H_
