#include "libraries/scopes/expander.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "libraries/scopes/scope_entries.h"

namespace bulwark::scopes::internal {
namespace {

// Character storage for the scopes an expansion makes (substituted
// parameters): stable addresses, reused from one expansion to the next.
class Arena {
 public:
  char* Allocate(size_t n) {
    while (chunk_ < chunks_.size() && used_ + n > chunks_[chunk_].size) {
      ++chunk_;
      used_ = 0;
    }
    if (chunk_ == chunks_.size()) {
      const size_t size = std::max(kChunk, n);
      chunks_.push_back({std::make_unique<char[]>(size), size});
      used_ = 0;
    }
    char* p = chunks_[chunk_].data.get() + used_;
    used_ += n;
    return p;
  }
  // Forgets every allocation; keeps the first chunks for reuse.
  void Reset() {
    if (chunks_.size() > kKeptChunks) chunks_.resize(kKeptChunks);
    chunk_ = 0;
    used_ = 0;
  }

 private:
  static constexpr size_t kChunk = 4096;
  static constexpr size_t kKeptChunks = 4;
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size;
  };
  std::vector<Chunk> chunks_;
  size_t chunk_ = 0;
  size_t used_ = 0;
};

// Returns the cached block in `slot`, computing it with `compute` (which
// returns a new reference) on first use. Racing readers may both compute; the
// first to publish wins and the others drop their block.
template <typename Compute>
const ScopeRep& Cached(std::atomic<const ScopeRep*>& slot, Compute compute) {
  const ScopeRep* cached = slot.load(std::memory_order_acquire);
  if (cached != nullptr) return *cached;
  const ScopeRep* computed = compute();
  const ScopeRep* expected = nullptr;
  if (slot.compare_exchange_strong(expected, computed, std::memory_order_acq_rel,
                                   std::memory_order_acquire)) {
    return *computed;
  }
  computed->Unref();
  return *expected;
}

// Whether a scope can fire roles (ToRoleSpace accepts it), decided mostly
// from its key: `assume:...`, or a star whose prefix is a prefix of "assume".
bool MayFire(const ScopeEntry& e) {
  static const uint64_t kAssume = KeyOf("assume:", 7) >> 8;
  if ((e.key >> 8) == kAssume) return true;
  return e.star && e.stem_size() <= 6 &&
         absl::StartsWith("assume", e.view().substr(0, e.stem_size()));
}

// Vectors kept above this many entries are released after an expansion.
constexpr size_t kKeptEntries = size_t{1} << 16;

void Trim(std::vector<ScopeEntry>& v) {
  v.clear();
  if (v.capacity() > kKeptEntries) std::vector<ScopeEntry>().swap(v);
}

// One expansion: the ForEachFiring visitor, the scopes and roles reached, the
// lists collected. Two modes:
//   - kWalk (computing a cache): a fired role contributes its literal scopes,
//     which are fired in turn; the result owns copies of all its characters.
//   - kQuery (expanding a query): a fired role contributes its cache; the
//     result keeps the caches it uses alive instead of copying them.
class Expansion {
 public:
  enum class Mode { kWalk, kQuery };

  void Reset(const TrieNode& root, Mode mode) {
    root_ = &root;
    mode_ = mode;
    roles_seen_.clear();
    caches_seen_.clear();
    scopes_seen_.clear();
    pending_.clear();
    lists_.clear();
    keep_.clear();
    arena_.Reset();
    for (size_t i = 0; i < std::min(param_used_, params_.size()); ++i) Trim(*params_[i]);
    param_used_ = 0;
    Trim(inputs_);
    Trim(out_);
    cache_events_ = 0;
    other_events_ = 0;
    last_exact_ = nullptr;
    last_kleene_ = nullptr;
  }

  // ForEachFiring visitor.
  void Literal(const TrieNode& node, const CompiledRole& role) {
    if (mode_ == Mode::kQuery) {
      if (role.star) {
        ++other_events_;
        AddCache(StarClosureOf(*root_, node));
      } else {
        ++cache_events_;
        last_exact_ = &node;
        AddCache(ExactQueryOf(*root_, node));
      }
      return;
    }
    if (!roles_seen_.insert(&role).second) return;
    const absl::Span<const ScopeEntry> literal = role.literal_set.rep() == nullptr
                                                     ? absl::Span<const ScopeEntry>()
                                                     : role.literal_set.rep()->span();
    lists_.push_back(literal);
    for (const ScopeEntry& e : literal) MaybeFire(e.view());
  }

