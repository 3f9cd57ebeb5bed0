#include "libraries/scopes/scope_set.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "libraries/scopes/scope.h"

namespace bulwark::scopes {
namespace {

// Appends `scope` to the normalized, sorted `out` unless it repeats or is
// covered by the last member; every caller feeds scopes in ScopeLess order, so
// the last member is the only candidate that can cover `scope` (the scopes a
// star covers follow it contiguously).
class NormalizingSink {
 public:
  explicit NormalizingSink(std::vector<std::string>& out) : out_(out) {}

  template <typename S>
  void Add(S&& scope) {
    if (!out_.empty()) {
      const std::string& last = out_.back();
      if (last == scope) return;
      if (IsStar(last) && absl::StartsWith(scope, WithoutStar(last))) return;
    }
    out_.emplace_back(std::forward<S>(scope));
  }

 private:
  std::vector<std::string>& out_;
};

}  // namespace

void SortScopes(std::vector<std::string>& scopes) {
  std::sort(scopes.begin(), scopes.end(), ScopeLess());
}

std::vector<std::string> NormalizeScopeSet(std::vector<std::string> sorted) {
  std::vector<std::string> out;
  out.reserve(sorted.size());
  NormalizingSink sink(out);
  for (std::string& scope : sorted) sink.Add(std::move(scope));
  return out;
}

std::vector<std::string> SortAndNormalize(std::vector<std::string> scopes) {
  SortScopes(scopes);
  return NormalizeScopeSet(std::move(scopes));
}

std::vector<std::string> MergeScopeSets(absl::Span<const std::string> a,
                                        absl::Span<const std::string> b) {
  const absl::Span<const std::string> sets[] = {a, b};
  return MergeNormalizedSets(sets);
}

std::vector<std::string> MergeNormalizedSets(absl::Span<const absl::Span<const std::string>> sets) {
  std::vector<ScopeListView> views(sets.begin(), sets.end());
  return MergeNormalizedViews(views);
}

namespace {

using Refs = std::vector<const std::string*>;

// Appends `scope` to the normalized `out` unless the last member repeats or
// covers it (the pointer form of NormalizingSink).
inline void AddRef(Refs& out, const std::string* scope) {
  if (!out.empty()) {
    const std::string& last = *out.back();
    if (out.back() == scope || last == *scope) return;
    if (IsStar(last) && absl::StartsWith(*scope, WithoutStar(last))) return;
  }
  out.push_back(scope);
}

// Appends a scope known to differ from the last member: only star coverage is
// checked.
inline void AddDistinctRef(Refs& out, const std::string* scope) {
  if (!out.empty() && IsStar(*out.back()) && absl::StartsWith(*scope, WithoutStar(*out.back()))) {
    return;
  }
  out.push_back(scope);
}

// Linear merge of two normalized lists into a normalized one. Equal scopes are
// found by the three-way comparison, so members are appended with
// AddDistinctRef.
Refs MergeTwo(const Refs& a, const Refs& b) {
  Refs out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int c = a[i] == b[j] ? 0 : ScopeCompare(*a[i], *b[j]);
    if (c <= 0) {
      AddDistinctRef(out, a[i++]);
      if (c == 0) ++j;
    } else {
      AddDistinctRef(out, b[j++]);
    }
  }
  for (; i < a.size(); ++i) AddDistinctRef(out, a[i]);
  for (; j < b.size(); ++j) AddDistinctRef(out, b[j]);
  return out;
}

}  // namespace

std::vector<std::string> MergeNormalizedViews(absl::Span<const ScopeListView> lists) {
  // Balanced rounds of pairwise linear merges over pointers (each scope takes
  // part in about log k merges with one comparison each); strings are copied
  // once, at the end.
  std::vector<Refs> level;
  for (const ScopeListView& list : lists) {
    if (list.size() == 0) continue;
    Refs refs;
    refs.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) AddRef(refs, &list[i]);
    level.push_back(std::move(refs));
  }
  while (level.size() > 1) {
    std::vector<Refs> next;
    next.reserve((level.size() + 1) / 2);
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      next.push_back(MergeTwo(level[i], level[i + 1]));
    }
    if (level.size() % 2 == 1) next.push_back(std::move(level.back()));
    level.swap(next);
  }
  std::vector<std::string> out;
  if (level.empty()) return out;
  out.reserve(level[0].size());
  for (const std::string* s : level[0]) out.push_back(*s);
  return out;
}

std::vector<std::string> ScopeUnion(std::vector<std::string> a, std::vector<std::string> b) {
  return MergeScopeSets(SortAndNormalize(std::move(a)), SortAndNormalize(std::move(b)));
}

std::vector<std::string> ScopeIntersection(absl::Span<const std::string> a,
                                           absl::Span<const std::string> b) {
  std::vector<std::string> out;
  absl::flat_hash_set<absl::string_view> seen;
  const auto add_satisfied = [&](absl::Span<const std::string> from,
                                 absl::Span<const std::string> by) {
    for (const std::string& scope : from) {
      if (SetSatisfies(by, scope) && seen.insert(scope).second) {
        out.push_back(scope);
      }
    }
  };
  add_satisfied(a, b);
  add_satisfied(b, a);
  return out;
}

bool SetSatisfies(absl::Span<const std::string> given, absl::string_view required) {
  return std::any_of(given.begin(), given.end(),
                     [&](const std::string& g) { return Satisfies(g, required); });
}

}  // namespace bulwark::scopes
