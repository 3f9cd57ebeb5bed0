// The JSON-e operators ($eval, $if, $let, $map, ...), in the reference's order
// of checks so that the same template fails with the same error.

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "libraries/jsone/error.h"
#include "libraries/jsone/expression_cache.h"
#include "libraries/jsone/from_now.h"
#include "libraries/jsone/identifier.h"
#include "libraries/jsone/interpolate.h"
#include "libraries/jsone/interpreter.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/renderer.h"
#include "libraries/jsone/simple_path.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/jsone/unicode.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone::internal {
namespace {

// --- Property names ---

// Matches all of `text` against name\(ID(,\s*ID)*\) with between `min` and
// `max` identifiers, which are stored in *ids.
bool MatchCall(std::string_view text, std::string_view name, size_t min,
               size_t max, std::vector<std::string_view>* ids) {
  ids->clear();
  if (text.substr(0, name.size()) != name) return false;
  size_t pos = name.size();
  if (pos >= text.size() || text[pos++] != '(') return false;
  while (true) {
    const size_t start = pos;
    if (pos >= text.size() || !IsIdentifierStart(text[pos])) return false;
    while (pos < text.size() && IsIdentifierChar(text[pos])) ++pos;
    ids->push_back(text.substr(start, pos - start));
    if (pos < text.size() && text[pos] == ')') {
      return pos + 1 == text.size() && ids->size() >= min && ids->size() <= max;
    }
    if (pos >= text.size() || text[pos++] != ',') return false;
    while (pos < text.size()) {
      size_t next = pos;
      if (!IsJsWhitespace(DecodeUtf8(text, &next))) break;
      pos = next;
    }
  }
}

// Whether some suffix of `key` matches name\(...\) (an unanchored search ending
// at $).
bool EndsWithCall(std::string_view key, std::string_view name, size_t min,
                  size_t max) {
  std::vector<std::string_view> ids;
  for (size_t p = key.find(name); p != std::string_view::npos;
       p = key.find(name, p + 1)) {
    if (MatchCall(key.substr(p), name, min, max, &ids)) return true;
  }
  return false;
}

bool Contains(std::string_view key, std::string_view part) {
  return key.find(part) != std::string_view::npos;
}
bool EndsWith(std::string_view key, std::string_view suffix) {
  return key.size() >= suffix.size() &&
         key.substr(key.size() - suffix.size()) == suffix;
}

// The reference joins the allowed patterns into /a|b|c$/: all but the last
// match anywhere in the key, the last must end it.
using KeyFilter = bool (*)(std::string_view key);

absl::Status CheckProperties(const Json& tmpl, std::string_view op,
                             KeyFilter allowed) {
  std::vector<std::string_view> unknown;
  for (const auto& member : tmpl.get_ref<const Json::object_t&>()) {
    if (!allowed(member.first)) unknown.push_back(member.first);
  }
  if (unknown.empty()) return absl::OkStatus();
  std::sort(unknown.begin(), unknown.end(),
            [](std::string_view a, std::string_view b) {
              return CompareUtf16(a, b) < 0;
            });
  std::string message = Cat(op, " has undefined properties:");
  for (std::string_view key : unknown) message.append(" ").append(key);
  return TemplateError(std::move(message));
}

// The key other than those named, in key order; empty if there is none.
std::string_view OtherKey(const Json& tmpl, std::string_view a,
                          std::string_view b = {}) {
  for (const auto& member : tmpl.get_ref<const Json::object_t&>()) {
    if (member.first != a && member.first != b) return member.first;
  }
  return {};
}

// --- Helpers ---

// JavaScript truthiness of a raw template value (empty arrays and objects are
// true).
bool NativeTruthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return v.get<bool>();
    case Json::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      return d != 0 && !std::isnan(d);
    }
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return v.get<int64_t>() != 0;
    default:
      return true;
  }
}

