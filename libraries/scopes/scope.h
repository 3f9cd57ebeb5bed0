// File: libraries/scopes/scope.h
//
// Single scopes, with the semantics of the npm package
// taskcluster-lib-scopes 11.0.0: validity (`ValidScope`), satisfaction with a
// trailing `*` (`Satisfies`, upstream `patternMatch`) and the canonical sort
// order (`ScopeCompare`, upstream `scopeCompare`).
//
// A scope is a byte string; a *valid* scope contains only bytes 0x20..0x7E (the
// empty string is valid). Only a single trailing `*` is special. All functions
// here accept any bytes: ordering is byte order after the trailing-star rule,
// which equals JavaScript's UTF-16 order for every valid scope (and for all
// ASCII).
//
// Thread-safety: pure functions. Errors: none.

#ifndef BULWARK_LIBRARIES_SCOPES_SCOPE_H_
#define BULWARK_LIBRARIES_SCOPES_SCOPE_H_

#include "absl/strings/string_view.h"

namespace bulwark::scopes {

// True when `scope` contains only printable ASCII (0x20..0x7E). "" is valid.
bool ValidScope(absl::string_view scope);

// True when `scope` ends in `*` (a "kleene" or star scope).
inline bool IsStar(absl::string_view scope) { return !scope.empty() && scope.back() == '*'; }

// `scope` without one trailing `*`, if it has one.
inline absl::string_view WithoutStar(absl::string_view scope) {
  return IsStar(scope) ? scope.substr(0, scope.size() - 1) : scope;
}

// Upstream patternMatch(given, required): `given` equals `required`, or `given`
// ends in `*` and `required` starts with `given` minus that star. So "a*"
// satisfies "a", "ab", "a*" and "a**";
// "*" satisfies everything including "".
bool Satisfies(absl::string_view given, absl::string_view required);

// Upstream scopeCompare, as a three-way result (<0, 0, >0). One trailing `*` is
// removed from each operand; if the remainders are equal and only one had a
// star, the starred one sorts first; otherwise the remainders compare bytewise.
// Sorted lists therefore read `P*`, `P`, `P...`.
int ScopeCompare(absl::string_view a, absl::string_view b);

// Strict weak ordering for std::sort and friends (ScopeCompare(a, b) < 0).
struct ScopeLess {
  bool operator()(absl::string_view a, absl::string_view b) const { return ScopeCompare(a, b) < 0; }
};

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_SCOPE_H_
