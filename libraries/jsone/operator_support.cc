#include "libraries/jsone/operator_support.h"

#include <algorithm>
#include <cmath>

#include "libraries/jsone/error.h"
#include "libraries/jsone/expression_cache.h"
#include "libraries/jsone/identifier.h"
#include "libraries/jsone/interpreter.h"
#include "libraries/jsone/simple_path.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/jsone/unicode.h"

namespace bulwark::jsone::internal {

// Matches all of `text` against name\(ID(,\s*ID)*\) with between `min` and
// `max` identifiers, which are stored in *ids.
bool MatchCall(std::string_view text, std::string_view name, size_t min, size_t max,
               std::vector<std::string_view>* ids) {
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
bool EndsWithCall(std::string_view key, std::string_view name, size_t min, size_t max) {
  std::vector<std::string_view> ids;
  for (size_t p = key.find(name); p != std::string_view::npos; p = key.find(name, p + 1)) {
    if (MatchCall(key.substr(p), name, min, max, &ids)) return true;
  }
  return false;
}

bool Contains(std::string_view key, std::string_view part) {
  return key.find(part) != std::string_view::npos;
}
bool EndsWith(std::string_view key, std::string_view suffix) {
  return key.size() >= suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
}

absl::Status CheckProperties(const Json& tmpl, std::string_view op, KeyFilter allowed) {
  std::vector<std::string_view> unknown;
  for (const auto& member : tmpl.get_ref<const Json::object_t&>()) {
    if (!allowed(member.first)) unknown.push_back(member.first);
  }
  if (unknown.empty()) return absl::OkStatus();
  std::sort(unknown.begin(), unknown.end(),
            [](std::string_view a, std::string_view b) { return CompareUtf16(a, b) < 0; });
  std::string message = Cat(op, " has undefined properties:");
  for (std::string_view key : unknown) message.append(" ").append(key);
  return TemplateError(std::move(message));
}

// The key other than those named, in key order; empty if there is none.
std::string_view OtherKey(const Json& tmpl, std::string_view a, std::string_view b) {
  for (const auto& member : tmpl.get_ref<const Json::object_t&>()) {
    if (member.first != a && member.first != b) return member.first;
  }
  return {};
}

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

absl::StatusOr<Value> EvaluateText(const std::string& source, const Scope& scope) {
  if (auto simple = EvaluateSimplePath(source, scope)) return *std::move(simple);
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
const Json& At(const Json& tmpl, std::string_view key) { return *Member(tmpl, key); }

}  // namespace bulwark::jsone::internal
