// File: libraries/scopes/expanded_scopes.h
//
// ExpandedScopes: the result of a role expansion (RoleSnapshot::ExpandShared,
// role_snapshot.h) — an immutable, sorted and normalized scope set that shares
// storage with the role set it came from. Copying one is a reference count
// increment; it stays valid, and unchanged, for as long as it is held, also
// after the snapshot (and the resolver) that produced it are gone.
//
//   ExpandedScopes scopes = resolver.snapshot()->ExpandShared(client_scopes);
//   for (absl::string_view s : scopes) response.add_scopes(s.data(), s.size());
//   if (scopes.Satisfies("queue:create-task:x")) ...
//   std::vector<std::string> owned = scopes.ToVector();  // when strings are needed
//
// Representation (internal): a reference-counted block (internal::ScopeRep)
// holding an array of internal::ScopeEntry, each a pointer and length into
// characters owned by the block itself or by other blocks it keeps alive (the
// per-role expansions cached in the snapshot), plus an 8-byte comparison key
// (the first bytes of the scope without its trailing `*`, big-endian), so that
// sorting and merging compare integers before they compare text.
//
// Thread-safety: an ExpandedScopes is immutable; copies may be used and
// destroyed on any threads at once (the count is atomic). Errors: none.

#ifndef BULWARK_LIBRARIES_SCOPES_EXPANDED_SCOPES_H_
#define BULWARK_LIBRARIES_SCOPES_EXPANDED_SCOPES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace bulwark::scopes {

namespace internal {

// One scope of a sorted list: its characters (not owned) and its sort key.
struct ScopeEntry {
  const char* data = nullptr;
  uint32_t size = 0;      // including a trailing `*`
  uint8_t star = 0;       // 1 when the scope ends in `*`
  uint8_t transient = 0;  // characters owned by an expansion in progress (copied into its result)
  uint64_t key = 0;       // KeyOf(the scope without its star)

  absl::string_view view() const { return absl::string_view(data, size); }
  // Length without the trailing star.
  size_t stem_size() const { return size - star; }
};

// A reference-counted, immutable array of entries in one heap block, with the
// characters it owns and references to the blocks whose characters it points
// into.
class ScopeRep {
 public:
  // A block holding a copy of `entries` (already sorted and normalized). The
  // characters of transient entries, or of all entries when `copy_all`, are
  // copied into the block; every other entry must point into one of `keep`,
  // of which the block takes a reference each. The count starts at 1.
  static const ScopeRep* Create(absl::Span<const ScopeEntry> entries, bool copy_all,
                                absl::Span<const ScopeRep* const> keep);

  ScopeRep(const ScopeRep&) = delete;
  ScopeRep& operator=(const ScopeRep&) = delete;

  void Ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() const;

  size_t size() const { return size_; }
  const ScopeEntry* entries() const { return entries_; }
  absl::Span<const ScopeEntry> span() const { return absl::MakeConstSpan(entries_, size_); }

 private:
  ScopeRep() = default;
  ~ScopeRep() = default;

  mutable std::atomic<uint32_t> refs_{1};
  uint32_t size_ = 0;
  uint32_t keep_count_ = 0;
  const ScopeEntry* entries_ = nullptr;
  const ScopeRep* const* keep_ = nullptr;
};

}  // namespace internal

class ExpandedScopes {
 public:
  // Random-access iteration yielding absl::string_view.
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = absl::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = absl::string_view;

    const_iterator() = default;
    explicit const_iterator(const internal::ScopeEntry* e) : e_(e) {}
    absl::string_view operator*() const { return e_->view(); }
    absl::string_view operator[](difference_type n) const { return e_[n].view(); }
    const_iterator& operator++() {
      ++e_;
      return *this;
    }
    const_iterator operator++(int) { return const_iterator(e_++); }
    const_iterator& operator--() {
      --e_;
      return *this;
    }
    const_iterator& operator+=(difference_type n) {
      e_ += n;
      return *this;
    }
    const_iterator& operator-=(difference_type n) {
      e_ -= n;
      return *this;
    }
    friend const_iterator operator+(const_iterator i, difference_type n) { return i += n; }
    friend const_iterator operator-(const_iterator i, difference_type n) { return i -= n; }
    friend difference_type operator-(const_iterator a, const_iterator b) { return a.e_ - b.e_; }
    friend bool operator==(const_iterator a, const_iterator b) { return a.e_ == b.e_; }
    friend bool operator!=(const_iterator a, const_iterator b) { return a.e_ != b.e_; }
    friend bool operator<(const_iterator a, const_iterator b) { return a.e_ < b.e_; }

   private:
    const internal::ScopeEntry* e_ = nullptr;
  };

  // The empty set.
  ExpandedScopes() = default;
  // Takes over one reference to `rep` (null: the empty set).
  explicit ExpandedScopes(const internal::ScopeRep* rep) : rep_(rep) {}
  // A normalized set owning copies of `scopes` (any order, any bytes).
  static ExpandedScopes FromScopes(absl::Span<const std::string> scopes);

  ExpandedScopes(const ExpandedScopes& other) : rep_(other.rep_) {
    if (rep_ != nullptr) rep_->Ref();
  }
  ExpandedScopes(ExpandedScopes&& other) noexcept : rep_(std::exchange(other.rep_, nullptr)) {}
  ExpandedScopes& operator=(ExpandedScopes other) noexcept {
    std::swap(rep_, other.rep_);
    return *this;
  }
  ~ExpandedScopes() {
    if (rep_ != nullptr) rep_->Unref();
  }

  size_t size() const { return rep_ == nullptr ? 0 : rep_->size(); }
  bool empty() const { return size() == 0; }
  absl::string_view operator[](size_t i) const { return rep_->entries()[i].view(); }
  const_iterator begin() const { return const_iterator(entries()); }
  const_iterator end() const { return const_iterator(entries() + size()); }

  // Owned copies of the scopes, in order.
  std::vector<std::string> ToVector() const;
  // Whether some member satisfies `required` (scope.h Satisfies): a binary
  // search per star prefix of `required`, so O(|required| log n).
  bool Satisfies(absl::string_view required) const;

  // Whether two results hold the same block (then they are equal; unequal
  // blocks may still hold equal sets).
  bool SharesStorageWith(const ExpandedScopes& other) const { return rep_ == other.rep_; }

  friend bool operator==(const ExpandedScopes& a, const ExpandedScopes& b);
  friend bool operator!=(const ExpandedScopes& a, const ExpandedScopes& b) { return !(a == b); }
  friend bool operator==(const ExpandedScopes& a, const std::vector<std::string>& b);
  friend bool operator==(const std::vector<std::string>& a, const ExpandedScopes& b) {
    return b == a;
  }
  friend bool operator!=(const ExpandedScopes& a, const std::vector<std::string>& b) {
    return !(a == b);
  }
  friend bool operator!=(const std::vector<std::string>& a, const ExpandedScopes& b) {
    return !(b == a);
  }

  // Internal: the block, or null for the empty set.
  const internal::ScopeRep* rep() const { return rep_; }

 private:
  const internal::ScopeEntry* entries() const {
    return rep_ == nullptr ? nullptr : rep_->entries();
  }

  const internal::ScopeRep* rep_ = nullptr;
};

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_EXPANDED_SCOPES_H_
