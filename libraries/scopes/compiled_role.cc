#include "libraries/scopes/compiled_role.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes::internal {
namespace {

constexpr char kParamMarker[] = "<..>";
constexpr size_t kParamMarkerSize = 4;
// Upstream's sentinel for `<..>` (U+001A); it sorts before every printable
// character, which decides the order in which illegal scopes are reported.
constexpr char kSentinel = '\x1a';

absl::Status InvalidRole(const Role& role, std::string message) {
  RoleSetError error;
  error.code = RoleSetError::Code::kInvalidRole;
  error.message = std::move(message);
  error.role_id = role.role_id;
  return error.ToStatus();
}

absl::Status InvalidScope(const Role& role, std::string scope, absl::string_view what) {
  RoleSetError error;
  error.code = RoleSetError::Code::kInvalidScope;
  error.message = absl::StrCat("parameterized scope '", scope, "' ", what);
  error.role_id = role.role_id;
  error.scope = std::move(scope);
  return error.ToStatus();
}

// True when `given` satisfies `required` in the sense of the reference oracle:
// a star `given` covers `required` when `required` without one trailing star
// starts with `given`'s prefix.
bool OracleMatch(absl::string_view given, absl::string_view required) {
  if (given == required) return true;
  return IsStar(given) && absl::StartsWith(WithoutStar(required), WithoutStar(given));
}

}  // namespace

absl::StatusOr<CompiledRole> CompileRole(const Role& role, uint32_t slot) {
  if (role.role_id.empty() || !ValidScope(role.role_id)) {
    return InvalidRole(
        role, absl::StrCat("roleId '", role.role_id, "' must be non-empty printable ASCII"));
  }
  for (const std::string& scope : role.scopes) {
    if (!ValidScope(scope)) {
      return InvalidRole(
          role, absl::StrCat("role '", role.role_id, "' has an invalid scope '", scope, "'"));
    }
  }
  CompiledRole c;
  c.slot = slot;
  c.role_id = role.role_id;
  c.scopes = role.scopes;
  c.star = IsStar(role.role_id);
  std::vector<std::string> literal;
  std::vector<std::string> sentinel_form;  // upstream's paramed list
  for (const std::string& scope : role.scopes) {
    const size_t at = c.star ? scope.find(kParamMarker) : std::string::npos;
    if (at == std::string::npos) {
      literal.push_back(scope);
    } else {
      std::string s = scope;
      s.replace(at, kParamMarkerSize, 1, kSentinel);
      sentinel_form.push_back(std::move(s));
    }
  }
  c.literal = SortAndNormalize(std::move(literal));
  c.literal_set = ExpandedScopes::FromScopes(c.literal);
  for (uint32_t i = 0; i < c.literal.size(); ++i) {
    absl::string_view unused;
    if (ToRoleSpace(c.literal[i], &unused)) c.assume_literal.push_back(i);
  }
  // Upstream checks the normalized list, so a parameterized scope that another
  // one covers is dropped before it is checked.
  std::vector<std::string> kleene_form;
  for (const std::string& s : SortAndNormalize(std::move(sentinel_form))) {
    const size_t at = s.find(kSentinel);
    std::string original = s;
    original.replace(at, 1, kParamMarker);
    if (absl::StrContains(s, kParamMarker)) {
      return InvalidScope(role, std::move(original), "contains multiple '<..>'");
    }
    if (at + 1 == s.size() && at > 0 && s[at - 1] == '*') {
      return InvalidScope(role, std::move(original),
                          "ends with '*<..>' which implies an ambiguous kleene");
    }
    c.params.push_back({s.substr(0, at), s.substr(at + 1)});
    kleene_form.push_back(absl::StrCat(c.params.back().prefix, "*"));
  }
  c.dependency_scopes = c.literal;
  for (std::string& s : SortAndNormalize(std::move(kleene_form))) {
    c.dependency_scopes.push_back(std::move(s));
  }
  return c;
}

bool ToRoleSpace(absl::string_view scope, absl::string_view* role_space) {
  if (absl::StartsWith(scope, kAssumePrefix)) {
    *role_space = scope.substr(kAssumePrefix.size());
    return true;
  }
  // `*`, `a*`, `as*`, ..., `assume*`: a star whose prefix is a prefix of
  // "assume".
  if (IsStar(scope) && absl::StartsWith("assume", WithoutStar(scope))) {
    *role_space = "*";
    return true;
  }
  return false;
}

std::string Substitute(const ParamScope& p, absl::string_view param) {
  if (IsStar(param)) return absl::StrCat(p.prefix, param);
  return absl::StrCat(p.prefix, param, p.suffix);
}

bool FiresPattern(absl::string_view scope, absl::string_view pattern) {
  return OracleMatch(pattern, scope) || OracleMatch(scope, pattern);
}

}  // namespace bulwark::scopes::internal