absl::StatusOr<Value> EvaluateText(const std::string& source,
                                   const Scope& scope) {
  if (auto simple = EvaluateSimplePath(source, scope))
    return *std::move(simple);
  ParsedText scratch;
  const ParsedText& parsed = ParsedExpression(scope.cache(), source, &scratch);
  if (!parsed.expression.ok()) return parsed.expression.status();
  return Evaluate(*parsed.expression, scope);
}

const Json* Member(const Json& tmpl, std::string_view key) {
  const auto& members = tmpl.get_ref<const Json::object_t&>();
  auto it = members.find(key);  // Transparent comparator: no temporary string.
  return it == members.end() ? nullptr : &it->second;
}

// The member `key`, which the caller knows is present.
const Json& At(const Json& tmpl, std::string_view key) {
  return *Member(tmpl, key);
}

void AppendFlattened(const Value& v, bool deep, Array* out) {
  if (!v.is_array()) {
    out->push_back(v);
    return;
  }
  out->reserve(out->size() + v.array().size());
  for (const Value& item : v.array()) {
    if (deep) {
      AppendFlattened(item, true, out);
    } else {
      out->push_back(item);
    }
  }
}

Object MergeObjects(absl::Span<const Value> objects) {
  std::vector<Object::Member> members;
  size_t total = 0;
  for (const Value& object : objects) total += object.object().size();
  members.reserve(total);
  for (const Value& object : objects) {
    for (const auto& member : object.object()) members.push_back(member);
  }
  return Object::FromMembers(std::move(members));
}

Value MergeDeep(const Value& left, const Value& right) {
  if (left.is_array() && right.is_array()) {
    Array items = left.array();
    items.insert(items.end(), right.array().begin(), right.array().end());
    return Value::MakeArray(std::move(items));
  }
  if (left.is_object() && right.is_object()) {
    Object result = left.object();
    for (const auto& [key, value] : right.object()) {
      const Value* existing = left.object().Find(key);
      result.Set(key,
                 existing != nullptr ? MergeDeep(*existing, value) : value);
    }
    return Value::MakeObject(std::move(result));
  }
  return right;
}

bool AllObjects(const Value& v) {
  return v.is_array() &&
         std::all_of(v.array().begin(), v.array().end(),
                     [](const Value& x) { return x.is_object(); });
}

// --- Operators ---

absl::StatusOr<Value> Eval(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, "$eval", [](std::string_view k) { return EndsWith(k, "$eval"); }));
  const Json& source = At(tmpl, "$eval");
  if (!source.is_string()) {
    return TemplateError("$eval must be given a string expression");
  }
  return EvaluateText(source.get_ref<const std::string&>(), scope);
}

absl::StatusOr<Value> Flatten(const Json& tmpl, const Scope& scope, bool deep) {
  const std::string_view op = deep ? "$flattenDeep" : "$flatten";
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, op,
      deep ? KeyFilter(
                 [](std::string_view k) { return EndsWith(k, "$flattenDeep"); })
           : KeyFilter(
                 [](std::string_view k) { return EndsWith(k, "$flatten"); })));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, op), scope));
  if (!value.is_array()) {
    return TemplateError(Cat(op, " value must evaluate to an array"));
  }
  Array items;
  items.reserve(value.array().size());
  for (const Value& item : value.array()) AppendFlattened(item, deep, &items);
  return Value::MakeArray(std::move(items));
}

absl::StatusOr<Value> FromNowOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$fromNow", [](std::string_view k) {
        return Contains(k, "$fromNow") || EndsWith(k, "from");
      }));
  BULWARK_ASSIGN_OR_RETURN(Value offset,
                           RenderTemplate(At(tmpl, "$fromNow"), scope));
  const Value* now = scope.Lookup("now");
  Value reference = now != nullptr ? *now : Value();
  const Json* from = Member(tmpl, "from");
  if (from != nullptr && NativeTruthy(*from)) {
    BULWARK_ASSIGN_OR_RETURN(reference, RenderTemplate(*from, scope));
  }
  if (!offset.is_string()) return TemplateError("$fromNow expects a string");
  return FromNow(offset.string(), reference, scope.clock());
}