  void Param(const CompiledRole& role, absl::string_view param) {
    if (role.params.empty()) return;
    ++other_events_;
    std::vector<ScopeEntry>& granted = NewList();
    const bool kleene = IsStar(param);
    for (const ParamScope& p : role.params) {
      const size_t n = p.prefix.size() + param.size() + (kleene ? 0 : p.suffix.size());
      char* text = arena_.Allocate(n);
      // Not NUL-terminated: the text is used through string_views of length n.
      char* end = std::copy(p.prefix.begin(), p.prefix.end(), text);
      end = std::copy(param.begin(), param.end(), end);
      if (!kleene) std::copy(p.suffix.begin(), p.suffix.end(), end);
      granted.push_back(MakeEntry(absl::string_view(text, n), /*transient=*/true));
    }
    SortAndNormalizeEntries(granted);
    lists_.push_back(granted);
    for (const ScopeEntry& e : granted) MaybeFire(e.view());
  }

  void Subtree(const TrieNode& node, bool at_node) {
    ++cache_events_;
    last_kleene_ = at_node ? &node : nullptr;
    AddCache(KleeneOf(*root_, node));
  }

  // Adds what every role in `node`'s subtree grants, star roles with parameter
  // `*`.
  void AddSubtreeRoles(const TrieNode& node) {
    ForEachRole(node, [this](const TrieNode& n, const CompiledRole& role) {
      Literal(n, role);
      if (role.star) Param(role, "*");
    });
  }

  // Adds the one-scope list `scope` (copied into the result).
  void AddScope(absl::string_view scope) {
    std::vector<ScopeEntry>& list = NewList();
    list.push_back(MakeEntry(scope, /*transient=*/true));
    lists_.push_back(list);
  }

  // Adds a normalized list that outlives the expansion.
  void AddList(absl::Span<const ScopeEntry> list) { lists_.push_back(list); }

  // Fires the scopes queued until none is left.
  void Drain() {
    while (!pending_.empty()) {
      const absl::string_view scope = pending_.back();
      pending_.pop_back();
      if (!scopes_seen_.insert(scope).second) continue;
      ForEachFiring(*root_, scope, *this);
    }
  }

  // Expands a query (mode kQuery).
  ExpandedScopes Query(absl::Span<const std::string> scopes) {
    inputs_.resize(scopes.size());
    for (size_t i = 0; i < scopes.size(); ++i) FillEntry(inputs_[i], scopes[i], /*transient=*/true);
    SortAndNormalizeEntries(inputs_);
    return QueryNormalized(inputs_, nullptr);
  }

  // Expands a query already sorted and normalized (mode kQuery): the entries
  // of `given`, whose characters it keeps alive instead of copying them.
  ExpandedScopes Query(const ExpandedScopes& given) {
    if (given.rep() == nullptr) return ExpandedScopes();
    return QueryNormalized(given.rep()->span(), &given);
  }

  // The normalized union of everything added; null when empty.
  // The normalized union of everything added; null when empty.
  const ScopeRep* Finish() {
    merger_.Merge(lists_, out_);
    if (out_.empty()) return nullptr;
    if (mode_ == Mode::kWalk) return ScopeRep::Create(out_, /*copy_all=*/true, {});
    return ScopeRep::Create(out_, /*copy_all=*/false, keep_);
  }

 private:
  // The expansion of the sorted, normalized `inputs`: transient entries
  // (copied into the result) when `given` is null, else the entries of
  // `given`.
  ExpandedScopes QueryNormalized(absl::Span<const ScopeEntry> inputs, const ExpandedScopes* given) {
    if (inputs.empty()) return ExpandedScopes();
    // `*` satisfies every scope: nothing it grants survives normalization.
    if (!(inputs[0].star && inputs[0].stem_size() == 0)) {
      for (const ScopeEntry& input : inputs) {
        if (MayFire(input)) ForEachFiring(*root_, input.view(), *this);
      }
      Drain();
    }
    // One scope that reached one role's (or one subtree's) cache and nothing
    // else: that cache, with the scope in it, is the answer.
    if (inputs.size() == 1 && cache_events_ == 1 && other_events_ == 0) {
      const ScopeRep* answer = nullptr;
      if (last_exact_ != nullptr) {
        answer = &ExactQueryOf(*root_, *last_exact_);
      } else if (last_kleene_ != nullptr) {
        answer = &KleeneQueryOf(*root_, *last_kleene_, inputs[0].view());
      }
      if (answer != nullptr) {
        answer->Ref();
        return ExpandedScopes(answer);
      }
    }
    if (given != nullptr) {
      // Nothing fired: the given set is its own expansion.
      if (lists_.empty()) return *given;
      keep_.push_back(given->rep());
    }
    lists_.push_back(inputs);
    return ExpandedScopes(Finish());
  }

