// File: libraries/scopes/role_trie.h
//
// Internal to the resolver: a persistent radix trie over role ids, and the walk
// that finds the roles an input scope fires (`ForEachFiring`, auth.md §2.2).
//
// Each node holds the exact role whose id is the node's path and the star role
// whose id is the path plus `*`, and the expansions cached for it (expander.h). Versions share
// structure: the writer copies only the nodes on the paths it changes ("path copying"), so a new
// version costs O(changed paths), and an unchanged subtree keeps its lazily computed caches.
//
// Thread-safety: a published trie is immutable except for the caches,
// which readers fill lock-free (compare-and-swap of a pointer; a loser discards
// its copy). Only the writer calls the mutating functions, and only on nodes of
// its current generation, which no reader can see yet. Errors: none.

#ifndef BULWARK_LIBRARIES_SCOPES_ROLE_TRIE_H_
#define BULWARK_LIBRARIES_SCOPES_ROLE_TRIE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "libraries/scopes/compiled_role.h"
#include "libraries/scopes/expanded_scopes.h"
#include "libraries/scopes/scope.h"

namespace bulwark::scopes::internal {

struct TrieNode;
using TrieNodePtr = std::shared_ptr<TrieNode>;
using RolePtr = std::shared_ptr<const CompiledRole>;

struct TrieEdge {
  std::string label;  // non-empty; siblings start with distinct bytes
  TrieNodePtr node;
};

struct TrieNode {
  explicit TrieNode(uint64_t generation) : generation(generation) {}
  TrieNode(const TrieNode& other, uint64_t generation)
      : generation(generation), exact(other.exact), star(other.star), children(other.children) {}
  ~TrieNode() {
    for (const auto* slot : {&kleene, &star_closure, &exact_query, &kleene_query}) {
      if (const ScopeRep* rep = slot->load(std::memory_order_acquire)) rep->Unref();
    }
  }

  const TrieEdge* FindChild(char c) const;
  bool empty() const { return !exact && !star && children.empty(); }

  const uint64_t generation;       // the writer generation that may still modify this node
  RolePtr exact;                   // role id == path
  RolePtr star;                    // role id == path + "*"
  std::vector<TrieEdge> children;  // sorted by first byte
  // Lazily computed expansions (expander.h), null until needed, each holding
  // one reference: of all roles in this subtree with parameter `*` (kleene), of
  // the literal scopes of `star` (star_closure), of `assume:<exact role id>`
  // (exact_query) and of `assume:<path>*` (kleene_query).
  mutable std::atomic<const ScopeRep*> kleene{nullptr};
  mutable std::atomic<const ScopeRep*> star_closure{nullptr};
  mutable std::atomic<const ScopeRep*> exact_query{nullptr};
  mutable std::atomic<const ScopeRep*> kleene_query{nullptr};
};

// Writer operations. They copy every node on the path that is older than
// `generation`, so the trie given in `root` is left intact for readers of older
// versions.
//
// Sets (or with null, clears) the role at `role_id` (star or exact by its last
// byte).
void SetRole(TrieNodePtr& root, absl::string_view role_id, RolePtr role, uint64_t generation);
// Copies the path to the node of `role_id`, dropping the kleene caches on it.
void TouchPath(TrieNodePtr& root, absl::string_view role_id, uint64_t generation);
// The role with this id, or null.
const CompiledRole* FindRole(const TrieNode& root, absl::string_view role_id);
// Calls fn(const TrieNode&, const CompiledRole&) for every role in the subtree,
// in path order (exact first); the node is the one holding the role.
template <typename Fn>
void ForEachRole(const TrieNode& node, Fn&& fn) {
  if (node.exact) fn(node, *node.exact);
  if (node.star) fn(node, *node.star);
  for (const TrieEdge& e : node.children) ForEachRole(*e.node, fn);
}

// Calls, for the roles that holding `scope` fires:
//   - v.Literal(node, role): the role (held by node) fires, granting its
//     literal scopes;
//   - v.Param(role, param): a star role fires with this parameter (one ending
//     in `*` is the kleene form);
//   - v.Subtree(node, at_node): every role in the subtree fires, star roles
//     with parameter `*`; `at_node` when the scope is exactly
//     `assume:<path of node>*` (else it ends inside the edge above node, or
//     is one of `*`, `a*`, ..., `assume*`, which fire the whole trie).
// A star role reported through Param is also reported through Literal, just
// before.
template <typename Visitor>
void ForEachFiring(const TrieNode& root, absl::string_view scope, Visitor& v) {
  absl::string_view input;
  if (!ToRoleSpace(scope, &input)) return;
  const bool kleene = IsStar(input);
  const absl::string_view key = WithoutStar(input);
  const TrieNode* node = &root;
  size_t depth = 0;
  while (true) {
    if (kleene && depth == key.size()) {
      v.Subtree(*node, /*at_node=*/absl::StartsWith(scope, kAssumePrefix));
      return;
    }
    if (node->star) {
      v.Literal(*node, *node->star);
      v.Param(*node->star, input.substr(depth));
    }
    if (depth == key.size()) {
      if (node->exact) v.Literal(*node, *node->exact);
      return;
    }
    const TrieEdge* edge = node->FindChild(key[depth]);
    if (edge == nullptr) return;
    const absl::string_view rest = key.substr(depth);
    if (!absl::StartsWith(rest, edge->label)) {
      // The key ends inside this edge: a kleene input still covers the whole
      // subtree below.
      if (kleene && absl::StartsWith(edge->label, rest)) v.Subtree(*edge->node, false);
      return;
    }
    node = edge->node.get();
    depth += edge->label.size();
  }
}

}  // namespace bulwark::scopes::internal

#endif  // BULWARK_LIBRARIES_SCOPES_ROLE_TRIE_H_