absl::StatusOr<Value> If(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$if", [](std::string_view k) {
    return Contains(k, "$if") || Contains(k, "then") || EndsWith(k, "else");
  }));
  const Json& condition = At(tmpl, "$if");
  if (!condition.is_string()) {
    return TemplateError("$if can evaluate string expressions only");
  }
  BULWARK_ASSIGN_OR_RETURN(
      Value result,
      EvaluateText(condition.get_ref<const std::string&>(), scope));
  const Json* branch;
  if (IsTruthy(result)) {
    if (Member(tmpl, "$then") != nullptr) {
      return TemplateError(
          "$if Syntax error: $then: should be spelled then: (no $)");
    }
    branch = Member(tmpl, "then");
  } else {
    branch = Member(tmpl, "else");
  }
  if (branch == nullptr) return Value::DeleteMarker();
  return RenderTemplate(*branch, scope);
}

absl::StatusOr<Value> JsonOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, "$json", [](std::string_view k) { return EndsWith(k, "$json"); }));
  BULWARK_ASSIGN_OR_RETURN(Value value,
                           RenderTemplate(At(tmpl, "$json"), scope));
  if (value.ContainsFunctions()) {
    return TemplateError("evaluated template contained uncalled functions");
  }
  StringifyOptions options;
  options.key_order = KeyOrder::kUtf16;
  return Value::String(Stringify(value, options));
}

absl::StatusOr<Value> Let(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$let", [](std::string_view k) {
    return Contains(k, "$let") || EndsWith(k, "in");
  }));
  const Json& bindings = At(tmpl, "$let");
  if (!bindings.is_object())
    return TemplateError("$let value must be an object");
  BULWARK_ASSIGN_OR_RETURN(Value variables, RenderTemplate(bindings, scope));
  if (!variables.is_object())
    return TemplateError("$let value must be an object");
  for (const auto& member : variables.object()) {
    if (!IsIdentifier(member.first)) {
      return TemplateError(
          "top level keys of $let must follow /[a-zA-Z_][a-zA-Z0-9_]*/");
    }
  }
  const Json* in = Member(tmpl, "in");
  if (in == nullptr || in->is_null()) {
    return TemplateError("$let operator requires an `in` clause");
  }
  const Scope inner(&scope, &variables.object());
  return RenderTemplate(*in, inner);
}

absl::StatusOr<Value> Map(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$map", [](std::string_view k) {
    return Contains(k, "$map") || EndsWithCall(k, "each", 1, 2);
  }));
  BULWARK_ASSIGN_OR_RETURN(Value value,
                           RenderTemplate(At(tmpl, "$map"), scope));
  if (!value.is_array() && !value.is_object()) {
    return TemplateError("$map value must evaluate to an array or object");
  }
  if (tmpl.size() != 2)
    return TemplateError("$map must have exactly two properties");
  const std::string_view each_key = OtherKey(tmpl, "$map");
  std::vector<std::string_view> ids;
  if (!MatchCall(each_key, "each", 1, 2, &ids)) {
    return TemplateError("$map requires each(identifier) syntax");
  }
  const Json& each = At(tmpl, each_key);
  if (value.is_object()) {
    Array results;
    for (const auto& [key, item] : value.object()) {
      Scope inner(&scope, nullptr);
      inner.MarkRepeated();
      if (ids.size() == 2) {
        inner.Bind(ids[0], item);
        inner.Bind(ids[1], Value::String(key));
      } else {
        Object pair;
        pair.Set("key", Value::String(key));
        pair.Set("val", item);
        inner.Bind(ids[0], Value::MakeObject(std::move(pair)));
      }
      BULWARK_ASSIGN_OR_RETURN(Value result, RenderTemplate(each, inner));
      if (!result.is_object()) {
        return TemplateError(Cat("$map on objects expects each(", ids[0],
                                 ") to evaluate to an object"));
      }
      if (!result.IsDeleteMarker()) results.push_back(std::move(result));
    }
    return Value::MakeObject(MergeObjects(results));
  }
  Array results;
  results.reserve(value.array().size());
  double index = 0;
  for (const Value& item : value.array()) {
    Scope inner(&scope, nullptr);
    inner.MarkRepeated();
    inner.Bind(ids[0], item);
    if (ids.size() == 2) inner.Bind(ids[1], Value::Number(index));
    ++index;
    BULWARK_ASSIGN_OR_RETURN(Value result, RenderTemplate(each, inner));
    if (!result.IsDeleteMarker()) results.push_back(std::move(result));
  }
  return Value::MakeArray(std::move(results));
}

