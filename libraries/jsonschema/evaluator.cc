#include "libraries/jsonschema/evaluator.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/jsonschema/json_compare.h"
#include "libraries/jsonschema/json_pointer.h"
#include "libraries/jsonschema/utf8.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

using json = nlohmann::json;

constexpr char kFalseSchema[] = "false schema";

uint8_t TypeBitsOf(const json& instance) {
  switch (instance.type()) {
    case json::value_t::null:
      return kNullBit;
    case json::value_t::boolean:
      return kBooleanBit;
    case json::value_t::object:
      return kObjectBit;
    case json::value_t::array:
      return kArrayBit;
    case json::value_t::string:
      return kStringBit;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return kNumberBit | (IsInteger(instance) ? kIntegerBit : 0);
    default:
      return 0;
  }
}

uint64_t Magnitude(const json& integer) {
  if (integer.is_number_unsigned()) return integer.get<uint64_t>();
  const int64_t value = integer.get<int64_t>();
  return value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
}

bool IsMultipleOf(const json& value, const json& divisor) {
  if (value.is_number_integer() && divisor.is_number_integer()) {
    return Magnitude(value) % Magnitude(divisor) == 0;
  }
  const double x = value.get<double>();
  const double m = divisor.get<double>();
  if (std::floor(m) == m) return std::fmod(x, m) == 0;  // fmod is exact.
  // A non-integral divisor is inexact in binary, so allow the rounding of one
  // division.
  const double quotient = x / m;
  if (!std::isfinite(quotient)) return false;
  return std::abs(quotient - std::round(quotient)) <=
         4 * DBL_EPSILON * std::max(1.0, std::abs(quotient));
}

}  // namespace

bool Evaluator::Eval(const Node& node, const json& instance) {
  if (aborted_) return false;
  if (++steps_ > max_steps_) {
    exhausted_ = true;
    return Abort(node, "$budget",
                 absl::StrCat("validation needs more than ", max_steps_,
                              " steps (nested anyOf/oneOf/$ref); it was stopped"));
  }
  // The call's deadline is real time (a transport matter); read the clock now and then.
  if ((steps_ & 1023) == 0 && deadline_ != absl::InfiniteFuture() && absl::Now() > deadline_) {
    exhausted_ = true;
    return Abort(node, "$budget", "validation ran out of the call's time; it was stopped");
  }
  if (node.boolean) {
    return *node.boolean || Fail(node, kFalseSchema, [] { return "is not allowed"; });
  }
  if (depth_ >= kMaxDepth) {
    return Abort(node, "$ref", absl::StrCat("nesting exceeds the limit of ", kMaxDepth, " levels"));
  }
  ++depth_;
  bool valid;
  if (node.ref) {
    valid = EvalRef(node, instance);
  } else {
    valid = EvalGeneric(node, instance);
    if (valid || collecting_) {
      switch (instance.type()) {
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
          valid &= EvalNumber(node, instance);
          break;
        case json::value_t::string:
          valid &= EvalString(node, instance.get_ref<const std::string&>());
          break;
        case json::value_t::array:
          valid &= EvalArray(node, instance);
          break;
        case json::value_t::object:
          valid &= EvalObject(node, instance);
          break;
        default:
          break;
      }
    }
  }
  --depth_;
  return valid && !aborted_;
}

bool Evaluator::Probe(const Node& node, const json& instance) {
  if (!collecting_) return Eval(node, instance);
  collecting_ = false;
  const bool valid = Eval(node, instance);
  collecting_ = true;
  return valid;
}

bool Evaluator::EvalRef(const Node& node, const json& instance) {
  const std::pair<const Node*, const json*> step(node.ref, &instance);
  if (std::find(ref_stack_.begin(), ref_stack_.end(), step) != ref_stack_.end()) {
    return Abort(
        node, "$ref",
        absl::StrCat("$ref to ", node.ref->location, " comes back to the same value without end"));
  }
  ref_stack_.push_back(step);
  const bool valid = Eval(*node.ref, instance);
  ref_stack_.pop_back();
  return valid;
}

