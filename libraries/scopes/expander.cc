#include "libraries/scopes/expander.h"

#include <utility>

#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes::internal {

const std::vector<std::string>& KleeneOf(const TrieNode& root,
                                         const TrieNode& node) {
  const std::vector<std::string>* cached =
      node.kleene.load(std::memory_order_acquire);
  if (cached != nullptr) return *cached;
  Expander expander(root);
  expander.AddSubtree(node);
  auto* computed = new std::vector<std::string>(expander.Finish());
  const std::vector<std::string>* expected = nullptr;
  if (node.kleene.compare_exchange_strong(expected, computed,
                                          std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
    return *computed;
  }
  delete computed;  // another reader won; its result is identical
  return *expected;
}

void Expander::AddScope(absl::string_view scope) {
  pending_.push_back(scope);
  Drain();
}

void Expander::AddSubtree(const TrieNode& node) {
  ForEachRole(node, [this](const CompiledRole& role) {
    Literal(role);
    if (role.star) Param(role, "*");
  });
  Drain();
}

std::vector<std::string> Expander::Finish(absl::Span<const std::string> extra) {
  lists_.push_back(extra);
  return MergeNormalizedSets(lists_);
}

void Expander::Literal(const CompiledRole& role) {
  if (!roles_seen_.insert(&role).second) return;
  lists_.push_back(role.literal);
  for (uint32_t i : role.assume_literal) pending_.push_back(role.literal[i]);
}

void Expander::Param(const CompiledRole& role, absl::string_view param) {
  if (role.params.empty()) return;
  std::vector<std::string> granted;
  granted.reserve(role.params.size());
  for (const ParamScope& p : role.params)
    granted.push_back(Substitute(p, param));
  // Strings are final once stored: views into them stay valid.
  const std::vector<std::string>& stored =
      substituted_.emplace_back(SortAndNormalize(std::move(granted)));
  lists_.push_back(stored);
  for (const std::string& s : stored) {
    absl::string_view unused;
    if (ToRoleSpace(s, &unused)) pending_.push_back(s);
  }
}

void Expander::Subtree(const TrieNode& node) {
  lists_.push_back(KleeneOf(root_, node));
}

void Expander::Drain() {
  while (!pending_.empty()) {
    const absl::string_view scope = pending_.back();
    pending_.pop_back();
    if (!scopes_seen_.insert(scope).second) continue;
    ForEachFiring(root_, scope, *this);
  }
}

}  // namespace bulwark::scopes::internal
