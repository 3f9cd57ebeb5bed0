// File: libraries/hawk/nonce_cache.h
//
// Replay protection, which Taskcluster lacks (auth.md §4.1): the
// authenticator records the (Hawk id, ts, nonce) of every request it accepts,
// for as long as that request's timestamp stays inside the clock-skew window,
// and refuses the same triple a second time.
//
// NonceCache is the interface. InMemoryNonceCache is the per-process
// implementation; with several auth replicas each would accept a captured
// header once, so the auth service puts a shared one behind it
// (TieredNonceCache, tiered_nonce_cache.h, in front of the PostgreSQL store
// services/auth/store/postgres_nonce_store.h). InMemoryNonceCache:
//  - keys are a 128-bit digest of the triple, so an entry costs a fixed ~80
//    bytes whatever the id's length;
//  - memory is bounded by Options::max_entries; an entry is dropped once its
//    `forget_after` has passed;
//  - the replay window stays honest under load: a live entry is never dropped
//    to make room. When a shard is full of live entries, Record refuses the
//    new request with RESOURCE_EXHAUSTED (counted in refusals()) — the client
//    retries later — rather than forget a nonce that could then be replayed.
//    Size max_entries with EntriesFor(skew, rate): the sustained signed-request
//    rate to absorb times the longest an entry lives (twice the skew);
//  - sharded, one mutex per shard.
//
//   auto nonces = InMemoryNonceCache::Create({}).value();
//   absl::Status seen = nonces->Record(id, ts, nonce, now, ts_time + skew, deadline);
//
// Thread-safety: implementations must be thread-safe; InMemoryNonceCache is.
// Errors: Record returns ALREADY_EXISTS for a triple recorded before and not
// yet forgotten, RESOURCE_EXHAUSTED when there is no room without forgetting a
// live nonce; other codes only for infrastructure failures of shared
// implementations (UNAVAILABLE when the store cannot be reached,
// DEADLINE_EXCEEDED when `deadline` passes first): never OK unless the triple is
// now recorded. Create returns INVALID_ARGUMENT for zero shards or fewer
// max_entries than shards.

#ifndef BULWARK_LIBRARIES_HAWK_NONCE_CACHE_H_
#define BULWARK_LIBRARIES_HAWK_NONCE_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <queue>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace bulwark::hawk {

class NonceCache {
 public:
  virtual ~NonceCache() = default;

  // Records the triple until `forget_after`, unless it is already recorded.
  // `now` is the current time (entries whose forget_after has passed are gone).
  // `deadline` (the call's) bounds any wait for a shared store.
  virtual absl::Status Record(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                              absl::Time now, absl::Time forget_after, absl::Time deadline) = 0;

  // Record, with the answer handed to `done` instead of returned, so that a caller serving many
  // requests need not hold a thread while a shared store answers (PostgresNonceStore answers
  // from its writer thread; the auth service's AuthenticateRequest uses it). `done` runs exactly
  // once, on the calling thread or another one, and must not block. The default runs Record.
  using RecordDone = absl::AnyInvocable<void(absl::Status) &&>;
  virtual void RecordAsync(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                           absl::Time now, absl::Time forget_after, absl::Time deadline,
                           RecordDone done) {
    std::move(done)(Record(id, ts, nonce, now, forget_after, deadline));
  }

  // Drops entries whose forget_after is before `now`, in bounded steps, until none is left or
  // `deadline` passes; returns how many. Record never needs it to be correct (expired entries
  // are never a reason to refuse); it bounds memory or table size. The default drops nothing.
  virtual absl::StatusOr<int64_t> PurgeExpired(absl::Time now, absl::Time deadline) {
    (void)now;
    (void)deadline;
    return 0;
  }
};

// The message of the ALREADY_EXISTS a NonceCache returns for a triple it has seen.
inline constexpr absl::string_view kNonceAlreadyUsed = "nonce already used";

class InMemoryNonceCache final : public NonceCache {
 public:
  struct Options {
    // The most entries held at once (over all shards).
    size_t max_entries = size_t{1} << 20;
    // Independent shards, each with its own lock and max_entries / shards
    // entries.
    size_t shards = 16;
  };

  static absl::StatusOr<std::unique_ptr<InMemoryNonceCache>> Create(Options options);

  // Entries needed to absorb `requests_per_second` sustained signed requests without refusing
  // any, under a clock skew of `skew` (each entry lives at most 2 × skew), plus an eighth for
  // uneven sharding. About 80 bytes each when all are in use.
  static size_t EntriesFor(absl::Duration skew, double requests_per_second);

  // Never waits: `deadline` is not used.
  absl::Status Record(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                      absl::Time now, absl::Time forget_after, absl::Time deadline) override;
  absl::Status Record(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                      absl::Time now, absl::Time forget_after) {
    return Record(id, ts, nonce, now, forget_after, absl::InfiniteFuture());
  }

  // The fixed-size key of a triple: the first 16 bytes of SHA-256 over the length-prefixed
  // fields (no two triples share an encoding). Shared stores key their rows with it.
  using Key = std::array<uint8_t, 16>;
  static Key Digest(absl::string_view id, absl::string_view ts, absl::string_view nonce);

  // Record, for a triple known by its digest only (a replica loading the nonces another one
  // wrote behind: services/auth/service/partitioned_nonce_cache.h).
  absl::Status RecordKey(const Key& key, absl::Time now, absl::Time forget_after);

  // Drops every expired entry (Record also drops them as it goes, shard by shard).
  absl::StatusOr<int64_t> PurgeExpired(absl::Time now, absl::Time deadline) override;

  // Entries currently held (expired ones not yet dropped included).
  size_t size() const;
  // Requests refused (RESOURCE_EXHAUSTED) because a shard was full of live entries.
  uint64_t refusals() const { return refusals_.load(); }

 private:
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<Key, absl::Time> forget_after ABSL_GUARDED_BY(mu);
    // Min-heap on forget_after; always holds exactly the map's entries.
    std::priority_queue<std::pair<absl::Time, Key>, std::vector<std::pair<absl::Time, Key>>,
                        std::greater<>>
        expiry ABSL_GUARDED_BY(mu);
  };

  InMemoryNonceCache(size_t shards, size_t per_shard);
  // Drops the shard's soonest-expiring entry (only ever an expired one).
  static void PopOldest(Shard& shard) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const size_t per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> refusals_{0};
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_NONCE_CACHE_H_