bool Evaluator::EvalGeneric(const Node& node, const json& instance) {
  bool valid = true;
  if (node.types != 0 && (node.types & TypeBitsOf(instance)) == 0) {
    valid = Fail(node, "type", [&] { return "must be " + node.type_names; });
    if (!collecting_) return false;
  }
  if (node.enum_values != nullptr &&
      std::none_of(node.enum_values->begin(), node.enum_values->end(),
                   [&](const json& value) { return JsonEqual(value, instance); })) {
    valid = Fail(node, "enum", [] { return "must be equal to one of the allowed values"; });
    if (!collecting_) return false;
  }
  if (node.const_value != nullptr && !JsonEqual(*node.const_value, instance)) {
    valid = Fail(node, "const", [&] {
      return absl::StrCat("must be equal to constant ", node.const_value->dump());
    });
    if (!collecting_) return false;
  }
  return EvalCombinators(node, instance) && valid;
}

bool Evaluator::EvalCombinators(const Node& node, const json& instance) {
  bool valid = true;
  for (const Node* schema : node.all_of) {
    valid &= Eval(*schema, instance);
    if (!valid && !collecting_) return false;
  }
  if (!node.any_of.empty() &&
      std::none_of(node.any_of.begin(), node.any_of.end(),
                   [&](const Node* schema) { return Probe(*schema, instance); })) {
    valid = Fail(node, "anyOf", [] { return "must match at least one schema in anyOf"; });
    if (!collecting_) return false;
  }
  if (!node.one_of.empty()) {
    std::vector<size_t> matched;
    for (size_t i = 0; i < node.one_of.size() && (matched.size() < 2 || collecting_); ++i) {
      if (Probe(*node.one_of[i], instance)) matched.push_back(i);
    }
    if (matched.size() != 1) {
      valid = Fail(node, "oneOf", [&] {
        return absl::StrCat(
            "must match exactly one schema in oneOf (matched ",
            matched.empty() ? "none" : absl::StrCat("schemas ", absl::StrJoin(matched, " and ")),
            ")");
      });
      if (!collecting_) return false;
    }
  }
  if (node.not_schema != nullptr && Probe(*node.not_schema, instance)) {
    valid = Fail(node, "not", [] { return "must NOT be valid against the schema in not"; });
    if (!collecting_) return false;
  }
  if (node.if_schema != nullptr) {
    const Node* branch = Probe(*node.if_schema, instance) ? node.then_schema : node.else_schema;
    if (branch != nullptr) valid &= Eval(*branch, instance);
  }
  return valid;
}

bool Evaluator::EvalNumber(const Node& node, const json& instance) {
  struct Bound {
    const json* limit;
    const char* keyword;
    const char* relation;
    bool (*holds)(int comparison);
  };
  const Bound bounds[] = {
      {node.maximum, "maximum", "<=", [](int c) { return c <= 0; }},
      {node.exclusive_maximum, "exclusiveMaximum", "<", [](int c) { return c < 0; }},
      {node.minimum, "minimum", ">=", [](int c) { return c >= 0; }},
      {node.exclusive_minimum, "exclusiveMinimum", ">", [](int c) { return c > 0; }},
  };
  bool valid = true;
  for (const Bound& bound : bounds) {
    if (bound.limit == nullptr || bound.holds(CompareNumbers(instance, *bound.limit))) continue;
    valid = Fail(node, bound.keyword, [&] {
      return absl::StrCat("must be ", bound.relation, " ", bound.limit->dump());
    });
    if (!collecting_) return false;
  }
  if (node.multiple_of != nullptr && !IsMultipleOf(instance, *node.multiple_of)) {
    valid = Fail(node, "multipleOf",
                 [&] { return absl::StrCat("must be a multiple of ", node.multiple_of->dump()); });
  }
  return valid;
}

bool Evaluator::EvalCount(const Node& node, size_t count, const std::optional<uint64_t>& max,
                          const char* max_keyword, const std::optional<uint64_t>& min,
                          const char* min_keyword, const char* noun) {
  if (max && count > *max) {
    return Fail(node, max_keyword,
                [&] { return absl::StrCat("must NOT have more than ", *max, " ", noun); });
  }
  if (min && count < *min) {
    return Fail(node, min_keyword,
                [&] { return absl::StrCat("must NOT have fewer than ", *min, " ", noun); });
  }
  return true;
}

