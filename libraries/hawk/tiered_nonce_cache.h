// File: libraries/hawk/tiered_nonce_cache.h
//
// TieredNonceCache: replay protection across auth replicas (issue 13 item 6) without a
// database round trip for every replay. A request's (id, ts, nonce) triple is first recorded in
// this process's cache (`local`, an InMemoryNonceCache); only a triple that is new here goes on
// to the store every replica shares (`shared`, e.g. PostgresNonceStore), and the request is
// accepted only when both recorded it:
//  - a replay to the same replica is refused by `local` alone;
//  - a replay to another replica is new to that replica's `local` and refused by `shared`;
//  - `local` full of live nonces (RESOURCE_EXHAUSTED) refuses without asking `shared`, which
//    also bounds how many live rows one replica can put in the shared store;
//  - `shared` failing (UNAVAILABLE, DEADLINE_EXCEEDED, ...) refuses the request with its status:
//    never accepted unchecked. The triple stays in `local` (a request refused this way is signed
//    afresh by its client: every call has a new nonce).
//
//   TieredNonceCache nonces(*local, *shared);
//   absl::Status seen = nonces.Record(id, ts, nonce, now, forget_after, call_deadline);
//
// Thread-safety: thread-safe when both caches are (both borrowed; they must outlive it).
// Errors: `local`'s, then `shared`'s, unchanged (nonce_cache.h).

#ifndef BULWARK_LIBRARIES_HAWK_TIERED_NONCE_CACHE_H_
#define BULWARK_LIBRARIES_HAWK_TIERED_NONCE_CACHE_H_

#include <utility>

#include "libraries/hawk/nonce_cache.h"

namespace bulwark::hawk {

class TieredNonceCache final : public NonceCache {
 public:
  TieredNonceCache(NonceCache& local, NonceCache& shared) : local_(local), shared_(shared) {}

  absl::Status Record(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                      absl::Time now, absl::Time forget_after, absl::Time deadline) override {
    absl::Status here = local_.Record(id, ts, nonce, now, forget_after, deadline);
    if (!here.ok()) return here;
    return shared_.Record(id, ts, nonce, now, forget_after, deadline);
  }

  // The same, with `shared` answering through its own RecordAsync.
  void RecordAsync(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                   absl::Time now, absl::Time forget_after, absl::Time deadline,
                   RecordDone done) override {
    absl::Status here = local_.Record(id, ts, nonce, now, forget_after, deadline);
    if (!here.ok()) {
      std::move(done)(std::move(here));
      return;
    }
    shared_.RecordAsync(id, ts, nonce, now, forget_after, deadline, std::move(done));
  }

  // Purges both; the count is the shared store's (the local one's own purge is a formality).
  absl::StatusOr<int64_t> PurgeExpired(absl::Time now, absl::Time deadline) override {
    (void)local_.PurgeExpired(now, deadline);
    return shared_.PurgeExpired(now, deadline);
  }

 private:
  NonceCache& local_;
  NonceCache& shared_;
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_TIERED_NONCE_CACHE_H_
