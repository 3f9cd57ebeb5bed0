// File: libraries/scopes/role.h
//
// Role: a roleId and the scopes that holding `assume:<roleId>` grants (auth.md
// §2.1), plus the structured form of a rejected role set (`RoleSetError`) that
// auth turns into a 400 InputError with `details.scope` or `details.cycle`.
//
// Thread-safety: value types. Errors: `RoleSetError::ToStatus` makes
// INVALID_ARGUMENT carrying the error as a payload, which
// `RoleSetErrorFromStatus` reads back.

#ifndef BULWARK_LIBRARIES_SCOPES_ROLE_H_
#define BULWARK_LIBRARIES_SCOPES_ROLE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace bulwark::scopes {

struct Role {
  std::string role_id;
  std::vector<std::string> scopes;

  friend bool operator==(const Role& a, const Role& b) {
    return a.role_id == b.role_id && a.scopes == b.scopes;
  }
};

// Why a role set was rejected.
struct RoleSetError {
  enum class Code {
    // A roleId that is empty or not printable ASCII, a scope that is not a
    // valid scope, or a
    // roleId given twice. (Upstream rejects these in its API schemas, before
    // the resolver.)
    kInvalidRole,
    // Upstream InvalidScopeError: a parameterized scope of a `...*` role with
    // more than one
    // `<..>`, or ending in `*<..>`. `scope` names it.
    kInvalidScope,
    // Upstream DependencyCycleError. `cycle` lists the patterns
    // (`assume:<roleId>`), first and
    // last equal.
    kDependencyCycle,
  };

  Code code = Code::kInvalidRole;
  std::string message;
  std::string role_id;             // the role at fault (kInvalidRole, kInvalidScope)
  std::string scope;               // kInvalidScope
  std::vector<std::string> cycle;  // kDependencyCycle

  absl::Status ToStatus() const;
};

// The RoleSetError carried by a status made with RoleSetError::ToStatus, if
// any.
std::optional<RoleSetError> RoleSetErrorFromStatus(const absl::Status& status);

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_ROLE_H_
