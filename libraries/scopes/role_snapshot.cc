#include "libraries/scopes/role_snapshot.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "libraries/scopes/expander.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes {
namespace {

using internal::CompiledRole;
using internal::TrieNode;

// Breadth-first search over held scopes for Explain. Each queued scope
// remembers the scope and role it came from, so the first grant that satisfies
// the target yields a shortest chain.
class ExplainSearch {
 public:
  ExplainSearch(const TrieNode& root, absl::string_view target) : root_(root), target_(target) {}

  Explanation Run(absl::Span<const std::string> given) {
    for (const std::string& g : given) {
      if (Satisfies(g, target_)) return Done(g, g);
      Enqueue(g, -1, "");
    }
    for (size_t i = 0; i < items_.size() && !found_; ++i) {
      current_ = static_cast<int>(i);
      internal::ForEachFiring(root_, items_[i].scope, *this);
    }
    return result_;
  }

  // ForEachFiring visitor.
  void Literal(const TrieNode&, const CompiledRole& role) { Grant(role, role.literal); }
  void Param(const CompiledRole& role, absl::string_view param) {
    std::vector<std::string> granted;
    for (const auto& p : role.params) granted.push_back(internal::Substitute(p, param));
    Grant(role, granted);
  }
  void Subtree(const TrieNode& node, bool /*at_node*/) {
    internal::ForEachRole(node, [this](const TrieNode& n, const CompiledRole& role) {
      Literal(n, role);
      if (role.star) Param(role, "*");
    });
  }

 private:
  struct Item {
    std::string scope;
    int parent;           // index into items_, -1 for a given scope
    std::string role_id;  // the role that granted `scope`
  };

  void Grant(const CompiledRole& role, const std::vector<std::string>& granted) {
    for (const std::string& s : granted) {
      if (found_) return;
      if (Satisfies(s, target_)) {
        result_ = Done(items_[current_].scope, s);
        result_.steps.push_back({items_[current_].scope, role.role_id});
        Unwind();
        return;
      }
      Enqueue(s, current_, role.role_id);
    }
  }

  void Enqueue(const std::string& scope, int parent, const std::string& role_id) {
    absl::string_view unused;
    if (!internal::ToRoleSpace(scope, &unused)) return;
    if (!seen_.insert(scope).second) return;
    items_.push_back({scope, parent, role_id});
  }

  Explanation Done(const std::string& given, const std::string& granting) {
    found_ = true;
    Explanation e;
    e.satisfied = true;
    e.given = given;
    e.granting_scope = granting;
    return e;
  }

  // Prepends the steps that led to items_[current_] and fixes `given`.
  void Unwind() {
    for (int i = current_; items_[i].parent >= 0; i = items_[i].parent) {
      const Item& parent = items_[items_[i].parent];
      result_.steps.insert(result_.steps.begin(), {parent.scope, items_[i].role_id});
      result_.given = parent.scope;
    }
  }

  const TrieNode& root_;
  const absl::string_view target_;
  std::deque<Item> items_;
  absl::flat_hash_set<std::string> seen_;
  int current_ = -1;
  bool found_ = false;
  Explanation result_;
};

}  // namespace

ExpandedScopes RoleSnapshot::ExpandShared(absl::Span<const std::string> scopes) const {
  return internal::ExpandQuery(*root_, scopes);
}

ExpandedScopes RoleSnapshot::ExpandShared(const ExpandedScopes& scopes) const {
  return internal::ExpandQuery(*root_, scopes);
}

std::vector<std::string> RoleSnapshot::Expand(absl::Span<const std::string> scopes) const {
  return ExpandShared(scopes).ToVector();
}

namespace {

bool SatisfiesImpl(const ExpandedScopes& scopes, const Expression& expr) {
  switch (expr.kind()) {
    case Expression::Kind::kScope:
      return scopes.Satisfies(expr.scope());
    case Expression::Kind::kAllOf:
      return std::all_of(expr.children().begin(), expr.children().end(),
                         [&](const Expression& e) { return SatisfiesImpl(scopes, e); });
    case Expression::Kind::kAnyOf:
      return std::any_of(expr.children().begin(), expr.children().end(),
                         [&](const Expression& e) { return SatisfiesImpl(scopes, e); });
  }
  return false;
}

}  // namespace

bool RoleSnapshot::Satisfies(absl::Span<const std::string> scopes, const Expression& expr) const {
  return SatisfiesImpl(ExpandShared(scopes), expr);
}

std::optional<Expression> RoleSnapshot::Unsatisfied(absl::Span<const std::string> scopes,
                                                    const Expression& expr) const {
  return RemoveGivenScopes(Expand(scopes), expr);
}

Explanation RoleSnapshot::Explain(absl::Span<const std::string> scopes,
                                  absl::string_view target) const {
  return ExplainSearch(*root_, target).Run(scopes);
}

std::optional<Role> RoleSnapshot::GetRole(absl::string_view role_id) const {
  const CompiledRole* role = internal::FindRole(*root_, role_id);
  if (role == nullptr) return std::nullopt;
  return Role{role->role_id, role->scopes};
}

std::vector<Role> RoleSnapshot::Roles() const {
  std::vector<Role> roles;
  roles.reserve(role_count_);
  internal::ForEachRole(*root_, [&](const TrieNode&, const CompiledRole& role) {
    roles.push_back({role.role_id, role.scopes});
  });
  std::sort(roles.begin(), roles.end(),
            [](const Role& a, const Role& b) { return a.role_id < b.role_id; });
  return roles;
}

}  // namespace bulwark::scopes
