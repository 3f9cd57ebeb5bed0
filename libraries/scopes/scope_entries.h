// File: libraries/scopes/scope_entries.h
//
// Internal to the scopes library: the sorted-list primitives behind
// ExpandedScopes and the resolver's expansion, on internal::ScopeEntry
// (expanded_scopes.h) rather than on std::string:
//   - MakeEntry / KeyOf: an entry and its 8-byte key (the first bytes of the
//     scope without its trailing `*`, big-endian, zero-padded), so that most
//     comparisons in ScopeCompare order are one integer comparison;
//   - CompareEntries: upstream scopeCompare (scope.h ScopeCompare) on entries;
//   - SortAndNormalizeEntries: sort (most-significant-digit first, eight bytes
//     at a time, so long shared prefixes are compared once per group rather
//     than once per comparison; a group's keys by insertion sort, or by a
//     branch-free sorting network for 9 to 64 keys that end within their
//     eight bytes) and normalize in place;
//   - EntryMerger: the normalized union of normalized lists (two at a time,
//     smallest first, galloping over long runs of one list), into scratch
//     buffers reused across calls.
//
// Thread-safety: functions are pure; an EntryMerger is used by one thread at a
// time. Errors: none (any bytes are accepted; order is byte order after the
// trailing-star rule, as ScopeCompare).

#ifndef BULWARK_LIBRARIES_SCOPES_SCOPE_ENTRIES_H_
#define BULWARK_LIBRARIES_SCOPES_SCOPE_ENTRIES_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "libraries/scopes/expanded_scopes.h"

namespace bulwark::scopes::internal {

// The first (up to) eight bytes at `p` as a big-endian integer, zero-padded.
inline uint64_t KeyOf(const char* p, size_t n) {
  const auto big_endian = [](auto v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if constexpr (sizeof(v) == 8) return __builtin_bswap64(v);
    if constexpr (sizeof(v) == 4) return __builtin_bswap32(v);
#endif
    return v;
  };
  if (n >= 8) {
    uint64_t k;
    std::memcpy(&k, p, 8);
    return big_endian(k);
  }
  if (n >= 4) {
    // Two overlapping 4-byte loads: bytes [0, 4) and [n - 4, n).
    uint32_t head, tail;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, p + n - 4, 4);
    return (uint64_t{big_endian(head)} << 32) | (uint64_t{big_endian(tail)} << (8 * (8 - n)));
  }
  uint64_t k = 0;
  for (size_t i = 0; i < n; ++i) k |= uint64_t{static_cast<unsigned char>(p[i])} << (56 - 8 * i);
  return k;
}

// Sets `e` to the entry of `scope`, field by field where it lies (building a
// temporary and copying it makes the copy wait for the field stores to drain).
inline void FillEntry(ScopeEntry& e, absl::string_view scope, bool transient) {
  const bool star = !scope.empty() && scope.back() == '*';
  e.data = scope.data();
  e.size = static_cast<uint32_t>(scope.size());
  e.star = star;
  e.transient = transient;
  e.key = KeyOf(scope.data(), scope.size() - star);
}

inline ScopeEntry MakeEntry(absl::string_view scope, bool transient) {
  ScopeEntry e;
  FillEntry(e, scope, transient);
  return e;
}

// Bytewise three-way comparison of two byte ranges (shorter first on a tie).
inline int CompareBytes(const char* a, size_t na, const char* b, size_t nb) {
  const int c = std::memcmp(a, b, na < nb ? na : nb);
  if (c != 0) return c;
  return na < nb ? -1 : (na > nb ? 1 : 0);
}

// ScopeCompare(a.view(), b.view()).
inline int CompareEntries(const ScopeEntry& a, const ScopeEntry& b) {
  if (a.key != b.key) return a.key < b.key ? -1 : 1;
  const size_t na = a.stem_size(), nb = b.stem_size();
  // Equal keys: the first eight bytes are equal when both are that long.
  size_t skip = na >= 8 && nb >= 8 ? 8 : 0;
  if (na >= 16 && nb >= 16) {
    // Scopes often share more than eight bytes: the next eight, inline.
    const uint64_t x = KeyOf(a.data + 8, 8), y = KeyOf(b.data + 8, 8);
    if (x != y) return x < y ? -1 : 1;
    skip = 16;
  }
  const int c = CompareBytes(a.data + skip, na - skip, b.data + skip, nb - skip);
  if (c == 0 && a.star != b.star) return a.star ? -1 : 1;
  return c;
}

inline bool EqualEntries(const ScopeEntry& a, const ScopeEntry& b) {
  if (a.size != b.size || a.key != b.key) return false;
  if (a.data == b.data) return true;
  // Same size and first eight bytes (common among a client's scopes): the next
  // eight inline before the rest.
  if (a.size >= 16 && KeyOf(a.data + 8, 8) != KeyOf(b.data + 8, 8)) return false;
  return std::memcmp(a.data, b.data, a.size) == 0;
}

// Whether `star` is a `P*` scope and `e` starts with P (upstream patternMatch).
inline bool Covers(const ScopeEntry& star, const ScopeEntry& e) {
  const size_t n = star.stem_size();
  if (!star.star || e.size < n) return false;
  // Both keys are the first eight bytes when both stems are that long.
  if (n >= 8 && e.stem_size() >= 8 && star.key != e.key) return false;
  return n == 0 || std::memcmp(star.data, e.data, n) == 0;
}

// Appends `e` to the normalized `out` unless the last member repeats or covers
// it (callers append in ScopeCompare order).
inline void AppendNormalized(std::vector<ScopeEntry>& out, const ScopeEntry& e) {
  if (!out.empty() && (Covers(out.back(), e) || EqualEntries(out.back(), e))) return;
  out.push_back(e);
}

// AppendNormalized for an `e` known to sort after every member of `out` (so
// it cannot repeat the last one): only a covering star drops it.
inline void AppendAfter(std::vector<ScopeEntry>& out, const ScopeEntry& e) {
  if (!out.empty() && Covers(out.back(), e)) return;
  out.push_back(e);
}

// Sorts `entries` in ScopeCompare order and drops repeats and covered scopes.
void SortAndNormalizeEntries(std::vector<ScopeEntry>& entries);

// The normalized union of normalized lists. Reuses its buffers from call to
// call.
class EntryMerger {
 public:
  // Appends the normalized union of `lists` to `out`, which must be empty.
  void Merge(absl::Span<const absl::Span<const ScopeEntry>> lists, std::vector<ScopeEntry>& out);

 private:
  std::vector<std::unique_ptr<std::vector<ScopeEntry>>> buffers_;
  std::vector<absl::Span<const ScopeEntry>> work_;
};

// Appends the normalized union of the normalized lists `a` and `b` to `out`
// (normalized, every member sorting strictly before those of `a` and `b`).
void MergeTwo(absl::Span<const ScopeEntry> a, absl::Span<const ScopeEntry> b,
              std::vector<ScopeEntry>& out);

}  // namespace bulwark::scopes::internal

#endif  // BULWARK_LIBRARIES_SCOPES_SCOPE_ENTRIES_H_
