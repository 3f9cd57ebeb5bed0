// File: services/auth/store/postgres_nonce_store.h
//
// PostgresNonceStore: the replay-protection store every auth replica shares (issue 13 item 6),
// a NonceCache over auth.replay_nonces (migration 0005). Auth puts it behind each replica's
// in-process cache (TieredNonceCache, libraries/hawk/tiered_nonce_cache.h), so only triples new
// to a replica come here; a replay to the same replica never costs a round trip.
//
//   pg::ConnectionPool::Options pool_options;   // its own pool: see PoolDsn
//   pool_options.dsn = PostgresNonceStore::PoolDsn(runtime_dsn);
//   BULWARK_ASSIGN_OR_RETURN(auto pool, pg::ConnectionPool::Create(pool_options));
//   BULWARK_ASSIGN_OR_RETURN(auto nonces, PostgresNonceStore::Create(*pool, {}));
//   absl::Status s = nonces->Record(id, ts, nonce, now, ts_time + skew, call_deadline);
//
// Pipeline of Record:
//  1. A row is the triple's 16-byte digest (InMemoryNonceCache::Digest) and forget_after.
//  2. Group commit: calls queue their triple; each of `max_in_flight` writer threads, whenever
//     it is free, takes up to `max_batch` queued triples (sorted, so concurrent batches lock rows
//     in one order and cannot deadlock) and writes them with ONE prepared statement in
//     autocommit (one round trip), `INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE ...
//     WHERE expired RETURNING`, a row per triple that is new (or whose old row had expired but
//     was not yet purged). Triples not returned were recorded before: ALREADY_EXISTS
//     (kNonceAlreadyUsed). Under load, throughput is batches, not requests, per round trip.
//     Record waits for its triple's answer; RecordAsync hands it to a callback run on the
//     writer thread, so the caller's thread waits for nothing (AuthenticateRequest's path).
//  3. The call's deadline bounds the whole wait (queue and batch): DEADLINE_EXCEEDED. A queued
//     triple whose deadline has passed when a writer takes it is answered so, unwritten; one
//     already in a running batch may be recorded (its request was refused anyway). A batch's
//     statement runs until the latest deadline in the batch, `batch_timeout` at most.
//  4. Any database failure refuses the request: UNAVAILABLE "replay protection unavailable: …".
//     Never OK unless the row was written.
//
// Crash honesty. The tables are UNLOGGED (no WAL per signed request). PostgreSQL empties them
// after a crash or on a promoted standby, so nonces accepted before could be replayed while
// their ts is fresh. auth.replay_epoch is emptied with them: every batch reads it in the same
// statement; a batch that finds it empty writes the current time (of the injected clock, via
// `now`) there, and from then on every replica refuses every request whose ts is before that
// time with ALREADY_EXISTS "signed before replay protection restarted at …". What stays open:
// a header signed before the crash with a ts AHEAD of the reset time (its signer's clock ahead
// of this replica's, by at most the clock skew) can be replayed once. A clean restart of
// PostgreSQL keeps unlogged tables: nothing is lost then.
//
// Bounds: the queue holds at most `max_pending` triples (more: RESOURCE_EXHAUSTED at once, the
// client retries). The table's live rows are bounded by the replicas' in-process caches (each
// sends only what it holds); as a second line, PurgeExpired counts the rows left after purging
// (up to `max_rows`) and while there are `max_rows`, Record refuses RESOURCE_EXHAUSTED rather
// than forget a live nonce, until a later purge finds room.
//
// Cost: every request with a new triple waits for one database round trip (shared with the
// other requests of its batch); that is the price of refusing a replay on another replica
// exactly once. Through RecordAsync no thread of the caller's waits for it (the request does).
// PurgeExpired's row count reads up to `max_rows` index entries per round.
//
// Thread-safety: thread-safe; the destructor answers what is still queued with UNAVAILABLE and
// joins the writers (a batch running then finishes first). Errors: as above; Create returns
// INVALID_ARGUMENT for zero bounds.

