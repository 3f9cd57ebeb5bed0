// File: libraries/scopes/expander.h
//
// Internal to the resolver: expansion over one trie version (`ExpandQuery`)
// and the per-node caches it reads (`KleeneOf`, `StarClosureOf`,
// `ExactQueryOf`, `KleeneQueryOf`), all as internal::ScopeRep blocks
// (expanded_scopes.h) with sort keys.
//
// Caches, filled on first use and kept in the trie node (so they are shared by
// every version that shares the node, and dropped with it when the writer
// copies the node; see role_trie.h and role_graph.h for which nodes a change
// copies):
//   - KleeneOf(N): what every role in N's subtree grants, star roles with
//     parameter `*`;
//   - StarClosureOf(N): what the literal scopes of N's star role grant, with
//     them;
//   - ExactQueryOf(N): the expansion of the single scope `assume:<N's exact
//     role id>` as far as that role goes: the scope itself, the role's scopes
//     and everything they grant;
//   - KleeneQueryOf(N): KleeneOf(N) with the scope `assume:<N's path>*`.
// Each depends only on roles at or below N and on the roles those reach
// (never on the star roles above N), which is what lets a one-role change
// keep every cache that does not reach the role.
//
// A cache is computed by a walk of the roles reached (every scope fired once,
// every role's literal scopes collected once, parameters substituted as they
// are reached, kleene subtrees read from KleeneOf), merged once at the end.
// A query then only looks caches up: each input fires the caches of the roles
// it reaches directly (plus the parameterized scopes of star roles it fires
// with a parameter, expanded the same way); the lists are merged with the
// sorted inputs into one result that shares the caches' storage. A query of
// one scope that reaches exactly one role's cache returns that cache itself.
// Scratch memory is per thread and reused, so a query allocates only its
// result (and nothing when it returns a cache).
//
// Thread-safety: any number of threads may expand on the same trie at once;
// caches are published with a compare-and-swap of a pointer (a racing loser
// drops its copy). Errors: none.

#ifndef BULWARK_LIBRARIES_SCOPES_EXPANDER_H_
#define BULWARK_LIBRARIES_SCOPES_EXPANDER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "libraries/scopes/expanded_scopes.h"
#include "libraries/scopes/role_trie.h"

namespace bulwark::scopes::internal {

// The caches described above. `root` is the trie `node` belongs to; the
// result lives as long as `node`.
const ScopeRep& KleeneOf(const TrieNode& root, const TrieNode& node);
const ScopeRep& StarClosureOf(const TrieNode& root, const TrieNode& node);  // node.star set
const ScopeRep& ExactQueryOf(const TrieNode& root, const TrieNode& node);   // node.exact set
// `scope` must be `assume:<path of node>*`.
const ScopeRep& KleeneQueryOf(const TrieNode& root, const TrieNode& node, absl::string_view scope);

// The sorted, normalized expansion of `scopes` (any order), the inputs
// included.
ExpandedScopes ExpandQuery(const TrieNode& root, absl::Span<const std::string> scopes);
// The same for a query already sorted and normalized (an ExpandedScopes): no
// sorting, and the result keeps `scopes`' block alive instead of copying its
// characters (or is `scopes` itself when no role fires).
ExpandedScopes ExpandQuery(const TrieNode& root, const ExpandedScopes& scopes);

}  // namespace bulwark::scopes::internal

#endif  // BULWARK_LIBRARIES_SCOPES_EXPANDER_H_