absl::StatusOr<Value> Reduce(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$reduce", [](std::string_view k) {
        return Contains(k, "$reduce") || Contains(k, "initial") ||
               EndsWithCall(k, "each", 2, 3);
      }));
  BULWARK_ASSIGN_OR_RETURN(Value value,
                           RenderTemplate(At(tmpl, "$reduce"), scope));
  if (!value.is_array())
    return TemplateError("$reduce value must evaluate to an array");
  if (tmpl.size() != 3) {
    return TemplateError("$reduce must have exactly three properties");
  }
  const std::string_view each_key = OtherKey(tmpl, "$reduce", "initial");
  std::vector<std::string_view> ids;
  if (!MatchCall(each_key, "each", 2, 3, &ids)) {
    return TemplateError("$reduce requires each(identifier) syntax");
  }
  const Json& each = At(tmpl, each_key);
  // The initial value is used as written, not rendered (as in the reference).
  const Json* initial = Member(tmpl, "initial");
  Value accumulator = initial != nullptr ? Value::FromJson(*initial) : Value();
  const auto too_deep = [] {
    return TemplateError(
        "$reduce value nests too deeply (more than 1000 levels)");
  };
  if (accumulator.depth() > Value::kMaxDepth) return too_deep();
  double index = 0;
  for (const Value& item : value.array()) {
    Scope inner(&scope, nullptr);
    inner.MarkRepeated();
    inner.Bind(ids[0], accumulator);
    inner.Bind(ids[1], item);
    if (ids.size() == 3) inner.Bind(ids[2], Value::Number(index));
    ++index;
    BULWARK_ASSIGN_OR_RETURN(Value result, RenderTemplate(each, inner));
    if (!result.IsDeleteMarker()) accumulator = std::move(result);
    if (accumulator.depth() > Value::kMaxDepth) return too_deep();
  }
  return accumulator;
}

absl::StatusOr<Value> Find(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$find", [](std::string_view k) {
        return Contains(k, "$find") || EndsWithCall(k, "each", 1, 2);
      }));
  BULWARK_ASSIGN_OR_RETURN(Value value,
                           RenderTemplate(At(tmpl, "$find"), scope));
  if (!value.is_array())
    return TemplateError("$find value must evaluate to an array");
  if (tmpl.size() != 2)
    return TemplateError("$find must have exactly two properties");
  const std::string_view each_key = OtherKey(tmpl, "$find");
  std::vector<std::string_view> ids;
  if (!MatchCall(each_key, "each", 1, 2, &ids)) {
    return TemplateError("$find requires each(identifier) syntax");
  }
  const Json& each = At(tmpl, each_key);
  if (!each.is_string()) {
    return TemplateError("each can evaluate string expressions only");
  }
  const std::string& source = each.get_ref<const std::string&>();
  // Parsed at the first item: an empty array never reports a syntax error.
  ParsedText scratch;
  const ParsedText* parsed = nullptr;
  double index = 0;
  for (const Value& item : value.array()) {
    if (parsed == nullptr) {
      parsed = &ParsedExpression(scope.cache(), source, &scratch);
      if (!parsed->expression.ok()) return parsed->expression.status();
    }
    Scope inner(&scope, nullptr);
    inner.MarkRepeated();
    inner.Bind(ids[0], item);
    if (ids.size() == 2) inner.Bind(ids[1], Value::Number(index));
    ++index;
    BULWARK_ASSIGN_OR_RETURN(Value matched,
                             Evaluate(*parsed->expression, inner));
    if (!IsTruthy(matched)) continue;
    // The reference then renders the expression text as a template and uses its
    // truthiness.
    if (!NeedsInterpolation(source)) return item;
    BULWARK_ASSIGN_OR_RETURN(std::string text, Interpolate(source, inner));
    if (!text.empty()) return item;
  }
  return Value::DeleteMarker();
}

