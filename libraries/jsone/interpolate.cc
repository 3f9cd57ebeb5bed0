#include "libraries/jsone/interpolate.h"

#include "libraries/jsone/error.h"
#include "libraries/jsone/expression_cache.h"
#include "libraries/jsone/interpreter.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/simple_path.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {

absl::Status Interpolate(std::string_view text, const Scope& scope, std::string* out) {
  std::string& result = *out;
  size_t pos = 0;
  while (true) {
    const size_t brace = text.find("${", pos);
    if (brace == std::string_view::npos) break;
    if (brace > pos && text[brace - 1] == '$') {
      // "$${" is an escaped, literal "${".
      result.append(text.substr(pos, brace - 1 - pos));
      result.append("${");
      pos = brace + 2;
      continue;
    }
    result.append(text.substr(pos, brace - pos));
    const std::string_view source = text.substr(brace + 2);
    size_t length = 0;
    Value value;
    if (auto simple = EvaluateSimpleInterpolation(source, scope, &length)) {
      BULWARK_ASSIGN_OR_RETURN(value, *std::move(simple));
    } else {
      ParsedText scratch;
      const ParsedText& parsed = ParsedInterpolation(scope.cache(), source, &scratch);
      if (!parsed.expression.ok()) return parsed.expression.status();
      length = parsed.length;
      BULWARK_ASSIGN_OR_RETURN(value, Evaluate(*parsed.expression, scope));
    }
    if (value.is_array() || value.is_object()) {
      return TemplateError(
          Cat("interpolation of '", source.substr(0, length - 1), "' produced an array or object"));
    }
    if (!value.is_null()) AppendJsString(value, &result);
    pos = brace + 2 + length;
  }
  result.append(text.substr(pos));
  return scope.Produce(result.size());
}

absl::StatusOr<std::string> Interpolate(std::string_view text, const Scope& scope) {
  std::string result;
  BULWARK_RETURN_IF_ERROR(Interpolate(text, scope, &result));
  return result;
}

}  // namespace bulwark::jsone
