#include "libraries/scopes/oracle.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes {
namespace {

// The oracle's own patternMatch: a star pattern matches a scope whose text,
// without one trailing star, starts with the pattern's prefix.
bool Match(const std::string& pattern, const std::string& scope) {
  if (scope == pattern) return true;
  return IsStar(pattern) && absl::StartsWith(WithoutStar(scope), WithoutStar(pattern));
}

std::string ReplaceFirstParam(const std::string& scope, const std::string& value, bool to_end) {
  const size_t at = scope.find("<..>");
  if (at == std::string::npos) return scope;
  const std::string rest = to_end ? "" : scope.substr(at + 4);
  return absl::StrCat(scope.substr(0, at), value, rest);
}

}  // namespace

std::vector<std::string> OracleExpandOne(const std::vector<Role>& roles, const std::string& input) {
  std::vector<std::string> queue = {input};
  std::vector<std::string> result;
  while (!queue.empty()) {
    const std::string item = queue.back();
    queue.pop_back();
    for (const Role& role : roles) {
      const std::string pattern = absl::StrCat("assume:", role.role_id);
      const bool forward = Match(pattern, item);
      if (!forward && !Match(item, pattern)) continue;
      std::vector<std::string> granted = role.scopes;
      if (IsStar(pattern)) {
        const std::string param = forward ? item.substr(pattern.size() - 1) : "*";
        for (std::string& s : granted) s = ReplaceFirstParam(s, param, IsStar(item));
      }
      for (const std::string& s : granted) {
        bool covered = false;
        for (const std::string& r : result) covered = covered || Match(r, s);
        if (!covered) queue.push_back(s);
      }
      granted.insert(granted.end(), result.begin(), result.end());
      result = SortAndNormalize(std::move(granted));
    }
  }
  return result;
}

std::vector<std::string> OracleExpand(const std::vector<Role>& roles,
                                      const std::vector<std::string>& inputs) {
  std::vector<std::string> all = inputs;
  for (const std::string& input : inputs) {
    for (std::string& s : OracleExpandOne(roles, input)) all.push_back(std::move(s));
  }
  return SortAndNormalize(std::move(all));
}

}  // namespace bulwark::scopes