  // An empty list with stable storage, until the next Reset.
  std::vector<ScopeEntry>& NewList() {
    if (param_used_ == params_.size())
      params_.push_back(std::make_unique<std::vector<ScopeEntry>>());
    std::vector<ScopeEntry>& list = *params_[param_used_++];
    list.clear();
    return list;
  }

  void AddCache(const ScopeRep& cache) {
    if (!caches_seen_.insert(&cache).second) return;
    lists_.push_back(cache.span());
    if (mode_ == Mode::kQuery) keep_.push_back(&cache);
  }

  void MaybeFire(absl::string_view scope) {
    absl::string_view unused;
    if (ToRoleSpace(scope, &unused)) pending_.push_back(scope);
  }

  const TrieNode* root_ = nullptr;
  Mode mode_ = Mode::kWalk;
  absl::flat_hash_set<const CompiledRole*> roles_seen_;
  absl::flat_hash_set<const ScopeRep*> caches_seen_;
  absl::flat_hash_set<absl::string_view> scopes_seen_;
  std::vector<absl::string_view> pending_;
  std::vector<absl::Span<const ScopeEntry>> lists_;
  std::vector<const ScopeRep*> keep_;
  Arena arena_;
  std::vector<std::unique_ptr<std::vector<ScopeEntry>>> params_;  // NewList storage
  size_t param_used_ = 0;
  std::vector<ScopeEntry> inputs_;
  std::vector<ScopeEntry> out_;
  EntryMerger merger_;
  // Query mode: what the inputs reached (for the one-cache answer).
  int cache_events_ = 0;
  int other_events_ = 0;
  const TrieNode* last_exact_ = nullptr;
  const TrieNode* last_kleene_ = nullptr;
};

// The calling thread's expansions, one per nesting level (computing a cache
// may need another cache computed first).
class Lease {
 public:
  Lease(const TrieNode& root, Expansion::Mode mode) {
    Pool& pool = GetPool();
    if (pool.depth == pool.expansions.size()) {
      pool.expansions.push_back(std::make_unique<Expansion>());
    }
    expansion_ = pool.expansions[pool.depth++].get();
    expansion_->Reset(root, mode);
  }
  ~Lease() { --GetPool().depth; }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Expansion* operator->() const { return expansion_; }

 private:
  struct Pool {
    std::vector<std::unique_ptr<Expansion>> expansions;
    size_t depth = 0;
  };
  static Pool& GetPool() {
    thread_local Pool pool;
    return pool;
  }

  Expansion* expansion_;
};

// A block for an empty list (caches are never null).
const ScopeRep* EmptyRep() { return ScopeRep::Create({}, /*copy_all=*/true, {}); }

const ScopeRep* OrEmpty(const ScopeRep* rep) { return rep != nullptr ? rep : EmptyRep(); }

}  // namespace

const ScopeRep& KleeneOf(const TrieNode& root, const TrieNode& node) {
  return Cached(node.kleene, [&] {
    Lease walk(root, Expansion::Mode::kWalk);
    walk->AddSubtreeRoles(node);
    walk->Drain();
    return OrEmpty(walk->Finish());
  });
}

const ScopeRep& StarClosureOf(const TrieNode& root, const TrieNode& node) {
  return Cached(node.star_closure, [&] {
    Lease walk(root, Expansion::Mode::kWalk);
    walk->Literal(node, *node.star);
    walk->Drain();
    return OrEmpty(walk->Finish());
  });
}

const ScopeRep& ExactQueryOf(const TrieNode& root, const TrieNode& node) {
  return Cached(node.exact_query, [&] {
    const std::string scope = std::string(kAssumePrefix) + node.exact->role_id;
    Lease walk(root, Expansion::Mode::kWalk);
    walk->AddScope(scope);
    walk->Literal(node, *node.exact);
    walk->Drain();
    return OrEmpty(walk->Finish());
  });
}

const ScopeRep& KleeneQueryOf(const TrieNode& root, const TrieNode& node, absl::string_view scope) {
  return Cached(node.kleene_query, [&] {
    const ScopeRep& kleene = KleeneOf(root, node);
    Lease walk(root, Expansion::Mode::kWalk);
    walk->AddList(kleene.span());
    walk->AddScope(scope);
    return OrEmpty(walk->Finish());
  });
}

ExpandedScopes ExpandQuery(const TrieNode& root, absl::Span<const std::string> scopes) {
  Lease query(root, Expansion::Mode::kQuery);
  return query->Query(scopes);
}

ExpandedScopes ExpandQuery(const TrieNode& root, const ExpandedScopes& scopes) {
  Lease query(root, Expansion::Mode::kQuery);
  return query->Query(scopes);
}

}  // namespace bulwark::scopes::internal
