#include "libraries/jsone/interpolate.h"

#include "libraries/jsone/error.h"
#include "libraries/jsone/interpreter.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/parser.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {

absl::StatusOr<std::string> Interpolate(std::string_view text,
                                        const Scope& scope) {
  std::string result;
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
    BULWARK_ASSIGN_OR_RETURN(Expression expression,
                             ParseInterpolation(source, &length));
    BULWARK_ASSIGN_OR_RETURN(Value value, Evaluate(expression, scope));
    if (value.is_array() || value.is_object()) {
      return TemplateError(Cat("interpolation of '",
                               source.substr(0, length - 1),
                               "' produced an array or object"));
    }
    if (!value.is_null()) AppendJsString(value, &result);
    pos = brace + 2 + length;
  }
  result.append(text.substr(pos));
  return result;
}

}  // namespace bulwark::jsone
