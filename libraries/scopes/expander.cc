#include "libraries/scopes/expander.h"

#include <utility>

#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes::internal {

namespace {

// Returns the cached list in `slot`, computing it with `compute` on first use.
// Racing readers may both compute; the first to publish wins and the others
// discard their copy.
template <typename Compute>
const std::vector<std::string>& Cached(std::atomic<const std::vector<std::string>*>& slot,
                                       Compute compute) {
  const std::vector<std::string>* cached = slot.load(std::memory_order_acquire);
  if (cached != nullptr) return *cached;
  auto* computed = new std::vector<std::string>(compute());
  const std::vector<std::string>* expected = nullptr;
  if (slot.compare_exchange_strong(expected, computed, std::memory_order_acq_rel,
                                   std::memory_order_acquire)) {
    return *computed;
  }
  delete computed;
  return *expected;
}

}  // namespace

const std::vector<std::string>& KleeneOf(const TrieNode& root, const TrieNode& node) {
  return Cached(node.kleene, [&] {
    Expander expander(root, /*use_closures=*/false);
    expander.AddSubtree(node);
    return expander.Finish();
  });
}

const std::vector<std::string>& ClosureOf(const TrieNode& root, const TrieNode& node,
                                          const CompiledRole& role) {
  return Cached(role.star ? node.star_closure : node.exact_closure, [&] {
    Expander expander(root, /*use_closures=*/false);
    expander.Literal(node, role);
    expander.Drain();
    return expander.Finish();
  });
}

void Expander::AddScope(absl::string_view scope) {
  pending_.push_back(scope);
  Drain();
}

void Expander::AddSubtree(const TrieNode& node) {
  ForEachRole(node, [this](const TrieNode& n, const CompiledRole& role) {
    Literal(n, role);
    if (role.star) Param(role, "*");
  });
  Drain();
}

std::vector<std::string> Expander::Finish(ScopeListView extra) {
  lists_.push_back(extra);
  return MergeNormalizedViews(lists_);
}

void Expander::Literal(const TrieNode& node, const CompiledRole& role) {
  if (!roles_seen_.insert(&role).second) return;
  if (use_closures_) {
    lists_.push_back(ClosureOf(root_, node, role));
    return;
  }
  lists_.push_back(role.literal);
  for (uint32_t i : role.assume_literal) pending_.push_back(role.literal[i]);
}

void Expander::Param(const CompiledRole& role, absl::string_view param) {
  if (role.params.empty()) return;
  std::vector<std::string> granted;
  granted.reserve(role.params.size());
  for (const ParamScope& p : role.params) granted.push_back(Substitute(p, param));
  // Strings are final once stored: views into them stay valid.
  const std::vector<std::string>& stored =
      substituted_.emplace_back(SortAndNormalize(std::move(granted)));
  lists_.push_back(stored);
  for (const std::string& s : stored) {
    absl::string_view unused;
    if (ToRoleSpace(s, &unused)) pending_.push_back(s);
  }
}

void Expander::Subtree(const TrieNode& node) { lists_.push_back(KleeneOf(root_, node)); }

void Expander::Drain() {
  while (!pending_.empty()) {
    const absl::string_view scope = pending_.back();
    pending_.pop_back();
    if (!scopes_seen_.insert(scope).second) continue;
    ForEachFiring(root_, scope, *this);
  }
}

}  // namespace bulwark::scopes::internal
