// File: libraries/scopes/expression.h
//
// Scope expressions (`expr := scope | {AllOf: [expr...]} | {AnyOf: [expr...]}`)
// and their algebra, with the semantics of taskcluster-lib-scopes 11.0.0:
//   - `SatisfiesExpression` (upstream satisfiesExpression): AllOf needs every
//   child (so an empty
//     AllOf is satisfied), AnyOf needs one (so an empty AnyOf is not). No role
//     expansion happens here; expand the scope set first (see resolver.h).
//   - `ScopesSatisfying` (upstream scopesSatisfying): the sorted, normalized
//   required leaves that
//     were satisfied, every matching AnyOf branch kept, or nullopt when
//     unsatisfied.
//   - `RemoveGivenScopes` (upstream removeGivenScopes): the unsatisfied
//   remainder, for error
//     messages, or nullopt when nothing is missing.
//   - `SimplifyScopeExpression` (upstream simplifyScopeExpression): for display
//   only.
// JSON conversion lives in expression_json.h.
//
// Thread-safety: Expression is a value type (copyable, immutable through its
// interface); the functions are pure. Errors: none, except
// `SimplifyScopeExpression`, which returns INVALID_ARGUMENT for an expression
// with an invalid scope leaf, as upstream throws.

#ifndef BULWARK_LIBRARIES_SCOPES_EXPRESSION_H_
#define BULWARK_LIBRARIES_SCOPES_EXPRESSION_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace bulwark::scopes {

class Expression {
 public:
  enum class Kind { kScope, kAllOf, kAnyOf };

  // A leaf requiring `scope`. Implicit so that {"a", "b"} lists read naturally.
  Expression(std::string scope)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::kScope), scope_(std::move(scope)) {}
  Expression(const char* scope)  // NOLINT(google-explicit-constructor)
      : Expression(std::string(scope)) {}

  static Expression AllOf(std::vector<Expression> children) {
    return Expression(Kind::kAllOf, std::move(children));
  }
  static Expression AnyOf(std::vector<Expression> children) {
    return Expression(Kind::kAnyOf, std::move(children));
  }

  Kind kind() const { return kind_; }
  bool is_scope() const { return kind_ == Kind::kScope; }
  // The leaf's scope; empty for AllOf/AnyOf.
  const std::string& scope() const { return scope_; }
  // The children of AllOf/AnyOf; empty for a leaf.
  const std::vector<Expression>& children() const { return children_; }

  // Structural equality (equal stable JSON).
  friend bool operator==(const Expression& a, const Expression& b) {
    return a.kind_ == b.kind_ && a.scope_ == b.scope_ && a.children_ == b.children_;
  }
  friend bool operator!=(const Expression& a, const Expression& b) { return !(a == b); }

 private:
  Expression(Kind kind, std::vector<Expression> children)
      : kind_(kind), children_(std::move(children)) {}

  Kind kind_;
  std::string scope_;
  std::vector<Expression> children_;
};

// True when every leaf is a valid scope (ValidScope). Upstream validExpression
// also checks the JSON shape, which the type guarantees; see expression_json.h
// for the JSON check.
bool ValidExpression(const Expression& expr);

bool SatisfiesExpression(absl::Span<const std::string> scopes, const Expression& expr);

std::optional<std::vector<std::string>> ScopesSatisfying(absl::Span<const std::string> scopes,
                                                         const Expression& expr);

// A satisfied leaf disappears; AllOf keeps its unsatisfied children (none left:
// nullopt; one left: that child); AnyOf is satisfied (nullopt) if any child is,
// a single child replaces it, and an empty AnyOf comes back unchanged.
std::optional<Expression> RemoveGivenScopes(absl::Span<const std::string> scopes,
                                            const Expression& expr);

// Flattens AnyOf-in-AnyOf and AllOf-in-AllOf, normalizes the scope leaves of
// each AllOf, sorts the leaves of each AnyOf, removes repeated subexpressions
// and collapses single-child nodes. One deliberate difference: where upstream
// throws a TypeError (an AnyOf child of an AnyOf that simplifies to something
// other than an AnyOf, e.g. {AnyOf: [{AnyOf: ["a"]}, "b"]}), this splices the
// simplified child in as one alternative ({AnyOf: ["a", "b"]}).
absl::StatusOr<Expression> SimplifyScopeExpression(const Expression& expr);

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_EXPRESSION_H_
