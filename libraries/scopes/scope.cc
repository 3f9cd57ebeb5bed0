#include "libraries/scopes/scope.h"

#include "absl/strings/match.h"

namespace bulwark::scopes {

bool ValidScope(absl::string_view scope) {
  for (char c : scope) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool Satisfies(absl::string_view given, absl::string_view required) {
  if (given == required) return true;
  return IsStar(given) && absl::StartsWith(required, given.substr(0, given.size() - 1));
}

int ScopeCompare(absl::string_view a, absl::string_view b) {
  const bool a_star = IsStar(a);
  const bool b_star = IsStar(b);
  if (a_star) a.remove_suffix(1);
  if (b_star) b.remove_suffix(1);
  const int c = a.compare(b);
  if (c == 0 && a_star != b_star) return a_star ? -1 : 1;
  return c;
}

}  // namespace bulwark::scopes