// $match and $switch: evaluates the conditions of `conditions` (an object) in
// sorted key order, skipping `$default` when `skip_default`, and renders the
// branch of each truthy one.
absl::StatusOr<Array> RenderMatches(const Json& conditions, const Scope& scope,
                                    bool skip_default) {
  std::vector<const Json::object_t::value_type*> members;
  for (const auto& member : conditions.get_ref<const Json::object_t&>()) {
    if (!(skip_default && member.first == "$default"))
      members.push_back(&member);
  }
  std::stable_sort(members.begin(), members.end(), [](auto* a, auto* b) {
    return CompareUtf16(a->first, b->first) < 0;
  });
  Array results;
  for (const auto* member : members) {
    BULWARK_ASSIGN_OR_RETURN(Value condition,
                             EvaluateText(member->first, scope));
    if (!IsTruthy(condition)) continue;
    BULWARK_ASSIGN_OR_RETURN(Value result,
                             RenderTemplate(member->second, scope));
    results.push_back(std::move(result));
  }
  return results;
}

absl::StatusOr<Value> Match(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, "$match",
      [](std::string_view k) { return EndsWith(k, "$match"); }));
  const Json& conditions = At(tmpl, "$match");
  if (!conditions.is_object())
    return TemplateError("$match can evaluate objects only");
  BULWARK_ASSIGN_OR_RETURN(Array results,
                           RenderMatches(conditions, scope, false));
  return Value::MakeArray(std::move(results));
}

absl::StatusOr<Value> Switch(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, "$switch",
      [](std::string_view k) { return EndsWith(k, "$switch"); }));
  const Json& conditions = At(tmpl, "$switch");
  if (!conditions.is_object()) {
    return TemplateError("$switch can evaluate objects only");
  }
  BULWARK_ASSIGN_OR_RETURN(Array results,
                           RenderMatches(conditions, scope, true));
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

absl::StatusOr<Value> Merge(const Json& tmpl, const Scope& scope, bool deep) {
  const std::string_view op = deep ? "$mergeDeep" : "$merge";
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, op,
      deep ? KeyFilter(
                 [](std::string_view k) { return EndsWith(k, "$mergeDeep"); })
           : KeyFilter(
                 [](std::string_view k) { return EndsWith(k, "$merge"); })));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, op), scope));
  if (!AllObjects(value)) {
    return TemplateError(
        Cat(op, " value must evaluate to an array of objects"));
  }
  const Array& objects = value.array();
  if (!deep) return Value::MakeObject(MergeObjects(objects));
  if (objects.empty()) return Value::MakeObject(Object());
  Value result = objects[0];
  for (size_t i = 1; i < objects.size(); ++i)
    result = MergeDeep(result, objects[i]);
  return result;
}

