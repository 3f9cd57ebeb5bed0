#include "libraries/scopes/scope_entries.h"

#include <algorithm>
#include <utility>

namespace bulwark::scopes::internal {
namespace {

// An entry and its key at the current depth of the most-significant-digit sort.
struct Item {
  uint64_t key;
  ScopeEntry entry;
};

uint64_t KeyAt(const ScopeEntry& e, size_t offset) {
  const size_t n = e.stem_size();
  return offset >= n ? 0 : KeyOf(e.data + offset, n - offset);
}

bool EntryLess(const ScopeEntry& a, const ScopeEntry& b) { return CompareEntries(a, b) < 0; }

void SortByComparison(Item* first, Item* last) {
  std::sort(first, last, [](const Item& a, const Item& b) { return EntryLess(a.entry, b.entry); });
}

bool AllEndBy(const Item* first, const Item* last, size_t limit) {
  return std::all_of(first, last, [limit](const Item& i) { return i.entry.stem_size() <= limit; });
}

// Sorts items whose stems agree on their first `offset` bytes: by the next
// eight bytes, then each group of equal keys on the bytes after them.
void SortItems(Item* first, Item* last, size_t offset) {
  const ptrdiff_t n = last - first;
  if (n < 2) return;
  if (n <= 6) {
    SortByComparison(first, last);
    return;
  }
  bool all_equal = true;
  for (Item* i = first; i != last; ++i) {
    i->key = offset == 0 ? i->entry.key : KeyAt(i->entry, offset);
    all_equal = all_equal && i->key == first->key;
  }
  // The stems of a group that agree on every byte they have left differ only
  // in length, in zero bytes or in a trailing star: compare them whole.
  const size_t next = offset + 8;
  if (all_equal) {
    if (AllEndBy(first, last, next)) {
      SortByComparison(first, last);
    } else {
      SortItems(first, last, next);
    }
    return;
  }
  std::sort(first, last, [](const Item& a, const Item& b) { return a.key < b.key; });
  for (Item* run = first; run != last;) {
    Item* end = run + 1;
    while (end != last && end->key == run->key) ++end;
    if (end - run > 1) {
      if (AllEndBy(run, end, next)) {
        SortByComparison(run, end);
      } else {
        SortItems(run, end, next);
      }
    }
    run = end;
  }
}

// Appends a run of a normalized list to `out`: members the last output member
// repeats or covers are dropped; once one is kept, the rest of the run follows
// it unchanged (a star covers a contiguous range that starts right after it).
void AppendRun(std::vector<ScopeEntry>& out, const ScopeEntry* first, const ScopeEntry* last) {
  while (first != last && !out.empty() &&
         (Covers(out.back(), *first) || EqualEntries(out.back(), *first))) {
    ++first;
  }
  out.insert(out.end(), first, last);
}

// The first index after `i` whose member does not sort before `bound`
// (list[i] does), by exponential then binary search.
size_t RunEnd(absl::Span<const ScopeEntry> list, size_t i, const ScopeEntry& bound) {
  size_t lo = i + 1;
  size_t step = 1;
  size_t hi = lo;
  while (hi < list.size() && EntryLess(list[hi], bound)) {
    lo = hi + 1;
    step *= 2;
    hi = i + step;
  }
  hi = std::min(hi, list.size());
  return static_cast<size_t>(
      std::lower_bound(list.begin() + lo, list.begin() + hi, bound, EntryLess) - list.begin());
}

// Consecutive members taken from one list after which the merge gallops.
constexpr int kGallopAfter = 6;

}  // namespace

void SortAndNormalizeEntries(std::vector<ScopeEntry>& entries) {
  if (entries.size() > 1) {
    thread_local std::vector<Item> items;
    items.clear();
    items.reserve(entries.size());
    for (const ScopeEntry& e : entries) items.push_back({0, e});
    SortItems(items.data(), items.data() + items.size(), 0);
    for (size_t i = 0; i < items.size(); ++i) entries[i] = items[i].entry;
  }
  size_t kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (kept > 0 &&
        (Covers(entries[kept - 1], entries[i]) || EqualEntries(entries[kept - 1], entries[i]))) {
      continue;
    }
    entries[kept++] = entries[i];
  }
  entries.resize(kept);
}

void MergeTwo(absl::Span<const ScopeEntry> a, absl::Span<const ScopeEntry> b,
              std::vector<ScopeEntry>& out) {
  out.reserve(out.size() + a.size() + b.size());
  size_t i = 0, j = 0;
  int from_a = 0, from_b = 0;  // consecutive picks
  while (i < a.size() && j < b.size()) {
    const int c = CompareEntries(a[i], b[j]);
    if (c == 0) {
      AppendNormalized(out, a[i++]);
      ++j;
      from_a = from_b = 0;
    } else if (c < 0) {
      if (++from_a >= kGallopAfter) {
        const size_t end = RunEnd(a, i, b[j]);
        AppendRun(out, a.data() + i, a.data() + end);
        i = end;
        from_a = 0;
      } else {
        AppendNormalized(out, a[i++]);
      }
      from_b = 0;
    } else {
      if (++from_b >= kGallopAfter) {
        const size_t end = RunEnd(b, j, a[i]);
        AppendRun(out, b.data() + j, b.data() + end);
        j = end;
        from_b = 0;
      } else {
        AppendNormalized(out, b[j++]);
      }
      from_a = 0;
    }
  }
  AppendRun(out, a.data() + i, a.data() + a.size());
  AppendRun(out, b.data() + j, b.data() + b.size());
}

void EntryMerger::Merge(absl::Span<const absl::Span<const ScopeEntry>> lists,
                        std::vector<ScopeEntry>& out) {
  work_.clear();
  for (const auto& list : lists) {
    if (!list.empty()) work_.push_back(list);
  }
  if (work_.empty()) return;
  if (work_.size() == 1) {
    AppendRun(out, work_[0].data(), work_[0].data() + work_[0].size());
    return;
  }
  // Two smallest first, so that a long list is copied as few times as
  // possible.
  size_t used = 0;
  while (work_.size() > 2) {
    size_t x = 0, y = 1;
    if (work_[y].size() < work_[x].size()) std::swap(x, y);
    for (size_t k = 2; k < work_.size(); ++k) {
      if (work_[k].size() < work_[x].size()) {
        y = x;
        x = k;
      } else if (work_[k].size() < work_[y].size()) {
        y = k;
      }
    }
    if (used == buffers_.size()) buffers_.push_back(std::make_unique<std::vector<ScopeEntry>>());
    std::vector<ScopeEntry>& buffer = *buffers_[used++];
    buffer.clear();
    MergeTwo(work_[x], work_[y], buffer);
    work_[std::min(x, y)] = absl::MakeConstSpan(buffer);
    work_.erase(work_.begin() + std::max(x, y));
  }
  MergeTwo(work_[0], work_[1], out);
}

}  // namespace bulwark::scopes::internal
