#include "libraries/jsone/simple_path.h"

#include "absl/container/inlined_vector.h"
#include "libraries/jsone/error.h"
#include "libraries/jsone/identifier.h"
#include "libraries/jsone/json_context.h"
#include "libraries/jsone/str_cat.h"

namespace bulwark::jsone {
namespace {

bool IsKeyword(std::string_view word) {
  return word == "true" || word == "false" || word == "null" || word == "in";
}

// Splits `path` ("a.b.c") into names; false unless every name is a non-keyword
// identifier.
bool ValidPath(std::string_view path) {
  size_t pos = 0;
  while (true) {
    const size_t start = pos;
    if (pos >= path.size() || !IsIdentifierStart(path[pos])) return false;
    while (pos < path.size() && IsIdentifierChar(path[pos])) ++pos;
    if (IsKeyword(path.substr(start, pos - start))) return false;
    if (pos == path.size()) return true;
    if (path[pos++] != '.') return false;
  }
}

absl::StatusOr<Value> Walk(std::string_view path, const Scope& scope) {
  size_t dot = path.find('.');
  const std::string_view name = path.substr(0, dot);
  const Scope::Resolved resolved = scope.Resolve(name);
  if (!resolved.found()) {
    return InterpreterError(Cat("unknown context value ", name));
  }
  if (resolved.json != nullptr) {
    // A path into the JSON context is read there, converting only its end.
    absl::InlinedVector<std::string_view, 8> properties;
    while (dot != std::string_view::npos) {
      const size_t next = path.find('.', dot + 1);
      properties.push_back(path.substr(dot + 1, next - dot - 1));
      dot = next;
    }
    return scope.json_context()->Walk(*resolved.json, properties);
  }
  const Value* value = resolved.value;
  while (dot != std::string_view::npos) {
    const size_t next = path.find('.', dot + 1);
    const std::string_view property = path.substr(dot + 1, next - dot - 1);
    if (!value->is_object()) {
      return InterpreterError("infix: . expects objects");
    }
    value = value->object().Find(property);
    if (value == nullptr) {
      return InterpreterError(Cat("object has no property \"", property, "\""));
    }
    dot = next;
  }
  return *value;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<absl::StatusOr<Value>> EvaluateSimplePath(std::string_view source,
                                                        const Scope& scope) {
  const std::string_view path = TrimSpaces(source);
  if (!ValidPath(path)) return std::nullopt;
  return Walk(path, scope);
}

std::optional<absl::StatusOr<Value>> EvaluateSimpleInterpolation(std::string_view source,
                                                                 const Scope& scope,
                                                                 size_t* length) {
  size_t end = 0;
  while (end < source.size() &&
         (IsIdentifierChar(source[end]) || source[end] == '.' || source[end] == ' ')) {
    ++end;
  }
  if (end >= source.size() || source[end] != '}') return std::nullopt;
  const std::string_view path = TrimSpaces(source.substr(0, end));
  if (!ValidPath(path)) return std::nullopt;
  *length = end + 1;
  return Walk(path, scope);
}

}  // namespace bulwark::jsone
