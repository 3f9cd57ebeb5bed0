// File: libraries/scopes/compiled_role.h
//
// Internal to the resolver: a role prepared for expansion (`CompiledRole`,
// built by `CompileRole`), the mapping of input scopes onto role ids
// (`ToRoleSpace`, upstream's ASSUME_PREFIX), parameter substitution
// (`Substitute`, auth.md §2.3) and the pairwise firing rule (`FiresPattern`,
// auth.md §2.2 as upstream's reference oracle defines it).
//
// Thread-safety: CompiledRole is immutable once built; functions are pure.
// Errors: `CompileRole` returns INVALID_ARGUMENT with a RoleSetError payload
// (role.h) for an invalid roleId or scope (kInvalidRole) or an illegal
// parameterized scope (kInvalidScope, upstream's exact messages).

#ifndef BULWARK_LIBRARIES_SCOPES_COMPILED_ROLE_H_
#define BULWARK_LIBRARIES_SCOPES_COMPILED_ROLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/scopes/expanded_scopes.h"
#include "libraries/scopes/role.h"

namespace bulwark::scopes::internal {

inline constexpr absl::string_view kAssumePrefix = "assume:";

// A `prefix<..>suffix` scope of a `...*` role (the first `<..>` is the
// parameter).
struct ParamScope {
  std::string prefix;
  std::string suffix;
};

struct CompiledRole {
  uint32_t slot = 0;  // dense id, unique within one resolver version
  std::string role_id;
  std::vector<std::string> scopes;  // as given, for reading the role back
  bool star = false;                // role_id ends in `*`
  // Scopes granted as they are, normalized: all scopes of an exact role, the
  // scopes without
  // `<..>` of a star role.
  std::vector<std::string> literal;
  // `literal` as a sorted entry list with its own storage (for the expander).
  ExpandedScopes literal_set;
  // Indices into `literal` of the scopes that can fire roles (ToRoleSpace
  // accepts them).
  std::vector<uint32_t> assume_literal;
  // Star roles: the parameterized scopes, in upstream's normalized order.
  std::vector<ParamScope> params;
  // The scopes this role can grant with every parameter replaced by `*` (the
  // worst case of auth.md §2.4), in upstream's order: `literal`, then the
  // normalized `prefix*` list.
  std::vector<std::string> dependency_scopes;
};

// Checks and prepares one role. `slot` is stored as given.
absl::StatusOr<CompiledRole> CompileRole(const Role& role, uint32_t slot);

// Maps an input scope onto the role-id space: `assume:X` gives X; `*`, `a*`,
// ..., `assume*` give `*` (they fire every role); anything else fires nothing
// and returns false.
bool ToRoleSpace(absl::string_view scope, absl::string_view* role_space);

// `param` substituted into `p`: when `param` ends in `*`, `<..>` and everything
// after it is replaced; otherwise only `<..>`.
std::string Substitute(const ParamScope& p, absl::string_view param);

// True when holding `scope` fires the role whose pattern is `pattern`
// (`assume:<roleId>`): either matches the other, where a star pattern `Q*`
// matches a scope whose text without one trailing
// `*` starts with Q.
bool FiresPattern(absl::string_view scope, absl::string_view pattern);

}  // namespace bulwark::scopes::internal

#endif  // BULWARK_LIBRARIES_SCOPES_COMPILED_ROLE_H_
