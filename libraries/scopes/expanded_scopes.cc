#include "libraries/scopes/expanded_scopes.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>

#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_entries.h"

namespace bulwark::scopes {
namespace internal {
namespace {

// memcpy for the short strings scopes are: up to 64 bytes with two
// overlapping fixed-size copies inline instead of a library call.
inline void CopyChars(char* dst, const char* src, size_t n) {
  if (n >= 32 && n <= 64) {
    std::memcpy(dst, src, 32);
    std::memcpy(dst + n - 32, src + n - 32, 32);
  } else if (n >= 16 && n < 32) {
    std::memcpy(dst, src, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 8 && n < 16) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n > 0) {
    std::memcpy(dst, src, n);
  }
}

}  // namespace

const ScopeRep* ScopeRep::Create(absl::Span<const ScopeEntry> entries, bool copy_all,
                                 absl::Span<const ScopeRep* const> keep) {
  size_t chars = 0;
  for (const ScopeEntry& e : entries) {
    if (copy_all || e.transient) chars += e.size;
  }
  static_assert(std::is_trivially_copyable_v<ScopeEntry>, "entries are copied as bytes");
  static_assert(sizeof(ScopeRep) % alignof(ScopeEntry) == 0, "entries follow the header");
  static_assert(sizeof(ScopeEntry) % alignof(const ScopeRep*) == 0, "keeps follow the entries");
  // The block holds an array of pointers to the kept blocks: their size is what is meant.
  const size_t bytes = sizeof(ScopeRep) + entries.size() * sizeof(ScopeEntry) +
                       keep.size() * sizeof(const ScopeRep*)  // NOLINT(bugprone-sizeof-expression)
                       + chars;
  void* block = ::operator new(bytes);
  ScopeRep* rep = new (block) ScopeRep();
  auto* out = reinterpret_cast<ScopeEntry*>(rep + 1);
  auto* keeps = reinterpret_cast<const ScopeRep**>(out + entries.size());
  char* text = reinterpret_cast<char*>(keeps + keep.size());
  // Entries are trivially copyable: copy them at once, then move the
  // characters that must be owned.
  if (!entries.empty()) std::memcpy(out, entries.data(), entries.size() * sizeof(ScopeEntry));
  for (size_t i = 0; i < entries.size(); ++i) {
    ScopeEntry& e = out[i];
    if (copy_all || e.transient) {
      CopyChars(text, e.data, e.size);
      e.data = text;
      text += e.size;
      e.transient = 0;
    }
  }
  for (size_t i = 0; i < keep.size(); ++i) {
    keep[i]->Ref();
    keeps[i] = keep[i];
  }
  rep->size_ = static_cast<uint32_t>(entries.size());
  rep->keep_count_ = static_cast<uint32_t>(keep.size());
  rep->entries_ = out;
  rep->keep_ = keeps;
  return rep;
}

void ScopeRep::Unref() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  for (uint32_t i = 0; i < keep_count_; ++i) keep_[i]->Unref();
  const ScopeRep* self = this;
  self->~ScopeRep();
  ::operator delete(const_cast<ScopeRep*>(self));
}

}  // namespace internal

ExpandedScopes ExpandedScopes::FromScopes(absl::Span<const std::string> scopes) {
  std::vector<internal::ScopeEntry> entries;
  entries.reserve(scopes.size());
  for (const std::string& s : scopes) entries.push_back(internal::MakeEntry(s, true));
  internal::SortAndNormalizeEntries(entries);
  if (entries.empty()) return ExpandedScopes();
  return ExpandedScopes(internal::ScopeRep::Create(entries, /*copy_all=*/true, {}));
}

std::vector<std::string> ExpandedScopes::ToVector() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (absl::string_view s : *this) out.emplace_back(s);
  return out;
}

bool ExpandedScopes::Satisfies(absl::string_view required) const {
  if (size() <= 16) {
    return std::any_of(begin(), end(),
                       [&](absl::string_view g) { return scopes::Satisfies(g, required); });
  }
  const internal::ScopeEntry* first = entries();
  const internal::ScopeEntry* last = first + size();
  const auto has = [&](absl::string_view scope) {
    const internal::ScopeEntry probe = internal::MakeEntry(scope, false);
    const internal::ScopeEntry* it = std::lower_bound(
        first, last, probe,
        [](const auto& a, const auto& b) { return internal::CompareEntries(a, b) < 0; });
    return it != last && internal::EqualEntries(*it, probe);
  };
  if (has(required)) return true;
  std::string star;
  star.reserve(required.size() + 1);
  for (size_t n = 0; n <= required.size(); ++n) {
    star.assign(required.data(), n);
    star.push_back('*');
    if (has(star)) return true;
  }
  return false;
}

bool operator==(const ExpandedScopes& a, const ExpandedScopes& b) {
  return a.rep_ == b.rep_ || std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool operator==(const ExpandedScopes& a, const std::vector<std::string>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](absl::string_view x, const std::string& y) { return x == y; });
}

}  // namespace bulwark::scopes
