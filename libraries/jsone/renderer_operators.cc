// The JSON-e operators that choose or bind: $eval, $fromNow, $if, $json,
// $let, $match and $switch; and the dispatch from operator to implementation.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "libraries/jsone/error.h"
#include "libraries/jsone/from_now.h"
#include "libraries/jsone/identifier.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/operator_support.h"
#include "libraries/jsone/renderer.h"
#include "libraries/jsone/unicode.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone::internal {
namespace {

// $match and $switch: evaluates the conditions of `conditions` (an object) in
// sorted key order, skipping `$default` when `skip_default`, and renders the
// branch of each truthy one.
absl::StatusOr<Array> RenderMatches(const Json& conditions, const Scope& scope, bool skip_default) {
  std::vector<const Json::object_t::value_type*> members;
  for (const auto& member : conditions.get_ref<const Json::object_t&>()) {
    if (!(skip_default && member.first == "$default")) members.push_back(&member);
  }
  std::stable_sort(members.begin(), members.end(),
                   [](auto* a, auto* b) { return CompareUtf16(a->first, b->first) < 0; });
  Array results;
  for (const auto* member : members) {
    BULWARK_ASSIGN_OR_RETURN(Value condition, EvaluateText(member->first, scope));
    if (!IsTruthy(condition)) continue;
    BULWARK_ASSIGN_OR_RETURN(Value result, RenderTemplate(member->second, scope));
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace

absl::StatusOr<Value> EvalOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$eval", [](std::string_view k) { return EndsWith(k, "$eval"); }));
  const Json& source = At(tmpl, "$eval");
  if (!source.is_string()) {
    return TemplateError("$eval must be given a string expression");
  }
  return EvaluateText(source.get_ref<const std::string&>(), scope);
}

absl::StatusOr<Value> FromNowOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$fromNow", [](std::string_view k) {
    return Contains(k, "$fromNow") || EndsWith(k, "from");
  }));
  BULWARK_ASSIGN_OR_RETURN(Value offset, RenderTemplate(At(tmpl, "$fromNow"), scope));
  const Value* now = scope.Lookup("now");
  Value reference = now != nullptr ? *now : Value();
  const Json* from = Member(tmpl, "from");
  if (from != nullptr && NativeTruthy(*from)) {
    BULWARK_ASSIGN_OR_RETURN(reference, RenderTemplate(*from, scope));
  }
  if (!offset.is_string()) return TemplateError("$fromNow expects a string");
  return FromNow(offset.string(), reference, scope.clock());
}

absl::StatusOr<Value> IfOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$if", [](std::string_view k) {
    return Contains(k, "$if") || Contains(k, "then") || EndsWith(k, "else");
  }));
  const Json& condition = At(tmpl, "$if");
  if (!condition.is_string()) {
    return TemplateError("$if can evaluate string expressions only");
  }
  BULWARK_ASSIGN_OR_RETURN(Value result,
                           EvaluateText(condition.get_ref<const std::string&>(), scope));
  const Json* branch;
  if (IsTruthy(result)) {
    if (Member(tmpl, "$then") != nullptr) {
      return TemplateError("$if Syntax error: $then: should be spelled then: (no $)");
    }
    branch = Member(tmpl, "then");
  } else {
    branch = Member(tmpl, "else");
  }
  if (branch == nullptr) return Value::DeleteMarker();
  return RenderTemplate(*branch, scope);
}

absl::StatusOr<Value> JsonOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$json", [](std::string_view k) { return EndsWith(k, "$json"); }));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, "$json"), scope));
  if (value.ContainsFunctions()) {
    return TemplateError("evaluated template contained uncalled functions");
  }
  StringifyOptions options;
  options.key_order = KeyOrder::kUtf16;
  return Value::String(Stringify(value, options));
}

absl::StatusOr<Value> LetOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, "$let", [](std::string_view k) { return Contains(k, "$let") || EndsWith(k, "in"); }));
  const Json& bindings = At(tmpl, "$let");
  if (!bindings.is_object()) return TemplateError("$let value must be an object");
  BULWARK_ASSIGN_OR_RETURN(Value variables, RenderTemplate(bindings, scope));
  if (!variables.is_object()) return TemplateError("$let value must be an object");
  for (const auto& member : variables.object()) {
    if (!IsIdentifier(member.first)) {
      return TemplateError("top level keys of $let must follow /[a-zA-Z_][a-zA-Z0-9_]*/");
    }
  }
  const Json* in = Member(tmpl, "in");
  if (in == nullptr || in->is_null()) {
    return TemplateError("$let operator requires an `in` clause");
  }
  const Scope inner(&scope, &variables.object());
  return RenderTemplate(*in, inner);
}

absl::StatusOr<Value> MatchOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$match", [](std::string_view k) { return EndsWith(k, "$match"); }));
  const Json& conditions = At(tmpl, "$match");
  if (!conditions.is_object()) return TemplateError("$match can evaluate objects only");
  BULWARK_ASSIGN_OR_RETURN(Array results, RenderMatches(conditions, scope, false));
  return Value::MakeArray(std::move(results));
}

absl::StatusOr<Value> SwitchOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$switch", [](std::string_view k) { return EndsWith(k, "$switch"); }));
  const Json& conditions = At(tmpl, "$switch");
  if (!conditions.is_object()) {
    return TemplateError("$switch can evaluate objects only");
  }
  BULWARK_ASSIGN_OR_RETURN(Array results, RenderMatches(conditions, scope, true));
  if (results.size() > 1) {
    return TemplateError("$switch can only have one truthy condition");
  }
  if (results.empty()) {
    const Json* fallback = Member(conditions, "$default");
    if (fallback == nullptr) return Value::DeleteMarker();
    return RenderTemplate(*fallback, scope);
  }
  return results[0];
}

absl::StatusOr<Value> RenderOperator(Operator op, const Json& tmpl, const Scope& scope) {
  switch (op) {
    case Operator::kEval:
      return EvalOp(tmpl, scope);
    case Operator::kFlatten:
      return FlattenOp(tmpl, scope, false);
    case Operator::kFlattenDeep:
      return FlattenOp(tmpl, scope, true);
    case Operator::kFromNow:
      return FromNowOp(tmpl, scope);
    case Operator::kIf:
      return IfOp(tmpl, scope);
    case Operator::kJson:
      return JsonOp(tmpl, scope);
    case Operator::kLet:
      return LetOp(tmpl, scope);
    case Operator::kMap:
      return MapOp(tmpl, scope);
    case Operator::kReduce:
      return ReduceOp(tmpl, scope);
    case Operator::kFind:
      return FindOp(tmpl, scope);
    case Operator::kMatch:
      return MatchOp(tmpl, scope);
    case Operator::kSwitch:
      return SwitchOp(tmpl, scope);
    case Operator::kMerge:
      return MergeOp(tmpl, scope, false);
    case Operator::kMergeDeep:
      return MergeOp(tmpl, scope, true);
    case Operator::kReverse:
      return ReverseOp(tmpl, scope);
    case Operator::kSort:
      return SortOp(tmpl, scope);
  }
  return TemplateError("unknown operator");
}

}  // namespace bulwark::jsone::internal
