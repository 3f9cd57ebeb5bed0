#include "libraries/jsonschema/json_pointer.h"

#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace bulwark {
namespace jsonschema {
namespace internal {

std::string EscapePointerToken(absl::string_view token) {
  return absl::StrReplaceAll(token, {{"~", "~0"}, {"/", "~1"}});
}

absl::StatusOr<const nlohmann::json*> ResolvePointer(const nlohmann::json& root,
                                                     absl::string_view pointer) {
  const auto not_found = [&] {
    return absl::NotFoundError(absl::StrCat("JSON pointer \"", pointer, "\" does not resolve"));
  };
  if (pointer.empty()) return &root;
  if (!IsJsonPointer(pointer)) return not_found();
  const nlohmann::json* current = &root;
  const std::vector<absl::string_view> tokens = absl::StrSplit(pointer.substr(1), '/');
  for (absl::string_view escaped : tokens) {
    const std::string token = absl::StrReplaceAll(escaped, {{"~1", "/"}, {"~0", "~"}});
    if (current->is_object()) {
      const auto it = current->find(token);
      if (it == current->end()) return not_found();
      current = &*it;
    } else if (current->is_array()) {
      size_t index;
      if (token.empty() || (token.size() > 1 && token[0] == '0') ||
          !absl::c_all_of(token, absl::ascii_isdigit) || !absl::SimpleAtoi(token, &index) ||
          index >= current->size()) {
        return not_found();
      }
      current = &(*current)[index];
    } else {
      return not_found();
    }
  }
  return current;
}

bool IsJsonPointer(absl::string_view text) {
  if (text.empty()) return true;
  if (text[0] != '/') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '~' && (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

bool IsRelativeJsonPointer(absl::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && absl::ascii_isdigit(text[digits])) ++digits;
  if (digits == 0 || (digits > 1 && text[0] == '0')) return false;
  const absl::string_view rest = text.substr(digits);
  return rest == "#" || IsJsonPointer(rest);
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
