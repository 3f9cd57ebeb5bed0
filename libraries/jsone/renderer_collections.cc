// The JSON-e operators over arrays and objects: $flatten, $flattenDeep, $map,
// $reduce, $find, $merge, $mergeDeep, $reverse and $sort.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "libraries/jsone/error.h"
#include "libraries/jsone/expression_cache.h"
#include "libraries/jsone/interpolate.h"
#include "libraries/jsone/interpreter.h"
#include "libraries/jsone/operator_support.h"
#include "libraries/jsone/renderer.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/jsone/unicode.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone::internal {
namespace {

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
      result.Set(key, existing != nullptr ? MergeDeep(*existing, value) : value);
    }
    return Value::MakeObject(std::move(result));
  }
  return right;
}

bool AllObjects(const Value& v) {
  return v.is_array() && std::all_of(v.array().begin(), v.array().end(),
                                     [](const Value& x) { return x.is_object(); });
}

}  // namespace

absl::StatusOr<Value> FlattenOp(const Json& tmpl, const Scope& scope, bool deep) {
  const std::string_view op = deep ? "$flattenDeep" : "$flatten";
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, op,
      deep ? KeyFilter([](std::string_view k) { return EndsWith(k, "$flattenDeep"); })
           : KeyFilter([](std::string_view k) { return EndsWith(k, "$flatten"); })));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, op), scope));
  if (!value.is_array()) {
    return TemplateError(Cat(op, " value must evaluate to an array"));
  }
  Array items;
  items.reserve(value.array().size());
  for (const Value& item : value.array()) AppendFlattened(item, deep, &items);
  return Value::MakeArray(std::move(items));
}

absl::StatusOr<Value> MapOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$map", [](std::string_view k) {
    return Contains(k, "$map") || EndsWithCall(k, "each", 1, 2);
  }));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, "$map"), scope));
  if (!value.is_array() && !value.is_object()) {
    return TemplateError("$map value must evaluate to an array or object");
  }
  if (tmpl.size() != 2) return TemplateError("$map must have exactly two properties");
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
        return TemplateError(
            Cat("$map on objects expects each(", ids[0], ") to evaluate to an object"));
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

absl::StatusOr<Value> ReduceOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$reduce", [](std::string_view k) {
    return Contains(k, "$reduce") || Contains(k, "initial") || EndsWithCall(k, "each", 2, 3);
  }));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, "$reduce"), scope));
  if (!value.is_array()) return TemplateError("$reduce value must evaluate to an array");
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
    return TemplateError("$reduce value nests too deeply (more than 1000 levels)");
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

absl::StatusOr<Value> FindOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$find", [](std::string_view k) {
    return Contains(k, "$find") || EndsWithCall(k, "each", 1, 2);
  }));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, "$find"), scope));
  if (!value.is_array()) return TemplateError("$find value must evaluate to an array");
  if (tmpl.size() != 2) return TemplateError("$find must have exactly two properties");
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
    BULWARK_ASSIGN_OR_RETURN(Value matched, Evaluate(*parsed->expression, inner));
    if (!IsTruthy(matched)) continue;
    // The reference then renders the expression text as a template and uses its
    // truthiness.
    if (!NeedsInterpolation(source)) return item;
    BULWARK_ASSIGN_OR_RETURN(std::string text, Interpolate(source, inner));
    if (!text.empty()) return item;
  }
  return Value::DeleteMarker();
}

absl::StatusOr<Value> MergeOp(const Json& tmpl, const Scope& scope, bool deep) {
  const std::string_view op = deep ? "$mergeDeep" : "$merge";
  BULWARK_RETURN_IF_ERROR(
      CheckProperties(tmpl, op,
                      deep ? KeyFilter([](std::string_view k) { return EndsWith(k, "$mergeDeep"); })
                           : KeyFilter([](std::string_view k) { return EndsWith(k, "$merge"); })));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, op), scope));
  if (!AllObjects(value)) {
    return TemplateError(Cat(op, " value must evaluate to an array of objects"));
  }
  const Array& objects = value.array();
  if (!deep) return Value::MakeObject(MergeObjects(objects));
  if (objects.empty()) return Value::MakeObject(Object());
  Value result = objects[0];
  for (size_t i = 1; i < objects.size(); ++i) result = MergeDeep(result, objects[i]);
  return result;
}

absl::StatusOr<Value> ReverseOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(
      tmpl, "$reverse", [](std::string_view k) { return EndsWith(k, "$reverse"); }));
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, "$reverse"), scope));
  if (!value.is_array()) {
    return TemplateError("$reverse value must evaluate to an array of objects");
  }
  return Value::MakeArray(Array(value.array().rbegin(), value.array().rend()));
}

absl::StatusOr<Value> SortOp(const Json& tmpl, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(CheckProperties(tmpl, "$sort", [](std::string_view k) {
    return Contains(k, "$sort") || EndsWithCall(k, "by", 1, 1);
  }));
  const auto same_type = [] {
    return TemplateError("$sorted values to be sorted must have the same type");
  };
  BULWARK_ASSIGN_OR_RETURN(Value value, RenderTemplate(At(tmpl, "$sort"), scope));
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
        parsed = &ParsedExpression(scope.cache(), by.get_ref<const std::string&>(), &scratch);
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
    if (type != Value::Type::kNumber && type != Value::Type::kString) return same_type();
    for (const Value& key : keys) {
      if (key.type() != type) return same_type();
    }
  }
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Value& x = keys[a];
    const Value& y = keys[b];
    return x.is_number() ? x.number() < y.number() : CompareUtf16(x.string(), y.string()) < 0;
  });
  Array sorted;
  sorted.reserve(items.size());
  for (size_t i : order) sorted.push_back(items[i]);
  return Value::MakeArray(std::move(sorted));
}

}  // namespace bulwark::jsone::internal
