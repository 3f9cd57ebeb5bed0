#include "libraries/scopes/scope_entries.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace bulwark::scopes::internal {
namespace {

// An entry's key at the current depth of the most-significant-digit sort, and
// its index.
struct Item {
  uint64_t key;
  uint32_t index;
};

// The eight bytes at `p` as a native-order integer.
uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint64_t BigEndian64(uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return __builtin_bswap64(v);
#else
  return v;
#endif
}

// The index of the first byte in which two native-order words differ (they do).
size_t FirstDifferingByte(uint64_t a, uint64_t b) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return static_cast<size_t>(__builtin_ctzll(a ^ b)) / 8;
#else
  return static_cast<size_t>(__builtin_clzll(a ^ b)) / 8;
#endif
}

uint64_t KeyAt(const ScopeEntry& e, size_t offset) {
  const size_t n = e.stem_size();
  if (offset >= n) return 0;
  const size_t rest = n - offset;
  if (rest >= 8) return BigEndian64(Load64(e.data + offset));
  // Fewer than eight bytes left, but at least eight in the stem: one load of
  // the stem's last eight bytes, shifted so the remaining ones lead.
  if (n >= 8) return BigEndian64(Load64(e.data + n - 8)) << (8 * (8 - rest));
  return KeyOf(e.data + offset, rest);
}

bool EntryLess(const ScopeEntry& a, const ScopeEntry& b) { return CompareEntries(a, b) < 0; }

// Insertion sort for short ranges, std::sort otherwise. Not stable (the
// callers sort equal items again, or they are equal scopes).
// `least`, when given, is a least item of the range.
template <typename Less>
void SmallSort(Item* first, Item* last, Less less, Item* least = nullptr) {
  if (last - first > 64) {
    std::sort(first, last, less);
    return;
  }
  if (last - first < 2) return;
  // The least item first, as a sentinel: the inner loop then needs no bound.
  if (least == nullptr) {
    least = first;
    for (Item* i = first + 1; i < last; ++i) {
      if (less(*i, *least)) least = i;
    }
  }
  std::swap(*first, *least);
  for (Item* i = first + 2; i < last; ++i) {
    const Item x = *i;
    Item* j = i;
    for (; less(x, *(j - 1)); --j) *j = *(j - 1);
    *j = x;
  }
}

// The length of the common prefix of `a` and `b` within their first `n`
// bytes, given that they agree on the first `k`.
size_t SharedPrefix(const char* a, const char* b, size_t k, size_t n) {
  while (k + 8 <= n) {
    const uint64_t x = Load64(a + k), y = Load64(b + k);
    if (x != y) return k + FirstDifferingByte(x, y);
    k += 8;
  }
  if (k >= n) return k;
  if (n >= 8) {
    // The last eight bytes, overlapping the ones already known equal.
    const uint64_t x = Load64(a + n - 8), y = Load64(b + n - 8);
    return x == y ? n : n - 8 + FirstDifferingByte(x, y);
  }
  while (k < n && a[k] == b[k]) ++k;
  return k;
}

// Batcher's merge-exchange network (Knuth, TAOCP 5.2.2, Algorithm M) for
// each size from 2 to kNetworkMax: the pairs to compare and exchange, in order.
constexpr size_t kNetworkMax = 64;
constexpr ptrdiff_t kNetworkFrom = 8;
struct Network {
  std::vector<std::pair<uint8_t, uint8_t>> pairs[kNetworkMax + 1];
};

const Network& Networks() {
  static const Network* const networks = [] {
    auto* net = new Network;
    for (size_t n = 2; n <= kNetworkMax; ++n) {
      size_t t = 0;
      while ((size_t{1} << t) < n) ++t;
      for (size_t p = size_t{1} << (t - 1); p > 0; p /= 2) {
        size_t q = size_t{1} << (t - 1), r = 0, d = p;
        while (true) {
          for (size_t i = 0; i + d < n; ++i) {
            if ((i & p) == r) net->pairs[n].emplace_back(i, i + d);
          }
          if (q == p) break;
          d = q - p;
          q /= 2;
          r = p;
        }
      }
    }
    return net;
  }();
  return *networks;
}

