// File: libraries/scopes/role_snapshot.h
//
// RoleSnapshot: one immutable version of a role set, ready to expand scopes
// (`Expand`, upstream ScopeResolver.resolve), check expressions against the
// expansion (`Satisfies`, `Unsatisfied`) and explain why a scope is or is not
// granted (`Explain`, for auth.ExplainScope). Get one from Resolver::snapshot()
// (resolver.h).
//
//   std::shared_ptr<const RoleSnapshot> roles = resolver.snapshot();
//   ExpandedScopes scopes = roles->ExpandShared(client_scopes);
//   Explanation why = roles->Explain(client_scopes, "queue:create-task:x");
//
// Thread-safety: all methods are const and safe to call from any number of
// threads; a snapshot never changes after publication (its internal caches fill
// lock-free). Errors: none; inputs are any strings (as upstream, scopes are not
// validated here).

#ifndef BULWARK_LIBRARIES_SCOPES_ROLE_SNAPSHOT_H_
#define BULWARK_LIBRARIES_SCOPES_ROLE_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "libraries/scopes/expanded_scopes.h"
#include "libraries/scopes/expression.h"
#include "libraries/scopes/role.h"
#include "libraries/scopes/role_trie.h"

namespace bulwark::scopes {

// One `assume:` step of an explanation: holding `scope` fires role `role_id`.
struct ExplainStep {
  std::string scope;
  std::string role_id;

  friend bool operator==(const ExplainStep& a, const ExplainStep& b) {
    return a.scope == b.scope && a.role_id == b.role_id;
  }
};

// Why a scope set does or does not satisfy a target scope.
struct Explanation {
  bool satisfied = false;
  // When satisfied: the given scope the chain starts from, the shortest chain
  // of role steps (empty when `given` itself satisfies the target;
  // steps[0].scope == given, and each later step's scope is granted by the role
  // before it), and the scope that satisfies the target (granted by the last
  // step's role, or `given` itself).
  std::string given;
  std::vector<ExplainStep> steps;
  std::string granting_scope;
};

class RoleSnapshot {
 public:
  RoleSnapshot(internal::TrieNodePtr root, uint64_t version, size_t role_count)
      : root_(std::move(root)), version_(version), role_count_(role_count) {}

  // The sorted, normalized expansion of `scopes`, the inputs included (auth.md
  // §2.6 resolve), sharing storage with this snapshot's caches (no scope is
  // copied that the caches hold; a query of one `assume:` scope of a role
  // returns the role's cached expansion itself). The result stays valid and
  // unchanged after this snapshot is released.
  ExpandedScopes ExpandShared(absl::Span<const std::string> scopes) const;
  // The same for scopes already sorted and normalized, such as a client's
  // stored scopes kept as ExpandedScopes::FromScopes(scopes): equal to
  // ExpandShared(scopes.ToVector()), without sorting the input or copying its
  // characters (the result keeps `scopes`' storage alive; it is `scopes`
  // itself when no role fires).
  ExpandedScopes ExpandShared(const ExpandedScopes& scopes) const;
  // ExpandShared(scopes).ToVector(): the same scopes as owned strings.
  std::vector<std::string> Expand(absl::Span<const std::string> scopes) const;

  // SatisfiesExpression(Expand(scopes), expr).
  bool Satisfies(absl::Span<const std::string> scopes, const Expression& expr) const;

  // RemoveGivenScopes(Expand(scopes), expr): what is missing, or nullopt.
  std::optional<Expression> Unsatisfied(absl::Span<const std::string> scopes,
                                        const Expression& expr) const;

  // A shortest chain of roles by which `scopes` grant a scope satisfying
  // `target`. `satisfied` equals SetSatisfies(Expand(scopes), target).
  Explanation Explain(absl::Span<const std::string> scopes, absl::string_view target) const;

  // The role with this id, as given, or nullopt.
  std::optional<Role> GetRole(absl::string_view role_id) const;
  // Every role, sorted by role id.
  std::vector<Role> Roles() const;

  // Increases by one with every published change.
  uint64_t version() const { return version_; }
  size_t role_count() const { return role_count_; }

  const internal::TrieNode& root() const { return *root_; }

 private:
  internal::TrieNodePtr root_;
  uint64_t version_;
  size_t role_count_;
};

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_ROLE_SNAPSHOT_H_
