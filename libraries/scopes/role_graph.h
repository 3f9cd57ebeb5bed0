// File: libraries/scopes/role_graph.h
//
// Internal to the resolver: the writer's side of a role set. RoleGraph owns the
// current trie (role_trie.h), the dependency graph between roles (forward and
// reverse edges, auth.md §2.4's worst-case rule) and an index of the scopes
// roles grant, and applies one change at a time:
//
//   - Upsert/Delete of one role validate only what the change can break (its
//   own scopes; a new
//     cycle must pass through it), then update the graph and copy only the trie
//     paths of the role and of the roles that depend on it, transitively (their
//     expansions, and the kleene caches above them, may change). Everything
//     else, caches included, is shared with the previous version.
//   - Build validates a whole set the way upstream's trie.dependencyOrdering
//   does (same error
//     order, same depth-first search), for loading and for
//     ScopeResolver.validateRoles.
//
// Cost of a change: O(|scopes of the role| x trie depth) to find its
// dependencies, plus O(k x depth) for the k roles that depend on it; no
// expansion is recomputed eagerly.
//
// Thread-safety: not thread-safe; Resolver serializes the writer. Published
// roots are never modified (see role_trie.h). Errors: INVALID_ARGUMENT with a
// RoleSetError payload (role.h) for a rejected role or set; NOT_FOUND from
// Delete for an unknown role.

#ifndef BULWARK_LIBRARIES_SCOPES_ROLE_GRAPH_H_
#define BULWARK_LIBRARIES_SCOPES_ROLE_GRAPH_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/scopes/role.h"
#include "libraries/scopes/role_trie.h"

namespace bulwark::scopes::internal {

class RoleGraph {
 public:
  RoleGraph();

  // Validates and loads a whole role set (upstream validation order and
  // messages).
  static absl::StatusOr<RoleGraph> Build(const std::vector<Role>& roles);

  // A validated change, ready to commit (valid until the graph changes).
  struct PreparedUpsert {
    RolePtr role;
    bool is_new = false;
    TrieNodePtr root;  // the trie with the role set
    std::vector<uint32_t> deps;
    std::vector<uint32_t> incoming;  // roles that fire the role (new roles only)
  };
  // Validates adding or replacing one role.
  absl::StatusOr<PreparedUpsert> PrepareUpsert(const Role& role) const;
  void CommitUpsert(PreparedUpsert change);
  absl::Status Delete(absl::string_view role_id);

  const TrieNodePtr& root() const { return root_; }
  size_t role_count() const { return slot_of_.size(); }

 private:
  struct Entry {
    RolePtr role;                         // null for a free slot
    std::vector<uint32_t> deps;           // roles this one fires (worst case)
    absl::flat_hash_set<uint32_t> rdeps;  // roles that fire this one
  };

  // Roles fired by `role`'s dependency scopes in `root`: per scope, in
  // decimal-string order of slot (upstream's order when slots are input
  // positions), without repeats.
  std::vector<uint32_t> DependenciesOf(const TrieNode& root, const CompiledRole& role) const;
  // Slots of the roles whose dependency scopes fire the pattern of `role_id`.
  std::vector<uint32_t> RolesFiring(absl::string_view role_id) const;
  // Roles that depend on `slot`, transitively (not `slot` itself).
  std::vector<uint32_t> Dependents(uint32_t slot) const;
  void IndexScopes(const CompiledRole& role, bool add);
  void AddEdge(uint32_t from, uint32_t to);
  uint32_t AllocateSlot();

  TrieNodePtr root_;
  uint64_t generation_ = 0;
  std::vector<Entry> entries_;  // by slot
  std::vector<uint32_t> free_slots_;
  absl::flat_hash_map<std::string, uint32_t> slot_of_;
  // Assume-like dependency scopes -> the slots of the roles that have them.
  std::map<std::string, std::vector<uint32_t>, std::less<>> scope_index_;
};

}  // namespace bulwark::scopes::internal

#endif  // BULWARK_LIBRARIES_SCOPES_ROLE_GRAPH_H_