bool Evaluator::EvalString(const Node& node, const std::string& text) {
  bool valid = true;
  if ((node.max_length || node.min_length) &&
      !EvalCount(node, CodePointCount(text), node.max_length, "maxLength", node.min_length,
                 "minLength", "characters")) {
    valid = false;
    if (!collecting_) return false;
  }
  if (node.pattern) {
    const absl::StatusOr<bool> matches = node.pattern->Search(text);
    // Could not evaluate: never a result, not even under `not`.
    if (!matches.ok()) {
      exhausted_ = matches.status().code() == absl::StatusCode::kResourceExhausted;
      return Abort(node, "pattern", std::string(matches.status().message()));
    }
    if (!*matches) {
      valid = Fail(node, "pattern", [&] {
        return matches.ok() ? absl::StrCat("must match pattern \"", node.pattern->source(), "\"")
                            : std::string(matches.status().message());
      });
      if (!collecting_) return false;
    }
  }
  if (node.format != nullptr && !node.format(text)) {
    valid = Fail(node, "format",
                 [&] { return absl::StrCat("must match format \"", node.format_name, "\""); });
  }
  return valid;
}

bool Evaluator::EvalItem(const Node& node, const json& child, size_t index) {
  path_.push_back({nullptr, index});
  const bool valid = Eval(node, child);
  path_.pop_back();
  return valid;
}

bool Evaluator::EvalMember(const Node& node, const json& child, const std::string& key) {
  path_.push_back({&key, 0});
  const bool valid = Eval(node, child);
  path_.pop_back();
  return valid;
}

bool Evaluator::EvalArray(const Node& node, const json& array) {
  bool valid = true;
  if (!EvalCount(node, array.size(), node.max_items, "maxItems", node.min_items, "minItems",
                 "items")) {
    valid = false;
    if (!collecting_) return false;
  }
  if (node.unique_items && !EvalUniqueItems(node, array)) {
    valid = false;
    if (!collecting_) return false;
  }
  if (node.items_is_list) {
    const size_t listed = std::min(array.size(), node.item_list.size());
    for (size_t i = 0; i < listed; ++i) {
      valid &= EvalItem(*node.item_list[i], array[i], i);
      if (!valid && !collecting_) return false;
    }
    const Node* extra = node.additional_items;
    if (extra != nullptr && array.size() > listed) {
      if (extra->boolean == false) {
        valid = Fail(node, "additionalItems",
                     [&] { return absl::StrCat("must NOT have more than ", listed, " items"); });
        if (!collecting_) return false;
      } else {
        for (size_t i = listed; i < array.size(); ++i) {
          valid &= EvalItem(*extra, array[i], i);
          if (!valid && !collecting_) return false;
        }
      }
    }
  } else if (node.items != nullptr && node.items->boolean != true) {
    for (size_t i = 0; i < array.size(); ++i) {
      valid &= EvalItem(*node.items, array[i], i);
      if (!valid && !collecting_) return false;
    }
  }
  if (node.contains != nullptr && std::none_of(array.begin(), array.end(), [&](const json& item) {
        return Probe(*node.contains, item);
      })) {
    valid = Fail(node, "contains",
                 [] { return "must contain at least one item that matches the contains schema"; });
  }
  return valid;
}

bool Evaluator::EvalUniqueItems(const Node& node, const json& array) {
  const auto duplicate = [&](size_t first, size_t second) {
    return Fail(node, "uniqueItems", [&] {
      return absl::StrCat("must NOT have duplicate items (items ", first, " and ", second,
                          " are equal)");
    });
  };
  constexpr size_t kQuadraticLimit = 16;
  if (array.size() <= kQuadraticLimit) {
    for (size_t i = 1; i < array.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (JsonEqual(array[i], array[j])) return duplicate(j, i);
      }
    }
    return true;
  }
  absl::flat_hash_map<size_t, std::vector<size_t>> seen;
  for (size_t i = 0; i < array.size(); ++i) {
    std::vector<size_t>& bucket = seen[JsonHash(array[i])];
    for (size_t j : bucket) {
      if (JsonEqual(array[i], array[j])) return duplicate(j, i);
    }
    bucket.push_back(i);
  }
  return true;
}

