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

std::vector<std::string> MergeNormalizedSets(
    absl::Span<const absl::Span<const std::string>> sets) {
  std::vector<ScopeListView> views(sets.begin(), sets.end());
  return MergeNormalizedViews(views);
}

std::vector<std::string> MergeNormalizedViews(
    absl::Span<const ScopeListView> lists) {
  // Cursors into the non-empty lists, kept as a min-heap on their current
  // element.
  struct Cursor {
    const ScopeListView* list;
    size_t next;
    const std::string& head() const { return (*list)[next]; }
  };
  std::vector<Cursor> heap;
  size_t total = 0;
  for (const ScopeListView& list : lists) {
    if (list.size() == 0) continue;
    heap.push_back({&list, 0});
    total += list.size();
  }
  std::vector<std::string> out;
  out.reserve(total);
  NormalizingSink sink(out);
  if (heap.size() == 1) {
    for (size_t i = 0; i < heap[0].list->size(); ++i)
      sink.Add((*heap[0].list)[i]);
    return out;
  }
  // std heap functions build a max-heap, so order by "greater".
  const auto greater = [](const Cursor& x, const Cursor& y) {
    return ScopeCompare(x.head(), y.head()) > 0;
  };
  std::make_heap(heap.begin(), heap.end(), greater);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    Cursor& c = heap.back();
    if (!out.empty() && IsStar(out.back()) &&
        absl::StartsWith(c.head(), WithoutStar(out.back()))) {
      // Covered by the last star emitted: so is the rest of the run with its
      // prefix, which follows contiguously in this list; skip it by binary
      // search.
      const absl::string_view prefix = WithoutStar(out.back());
      const auto covered = [&](size_t i) {
        return absl::StartsWith((*c.list)[i], prefix);
      };
      // Gallop, then binary search: runs are usually short.
      size_t lo = c.next + 1, step = 1, hi = lo;
      while (hi < c.list->size() && covered(hi)) {
        lo = hi + 1;
        hi += step;
        step *= 2;
      }
      hi = std::min(hi, c.list->size());
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (covered(mid)) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      c.next = lo;
    } else {
      // Emit from this list while it stays below every other list's head: one
      // comparison per scope instead of a heap update.
      sink.Add(c.head());
      ++c.next;
      const Cursor* rival = heap.size() > 1 ? &heap.front() : nullptr;
      while (c.next < c.list->size() &&
             (rival == nullptr || ScopeCompare(c.head(), rival->head()) < 0) &&
             !(IsStar(out.back()) &&
               absl::StartsWith(c.head(), WithoutStar(out.back())))) {
        sink.Add(c.head());
        ++c.next;
      }
    }
    if (c.next == c.list->size()) {
      heap.pop_back();
    } else {
      std::push_heap(heap.begin(), heap.end(), greater);
    }
  }
  return out;
}

std::vector<std::string> ScopeUnion(std::vector<std::string> a,
                                    std::vector<std::string> b) {
  return MergeScopeSets(SortAndNormalize(std::move(a)),
                        SortAndNormalize(std::move(b)));
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

bool SetSatisfies(absl::Span<const std::string> given,
                  absl::string_view required) {
  return std::any_of(given.begin(), given.end(), [&](const std::string& g) {
    return Satisfies(g, required);
  });
}

}  // namespace bulwark::scopes
