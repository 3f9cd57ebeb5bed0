// File: libraries/scopes/scope_set.h
//
// Scope sets with the semantics of taskcluster-lib-scopes 11.0.0: sorting
// (`SortScopes`, by ScopeCompare), normalization (`NormalizeScopeSet`, upstream
// normalizeScopeSet), merging of normalized sets (`MergeScopeSets`, and
// `MergeNormalizedSets` for k sets at once), union
// (`ScopeUnion`) and intersection (`ScopeIntersection`), and set satisfaction
// (`SetSatisfies`).
//
// A *normalized* set is sorted with ScopeLess, has no duplicates, and no member
// satisfies another member. Functions that take a normalized or sorted set do
// not check it; as upstream, the result for unsorted input is unspecified (but
// memory-safe).
//
// Thread-safety: pure functions. Errors: none.

#ifndef BULWARK_LIBRARIES_SCOPES_SCOPE_SET_H_
#define BULWARK_LIBRARIES_SCOPES_SCOPE_SET_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace bulwark::scopes {

// Sorts with ScopeLess (upstream `scopes.sort(scopeCompare)`).
void SortScopes(std::vector<std::string>& scopes);

// Upstream normalizeScopeSet: `sorted` must be sorted with ScopeLess. Keeps
// each scope once and drops every scope that a preceding `...*` member
// satisfies.
std::vector<std::string> NormalizeScopeSet(std::vector<std::string> sorted);

// SortScopes then NormalizeScopeSet: any order in, normalized set out.
std::vector<std::string> SortAndNormalize(std::vector<std::string> scopes);

// Upstream mergeScopeSets: the normalized union of two normalized sets. Like
// upstream, it also normalizes sets that are only sorted (one difference:
// upstream keeps exact repeats inside one argument, this drops them).
std::vector<std::string> MergeScopeSets(absl::Span<const std::string> a,
                                        absl::Span<const std::string> b);

// The normalized union of any number of normalized sets, in O(N log k).
std::vector<std::string> MergeNormalizedSets(absl::Span<const absl::Span<const std::string>> sets);

// A read-only view of a sorted list of scopes, held either as contiguous
// strings or as pointers to strings (so that callers can merge sets they do not
// own without copying them first).
class ScopeListView {
 public:
  ScopeListView(absl::Span<const std::string> scopes)  // NOLINT: implicit by design
      : data_(scopes.data()), size_(scopes.size()) {}
  ScopeListView(absl::Span<const std::string* const> scopes)  // NOLINT
      : pointers_(scopes.data()), size_(scopes.size()) {}
  ScopeListView(const std::vector<std::string>& scopes)  // NOLINT
      : ScopeListView(absl::MakeConstSpan(scopes)) {}
  ScopeListView(const std::vector<const std::string*>& scopes)  // NOLINT
      : ScopeListView(absl::MakeConstSpan(scopes)) {}

  size_t size() const { return size_; }
  const std::string& operator[](size_t i) const {
    return data_ != nullptr ? data_[i] : *pointers_[i];
  }

 private:
  const std::string* data_ = nullptr;
  const std::string* const* pointers_ = nullptr;
  size_t size_;
};

// MergeNormalizedSets over views.
std::vector<std::string> MergeNormalizedViews(absl::Span<const ScopeListView> lists);

// Upstream scopeUnion: sorts and normalizes each argument, then merges them.
std::vector<std::string> ScopeUnion(std::vector<std::string> a, std::vector<std::string> b);

// Upstream scopeIntersection: the members of `a` that some member of `b`
// satisfies, then the members of `b` that some member of `a` satisfies, without
// repeats (first occurrence kept). Not sorted or normalized.
std::vector<std::string> ScopeIntersection(absl::Span<const std::string> a,
                                           absl::Span<const std::string> b);

// True when some member of `given` satisfies `required` (any order; linear
// scan).
bool SetSatisfies(absl::Span<const std::string> given, absl::string_view required);

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_SCOPE_SET_H_
