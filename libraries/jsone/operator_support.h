// File: libraries/jsone/operator_support.h
//
// Internal to the renderer: the pieces the operator implementations share
// (checking an operator's property names the way the reference does, reading
// template members, evaluating expression text) and the operators themselves,
// in renderer_operators.cc ($eval, $fromNow, $if, $json, $let, $match,
// $switch) and renderer_collections.cc ($flatten, $flattenDeep, $map, $reduce,
// $find, $merge, $mergeDeep, $reverse, $sort). Each operator follows the
// reference's order of checks, so the same template fails with the same error.
//
// Thread-safety: reentrant; templates and scopes are only read.

#ifndef BULWARK_LIBRARIES_JSONE_OPERATOR_SUPPORT_H_
#define BULWARK_LIBRARIES_JSONE_OPERATOR_SUPPORT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libraries/jsone/renderer.h"
#include "libraries/jsone/scope.h"
#include "libraries/jsone/value.h"

namespace bulwark::jsone::internal {

// Matches all of `text` against name\(ID(,\s*ID)*\) with between `min` and
// `max` identifiers, which are stored in *ids.
bool MatchCall(std::string_view text, std::string_view name, size_t min, size_t max,
               std::vector<std::string_view>* ids);

// Whether some suffix of `key` matches name\(...\) (an unanchored search
// ending at $).
bool EndsWithCall(std::string_view key, std::string_view name, size_t min, size_t max);

bool Contains(std::string_view key, std::string_view part);
bool EndsWith(std::string_view key, std::string_view suffix);

// The reference joins an operator's allowed property patterns into /a|b|c$/:
// all but the last match anywhere in the key, the last must end it. A filter
// says whether a key is allowed.
using KeyFilter = bool (*)(std::string_view key);

// TemplateError "<op> has undefined properties: k1 k2" (sorted) for the keys
// of `tmpl` that `allowed` rejects.
absl::Status CheckProperties(const Json& tmpl, std::string_view op, KeyFilter allowed);

// The key other than those named, in key order; empty if there is none.
std::string_view OtherKey(const Json& tmpl, std::string_view a, std::string_view b = {});

// JavaScript truthiness of a raw template value (empty arrays and objects are
// true).
bool NativeTruthy(const Json& v);

// Parses (or fetches from the scope's cache) and evaluates `source`.
absl::StatusOr<Value> EvaluateText(const std::string& source, const Scope& scope);

// Member `key` of template object `tmpl`, or nullptr.
const Json* Member(const Json& tmpl, std::string_view key);
// Member `key`, which the caller knows is present.
const Json& At(const Json& tmpl, std::string_view key);

// The operators: `tmpl` is the operator's object.
absl::StatusOr<Value> EvalOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> FromNowOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> IfOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> JsonOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> LetOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> MatchOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> SwitchOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> FlattenOp(const Json& tmpl, const Scope& scope, bool deep);
absl::StatusOr<Value> MapOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> ReduceOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> FindOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> MergeOp(const Json& tmpl, const Scope& scope, bool deep);
absl::StatusOr<Value> ReverseOp(const Json& tmpl, const Scope& scope);
absl::StatusOr<Value> SortOp(const Json& tmpl, const Scope& scope);

}  // namespace bulwark::jsone::internal

#endif  // BULWARK_LIBRARIES_JSONE_OPERATOR_SUPPORT_H_
