// File: libraries/scopes/resolver.h
//
// Resolver: the role resolver of auth.md §2 — `assume:` expansion with exact,
// star and parameterized roles, identical to upstream's ScopeResolver (and to
// the reference fixed point, oracle.h) — with incremental updates and lock-free
// readers.
//
//   BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<Resolver> resolver,
//   Resolver::Create(roles)); std::vector<std::string> expanded =
//   resolver->Expand({"assume:project-admin:zap"});
//   BULWARK_RETURN_IF_ERROR(resolver->UpsertRole({"project-admin:*",
//   {"secrets:get:<..>/*"}})); Explanation why =
//   resolver->snapshot()->Explain(client_scopes, "secrets:get:zap/x");
//
// Design. The current role set is published as an immutable RoleSnapshot
// (role_snapshot.h) behind a shared_ptr that readers take with
// std::atomic_load; a reader keeps its version for as long as it holds the
// pointer. The writer (UpsertRole, DeleteRole, ReplaceAll; serialized by a
// mutex that readers never take) prepares the next version privately and
// publishes it with std::atomic_store. Versions share structure (role_trie.h):
// a one-role change validates only that role (a new cycle must pass through
// it), copies only the trie paths of that role and of the roles depending on it
// (role_graph.h), and keeps every other cached expansion. Expansion itself
// walks the roles reached (expander.h), so nothing is precomputed per role and
// a build is linear in the size of the role set.
//
// Validation rejects what upstream's trie.dependencyOrdering rejects, with its
// messages (see RoleSetError in role.h): illegal parameterized scopes and
// dependency cycles; it also rejects invalid roleIds and scopes and repeated
// roleIds. A rejected change leaves the published version as it was (as
// upstream keeps its previous resolver when a rebuild throws). Two deliberate
// differences in the cycle reported (never in whether a set is accepted):
// upstream's list also names roles its depth-first search had already finished
// (for a -> {b, c}, c -> a it reports a -> b -> c -> a); we report the cycle
// itself (a -> c -> a), found by the same search in the same order. And
// UpsertRole reports a cycle through the changed role, starting from it, where
// upstream's createRole would search the whole set from its first role.
//
// Semantics follow upstream's implementation and reference oracle where auth.md
// §2.3's wording differs: a star role `Q*` matches an input whose text, without
// one trailing `*`, starts with Q (so role `a**` fires for `assume:a*` with
// parameter `*`, not "").
//
// Thread-safety: all methods are thread-safe. Readers (snapshot, Expand) never
// block on the writer; std::atomic_load/store of a shared_ptr is a pointer copy
// under libstdc++'s short internal spinlock. Errors: INVALID_ARGUMENT with a
// RoleSetError payload for a rejected role set or change; NOT_FOUND from
// DeleteRole for an unknown role.

#ifndef BULWARK_LIBRARIES_SCOPES_RESOLVER_H_
#define BULWARK_LIBRARIES_SCOPES_RESOLVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "libraries/scopes/role.h"
#include "libraries/scopes/role_graph.h"
#include "libraries/scopes/role_snapshot.h"

namespace bulwark::scopes {

// Upstream ScopeResolver.validateRoles: OK, or the first error in upstream's
// order.
absl::Status ValidateRoles(const std::vector<Role>& roles);

class Resolver {
 public:
  // Validates `roles` as a whole (ValidateRoles) and publishes version 1.
  static absl::StatusOr<std::unique_ptr<Resolver>> Create(const std::vector<Role>& roles);

  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // The current version. Hold it to run several operations on one consistent
  // role set.
  std::shared_ptr<const RoleSnapshot> snapshot() const { return std::atomic_load(&snapshot_); }

  // snapshot()->Expand(scopes).
  std::vector<std::string> Expand(absl::Span<const std::string> scopes) const {
    return snapshot()->Expand(scopes);
  }
  // snapshot()->ExpandShared(scopes).
  ExpandedScopes ExpandShared(absl::Span<const std::string> scopes) const {
    return snapshot()->ExpandShared(scopes);
  }

  // Whether UpsertRole(role) would succeed (for createRole/updateRole), without
  // changing anything.
  absl::Status CheckUpsert(const Role& role) const;

  // Adds `role`, or replaces the role with the same roleId, and publishes a new
  // version.
  absl::Status UpsertRole(const Role& role);

  // Removes a role and publishes a new version.
  absl::Status DeleteRole(absl::string_view role_id);

  // Replaces the whole role set (a reload), validated as in Create.
  absl::Status ReplaceAll(const std::vector<Role>& roles);

 private:
  explicit Resolver(internal::RoleGraph graph);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;  // serializes writers; readers never take it
  internal::RoleGraph graph_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<const RoleSnapshot> snapshot_;  // only via std::atomic_load/store
};

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_RESOLVER_H_