#ifndef BULWARK_SERVICES_AUTH_STORE_POSTGRES_NONCE_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_POSTGRES_NONCE_STORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libraries/hawk/nonce_cache.h"
#include "libraries/pg/pool.h"

namespace bulwark::auth {

class PostgresNonceStore final : public hawk::NonceCache {
 public:
  struct Options {
    // Triples in one INSERT.
    size_t max_batch = 1024;
    // Batches running at once: writer threads, each holding a pooled connection while its batch
    // runs. One by default: on a loaded host the cost is CPU per statement, not the round trip,
    // and with one batch in flight the next one gathers every caller that arrived meanwhile
    // (docs/benchmarks.md, "Auth": 1 against 2 and 4 on 2026-12-03, 1 against 2 with the
    // writer threads on 2026-12-04).
    int max_in_flight = 1;
    // Triples waiting for a batch; beyond it Record refuses RESOURCE_EXHAUSTED.
    size_t max_pending = 16384;
    // Live rows the table may hold (checked by PurgeExpired).
    int64_t max_rows = 8'000'000;
    // Rows one DELETE of PurgeExpired removes.
    int64_t purge_batch = 10'000;
    // A batch's statement never runs longer than this, whatever its callers' deadlines.
    absl::Duration batch_timeout = absl::Seconds(5);
  };

  // `pool` is borrowed and must outlive the store. Batches run in autocommit on a prepared
  // statement, so the server-side bound is the connections' own statement_timeout: give the
  // store a pool of its own (max_in_flight connections) opened with PoolDsn.
  static std::string PoolDsn(const std::string& dsn,
                             absl::Duration statement_timeout = absl::Seconds(5));
  static absl::StatusOr<std::unique_ptr<PostgresNonceStore>> Create(pg::ConnectionPool& pool,
                                                                    Options options);

  ~PostgresNonceStore() override;

  absl::Status Record(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                      absl::Time now, absl::Time forget_after, absl::Time deadline) override;
  void RecordAsync(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                   absl::Time now, absl::Time forget_after, absl::Time deadline,
                   RecordDone done) override;

  // Deletes rows expired before `now`, `purge_batch` at a time, until none is left or
  // `deadline` passes; then checks the row bound. Returns the rows deleted.
  absl::StatusOr<int64_t> PurgeExpired(absl::Time now, absl::Time deadline) override;

  // For tests and metrics: statements written, triples waiting, whether the row bound refuses.
  int64_t batches() const { return batches_.load(); }
  size_t pending();
  bool full() const { return full_.load(); }

 private:
  struct Pending;
  PostgresNonceStore(pg::ConnectionPool& pool, Options options);
  // The queue entry for a triple, or null when `done` was answered at once (nothing to
  // remember, or the table is full).
  std::unique_ptr<Pending> PendingFor(absl::string_view id, absl::string_view ts,
                                      absl::string_view nonce, absl::Time now,
                                      absl::Time forget_after, absl::Time deadline,
                                      RecordDone done);
  // Queues `mine` (null: nothing to do) and returns its sequence number, or answers it at once
  // when the store is stopping or the queue is full and returns 0.
  uint64_t Queue(std::unique_ptr<Pending> mine);
  // A writer thread: takes batches from the queue and answers them, until stopped.
  void WriterLoop();
  // Writes `batch` (distinct keys, sorted) and sets each one's result. No lock held.
  void Write(const std::vector<std::unique_ptr<Pending>>& batch);

  pg::ConnectionPool& pool_;
  const Options options_;
  absl::Mutex mu_;
  std::deque<std::unique_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;  // of the last triple queued
  std::atomic<int64_t> batches_{0};
  std::atomic<bool> full_{false};
  std::vector<std::thread> writers_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_POSTGRES_NONCE_STORE_H_