bool Evaluator::EvalObject(const Node& node, const json& object) {
  bool valid = true;
  if (!EvalCount(node, object.size(), node.max_properties, "maxProperties", node.min_properties,
                 "minProperties", "properties")) {
    valid = false;
    if (!collecting_) return false;
  }
  for (const std::string& name : node.required) {
    if (object.contains(name)) continue;
    valid = Fail(node, "required",
                 [&] { return absl::StrCat("must have required property \"", name, "\""); });
    if (!collecting_) return false;
  }
  if (node.HasMemberKeywords()) {
    valid &= EvalMembers(node, object);
    if (!valid && !collecting_) return false;
  }
  if (node.property_names != nullptr) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (Probe(*node.property_names, json(it.key()))) continue;
      valid = Fail(node, "propertyNames",
                   [&] { return absl::StrCat("property name \"", it.key(), "\" is invalid"); });
      if (!collecting_) return false;
    }
  }
  if (!node.dependencies.empty()) valid &= EvalDependencies(node, object);
  return valid;
}

bool Evaluator::EvalMembers(const Node& node, const json& object) {
  bool valid = true;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    bool matched = false;
    if (const auto property = node.properties.find(key); property != node.properties.end()) {
      matched = true;
      valid &= EvalMember(*property->second, it.value(), key);
    }
    for (const PatternProperty& pattern : node.pattern_properties) {
      const absl::StatusOr<bool> matches = pattern.regex.Search(key);
      if (!matches.ok()) {
        exhausted_ = matches.status().code() == absl::StatusCode::kResourceExhausted;
        return Abort(node, "patternProperties", std::string(matches.status().message()));
      } else if (*matches) {
        matched = true;
        valid &= EvalMember(*pattern.schema, it.value(), key);
      }
    }
    if (!matched && node.additional_properties != nullptr) {
      if (node.additional_properties->boolean == false) {
        valid = Fail(node, "additionalProperties", [&] {
          return absl::StrCat("must NOT have additional property \"", key, "\"");
        });
      } else {
        valid &= EvalMember(*node.additional_properties, it.value(), key);
      }
    }
    if (!valid && !collecting_) return false;
  }
  return valid;
}

bool Evaluator::EvalDependencies(const Node& node, const json& object) {
  bool valid = true;
  for (const Dependency& dependency : node.dependencies) {
    if (!object.contains(dependency.property)) continue;
    for (const std::string& name : dependency.required) {
      if (object.contains(name)) continue;
      valid = Fail(node, "dependencies", [&] {
        return absl::StrCat("must have property \"", name, "\" when property \"",
                            dependency.property, "\" is present");
      });
      if (!collecting_) return false;
    }
    if (dependency.schema != nullptr) {
      valid &= Eval(*dependency.schema, object);
      if (!valid && !collecting_) return false;
    }
  }
  return valid;
}

bool Evaluator::Abort(const Node& node, const char* keyword, std::string message) {
  if (!aborted_ && errors_ != nullptr) Record(node, keyword, std::move(message));
  aborted_ = true;
  return false;
}

void Evaluator::Record(const Node& node, const char* keyword, std::string message) {
  if (aborted_) return;  // After an abort, results are meaningless.
  if (errors_->size() >= max_errors_) {
    ++dropped_errors_;
    return;
  }
  errors_->push_back(ValidationError{InstancePath(), keyword,
                                     absl::string_view(keyword) == kFalseSchema
                                         ? node.location
                                         : absl::StrCat(node.location, "/", keyword),
                                     std::move(message)});
}

std::string Evaluator::InstancePath() const {
  std::string path;
  for (const PathStep& step : path_) {
    if (step.key != nullptr) {
      absl::StrAppend(&path, "/", EscapePointerToken(*step.key));
    } else {
      absl::StrAppend(&path, "/", step.index);
    }
  }
  return path;
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
