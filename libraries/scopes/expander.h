// File: libraries/scopes/expander.h
//
// Internal to the resolver: one expansion over one trie version (`Expander`),
// and the lazily filled kleene cache of a trie node (`KleeneOf`).
//
// The expansion is a graph walk rather than a lookup of precomputed per-role
// closures: every scope reached is fired once (ForEachFiring), every role's
// literal scopes are collected once, parameterized scopes are substituted as
// they are reached, and a kleene input (`...*`) takes the node's cached
// expansion of its whole subtree. The collected sorted lists are merged once at
// the end (k-way, normalizing). Acyclic roles (validated by the writer) make
// the walk finite; its cost is the size of what is reached, so no build step
// materializes per-role closures (a chain of n roles costs O(n) to build, not
// O(n^2)).
//
// Thread-safety: an Expander is used by one thread; many Expanders may run on
// the same trie at once (KleeneOf is lock-free). Errors: none.

#ifndef BULWARK_LIBRARIES_SCOPES_EXPANDER_H_
#define BULWARK_LIBRARIES_SCOPES_EXPANDER_H_

#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "libraries/scopes/role_trie.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes::internal {

// The normalized expansion of every role in `node`'s subtree (star roles with
// parameter `*`), computed on first use and cached in the node. `root` is the
// trie `node` belongs to.
const std::vector<std::string>& KleeneOf(const TrieNode& root, const TrieNode& node);

// The normalized closure of `role` (held by `node`): its literal scopes and
// everything they grant, computed on first use and cached in the node.
const std::vector<std::string>& ClosureOf(const TrieNode& root, const TrieNode& node,
                                          const CompiledRole& role);

class Expander {
 public:
  // With `use_closures`, a fired role contributes its cached closure; without,
  // its literal scopes are walked (what the caches are computed with).
  Expander(const TrieNode& root, bool use_closures) : root_(root), use_closures_(use_closures) {}
  Expander(const Expander&) = delete;
  Expander& operator=(const Expander&) = delete;

  // Adds what holding `scope` grants (not `scope` itself). `scope` must outlive
  // the Expander.
  void AddScope(absl::string_view scope);
  // Adds what every role in `node`'s subtree grants, star roles with parameter
  // `*`.
  void AddSubtree(const TrieNode& node);
  // The normalized union of everything added and of `extra` (a normalized set).
  std::vector<std::string> Finish(
      ScopeListView extra = ScopeListView(absl::Span<const std::string>()));

  // ForEachFiring visitor interface.
  void Literal(const TrieNode& node, const CompiledRole& role);
  void Param(const CompiledRole& role, absl::string_view param);
  void Subtree(const TrieNode& node);

  // Fires the scopes queued by Literal and Param until none is left.
  void Drain();

 private:
  const TrieNode& root_;
  const bool use_closures_;
  absl::flat_hash_set<const CompiledRole*> roles_seen_;
  absl::flat_hash_set<absl::string_view> scopes_seen_;
  std::vector<absl::string_view> pending_;
  std::deque<std::vector<std::string>> substituted_;  // stable storage
  std::vector<ScopeListView> lists_;
};

}  // namespace bulwark::scopes::internal

#endif  // BULWARK_LIBRARIES_SCOPES_EXPANDER_H_