// Sorts 2 to kNetworkMax items by key when every key's lowest byte is zero
// (each stem ends within these eight bytes): each key with the item's
// position in that byte, through the size's network (no branch on the data:
// insertion sort mispredicts about once per item), then the items put back in
// that order.
void NetworkSort(Item* first, Item* last) {
  const size_t n = static_cast<size_t>(last - first);
  uint64_t v[kNetworkMax];
  uint32_t index[kNetworkMax];
  for (size_t i = 0; i < n; ++i) {
    v[i] = first[i].key | i;
    index[i] = first[i].index;
  }
  for (const auto& [a, b] : Networks().pairs[n]) {
    const uint64_t x = v[a], y = v[b];
    v[a] = x < y ? x : y;
    v[b] = x < y ? y : x;
  }
  for (size_t i = 0; i < n; ++i) {
    first[i].key = v[i] & ~uint64_t{0xff};
    first[i].index = index[v[i] & 0xff];
  }
}

class ItemSorter {
 public:
  explicit ItemSorter(const ScopeEntry* entries) : entries_(entries) {}

  // Sorts items whose stems agree on their first `offset` bytes: by the next
  // eight bytes, then each group of equal keys on the bytes after them.
  void Sort(Item* first, Item* last, size_t offset) const {
    if (last - first < 2) return;
    // Skip the bytes every stem shares (client scope sets often share long
    // prefixes such as `queue:route:notify.project.`): one pass instead of a
    // keyed pass per eight shared bytes.
    offset = CommonPrefix(first, last, offset);
    Item* least = first;
    bool all_equal = true;
    uint64_t low_bytes = 0;
    for (Item* i = first; i != last; ++i) {
      const ScopeEntry& e = entries_[i->index];
      i->key = offset == 0 ? e.key : KeyAt(e, offset);
      all_equal = all_equal && i->key == first->key;
      low_bytes |= i->key;
      least = i->key < least->key ? i : least;
    }
    if (!all_equal) {
      const ptrdiff_t n = last - first;
      if (n > kNetworkFrom && n <= static_cast<ptrdiff_t>(kNetworkMax) && (low_bytes & 0xff) == 0) {
        NetworkSort(first, last);
      } else {
        SmallSort(
            first, last, [](const Item& a, const Item& b) { return a.key < b.key; }, least);
      }
    }
    for (Item* run = first; run != last;) {
      Item* end = run + 1;
      while (end != last && end->key == run->key) ++end;
      if (end - run > 1) SortGroup(run, end, offset + 8);
      run = end;
    }
  }

 private:
  // The length of the prefix all stems of the range share, at least `offset`
  // (which they are known to share).
  size_t CommonPrefix(const Item* first, const Item* last, size_t offset) const {
    const ScopeEntry& f = entries_[first->index];
    size_t shared = f.stem_size();
    for (const Item* i = first + 1; i != last && shared > offset; ++i) {
      const ScopeEntry& e = entries_[i->index];
      const size_t n = std::min(shared, e.stem_size());
      shared = SharedPrefix(f.data, e.data, offset, n);
    }
    return std::max(shared, offset);
  }

  // Items with equal keys before `next`.
  void SortGroup(Item* first, Item* last, size_t next) const {
    // Stems that agree on every byte they have left differ only in length,
    // in zero bytes or in a trailing star: compare them whole.
    const bool all_end = std::all_of(
        first, last, [&](const Item& i) { return entries_[i.index].stem_size() <= next; });
    if (!all_end) {
      Sort(first, last, next);
      return;
    }
    SmallSort(first, last, [this](const Item& a, const Item& b) {
      return EntryLess(entries_[a.index], entries_[b.index]);
    });
  }

  const ScopeEntry* entries_;
};

