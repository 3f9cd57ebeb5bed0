// File: libraries/scopes/expression_json.h
//
// Conversion between scope expressions (expression.h) and their JSON form
// (`"scope"`, `{"AllOf": [...]}`, `{"AnyOf": [...]}`), for the scopes tool and
// for services that read expressions from requests or API declarations.
//
// Thread-safety: pure functions. Errors: `ExpressionFromJson` returns
// INVALID_ARGUMENT with the upstream message "expected a valid scope
// expression" for anything upstream validExpression rejects.

#ifndef BULWARK_LIBRARIES_SCOPES_EXPRESSION_JSON_H_
#define BULWARK_LIBRARIES_SCOPES_EXPRESSION_JSON_H_

#include "absl/status/statusor.h"
#include "libraries/scopes/expression.h"
#include "nlohmann/json.hpp"

namespace bulwark::scopes {

// Upstream validExpression, returning false where upstream throws: a string
// must be a valid scope; an object must have exactly one key, "AllOf" or
// "AnyOf", holding an array of valid expressions. Anything else (null, numbers,
// arrays, other keys) is invalid.
bool IsValidExpressionJson(const nlohmann::json& json);

absl::StatusOr<Expression> ExpressionFromJson(const nlohmann::json& json);

nlohmann::json ExpressionToJson(const Expression& expr);

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_EXPRESSION_JSON_H_