absl::StatusOr<Value> Reverse(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, "$reverse",
      [](std::string_view k) { return EndsWith(k, "$reverse"); }));
  BULWARK_ASSIGN_OR_RETURN(Value value,
                           RenderTemplate(At(tmpl, "$reverse"), scope));
  if (!value.is_array()) {
    return TemplateError("$reverse value must evaluate to an array of objects");
  }
  return Value::MakeArray(Array(value.array().rbegin(), value.array().rend()));
}

absl::StatusOr<Value> Sort(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, "$sort", [](std::string_view k) {
        return Contains(k, "$sort") || EndsWithCall(k, "by", 1, 1);
      }));
  const auto same_type = [] {
    return TemplateError("$sorted values to be sorted must have the same type");
  };
  BULWARK_ASSIGN_OR_RETURN(Value value,
                           RenderTemplate(At(tmpl, "$sort"), scope));
  if (!value.is_array()) return same_type();
  const Array& items = value.array();
  const std::string_view by_key = OtherKey(tmpl, "$sort");
  std::vector<std::string_view> ids;
  std::vector<Value> keys;
  keys.reserve(items.size());
  if (MatchCall(by_key, "by", 1, 1, &ids)) {
    const Json& by = At(tmpl, by_key);
    ParsedText scratch;
    const ParsedText* parsed = nullptr;  // Parsed at the first item.
    for (const Value& item : items) {
      if (parsed == nullptr) {
        if (!by.is_string()) {
          return TemplateError("by(x) must be given a string expression");
        }
        parsed = &ParsedExpression(scope.cache(),
                                   by.get_ref<const std::string&>(), &scratch);
        if (!parsed->expression.ok()) return parsed->expression.status();
      }
      Scope inner(&scope, nullptr);
      inner.Bind(ids[0], item);
      BULWARK_ASSIGN_OR_RETURN(Value key, Evaluate(*parsed->expression, inner));
      keys.push_back(std::move(key));
    }
  } else {
    for (const Value& item : items) {
      if (item.is_array() || item.is_object()) return same_type();
      keys.push_back(item);
    }
  }
  if (!keys.empty()) {
    const Value::Type type = keys[0].type();
    if (type != Value::Type::kNumber && type != Value::Type::kString)
      return same_type();
    for (const Value& key : keys) {
      if (key.type() != type) return same_type();
    }
  }
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Value& x = keys[a];
    const Value& y = keys[b];
    return x.is_number() ? x.number() < y.number()
                         : CompareUtf16(x.string(), y.string()) < 0;
  });
  Array sorted;
  sorted.reserve(items.size());
  for (size_t i : order) sorted.push_back(items[i]);
  return Value::MakeArray(std::move(sorted));
}

}  // namespace

absl::StatusOr<Value> RenderOperator(Operator op, const Json& tmpl,
                                     const Scope& scope) {
  switch (op) {
    case Operator::kEval:
      return Eval(tmpl, scope);
    case Operator::kFlatten:
      return Flatten(tmpl, scope, false);
    case Operator::kFlattenDeep:
      return Flatten(tmpl, scope, true);
    case Operator::kFromNow:
      return FromNowOp(tmpl, scope);
    case Operator::kIf:
      return If(tmpl, scope);
    case Operator::kJson:
      return JsonOp(tmpl, scope);
    case Operator::kLet:
      return Let(tmpl, scope);
    case Operator::kMap:
      return Map(tmpl, scope);
    case Operator::kReduce:
      return Reduce(tmpl, scope);
    case Operator::kFind:
      return Find(tmpl, scope);
    case Operator::kMatch:
      return Match(tmpl, scope);
    case Operator::kSwitch:
      return Switch(tmpl, scope);
    case Operator::kMerge:
      return Merge(tmpl, scope, false);
    case Operator::kMergeDeep:
      return Merge(tmpl, scope, true);
    case Operator::kReverse:
      return Reverse(tmpl, scope);
    case Operator::kSort:
      return Sort(tmpl, scope);
  }
  return TemplateError("unknown operator");
}

}  // namespace bulwark::jsone::internal