// Appends a run of a normalized list to `out`, every member of which sorts
// strictly before the run: members the last output member covers are
// dropped; once one is kept, the rest of the run follows it unchanged (a star
// covers a contiguous range that starts right after it).
void AppendRun(std::vector<ScopeEntry>& out, const ScopeEntry* first, const ScopeEntry* last) {
  while (first != last && !out.empty() && Covers(out.back(), *first)) ++first;
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

// What an EntryMerger keeps between calls.
constexpr size_t kKeptBuffers = 16;
constexpr size_t kKeptEntries = size_t{1} << 14;

// Lists beyond which EntryMerger merges in balanced rounds.
constexpr size_t kSmallestFirst = 16;

// Consecutive members taken from one list after which the merge gallops.
constexpr int kGallopAfter = 6;

}  // namespace

void SortAndNormalizeEntries(std::vector<ScopeEntry>& entries) {
  if (entries.size() < 2) return;
  // Already sorted (as stored scope sets usually are): normalize in place.
  bool sorted = true;
  for (size_t i = 1; i < entries.size() && sorted; ++i) {
    sorted = CompareEntries(entries[i - 1], entries[i]) < 0;
  }
  if (!sorted) {
    thread_local std::vector<Item> items;
    thread_local std::vector<ScopeEntry> out;
    items.resize(entries.size());
    for (uint32_t i = 0; i < entries.size(); ++i) items[i].index = i;
    ItemSorter(entries.data()).Sort(items.data(), items.data() + items.size(), 0);
    out.clear();
    for (const Item& i : items) AppendNormalized(out, entries[i.index]);
    entries.swap(out);
    return;
  }
  size_t kept = 1;
  for (size_t i = 1; i < entries.size(); ++i) {
    if (!Covers(entries[kept - 1], entries[i])) entries[kept++] = entries[i];
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
      AppendAfter(out, a[i++]);
      ++j;
      from_a = from_b = 0;
    } else if (c < 0) {
      if (++from_a >= kGallopAfter) {
        const size_t end = RunEnd(a, i, b[j]);
        AppendRun(out, a.data() + i, a.data() + end);
        i = end;
        from_a = 0;
      } else {
        AppendAfter(out, a[i++]);
      }
      from_b = 0;
    } else {
      if (++from_b >= kGallopAfter) {
        const size_t end = RunEnd(b, j, a[i]);
        AppendRun(out, b.data() + j, b.data() + end);
        j = end;
        from_b = 0;
      } else {
        AppendAfter(out, b[j++]);
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
  size_t used = 0;
  const auto buffer = [&]() -> std::vector<ScopeEntry>& {
    if (used == buffers_.size()) buffers_.push_back(std::make_unique<std::vector<ScopeEntry>>());
    std::vector<ScopeEntry>& b = *buffers_[used++];
    b.clear();
    return b;
  };
  // Many lists (computing a cache over a large subtree): balanced rounds of
  // pairwise merges, each member taking part in about log k merges.
  while (work_.size() > kSmallestFirst) {
    size_t kept = 0;
    for (size_t i = 0; i + 1 < work_.size(); i += 2) {
      std::vector<ScopeEntry>& b = buffer();
      MergeTwo(work_[i], work_[i + 1], b);
      work_[kept++] = b;
    }
    if (work_.size() % 2 == 1) work_[kept++] = work_.back();
    work_.resize(kept);
  }
  // A few lists (a query): the two smallest first, so that a long list is
  // copied as few times as possible.
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
    std::vector<ScopeEntry>& b = buffer();
    MergeTwo(work_[x], work_[y], b);
    work_[std::min(x, y)] = absl::MakeConstSpan(b);
    work_.erase(work_.begin() + std::max(x, y));
  }
  MergeTwo(work_[0], work_[1], out);
  // Keep a few buffers of moderate size for the next call.
  if (buffers_.size() > kKeptBuffers) buffers_.resize(kKeptBuffers);
  for (auto& b : buffers_) {
    if (b->capacity() > kKeptEntries) std::vector<ScopeEntry>().swap(*b);
  }
}

}  // namespace bulwark::scopes::internal
