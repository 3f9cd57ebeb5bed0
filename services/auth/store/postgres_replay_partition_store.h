// File: services/auth/store/postgres_replay_partition_store.h
//
// PostgresReplayPartitionStore: the production ReplayPartitionStore (replay_partition_store.h),
// over auth.replay_partitions, auth.replay_replicas and auth.replay_nonce_blocks (migration
// 0006), with auth.replay_epoch (migration 0005).
//
//   BULWARK_ASSIGN_OR_RETURN(auto partitions, PostgresReplayPartitionStore::Create(*pool));
//   BULWARK_ASSIGN_OR_RETURN(std::vector<int> mine,
//                            partitions->Claim(replica, address, ttl, share, deadline));
//
// Lease and membership times are PostgreSQL's now(): the start of the statement's transaction,
// one instant for every comparison and every new lease of a call. That instant comes after the
// replica sent the call, so a lease the server grants for `ttl` ends no earlier (in real time)
// than the sending replica's own clock reading at the call plus `ttl`: a replica that counts its
// lease from before the call never believes in it longer than the server does. (clock_timestamp()
// would move within a statement, so a row found expired and the lease written over it would not
// share one time.) `ttl` travels as a number of microseconds; zero or negative gives a lease that
// is live at that instant at most (tests use it to expire leases without sleeping).
//
// Claim takes free rows with `SELECT ... ORDER BY partition LIMIT max FOR UPDATE SKIP LOCKED`
// inside its UPDATE: two replicas claiming at once lock disjoint rows, and a row another claim
// took meanwhile is checked again on its new version, so no partition ever gets two owners.
// Renew extends only live leases; Release frees only rows the caller holds.
//
// WriteBehind queues the triple's digest; one writer thread, once something is queued, waits
// `linger` for more, then writes everything queued in ONE statement: a row per partition
// (auth.replay_nonce_blocks), so the database does a few inserts a second however many
// requests there are. In the same statement it reads auth.replay_epoch; when a crash emptied it,
// `now` is written there (PostgresNonceStore's rule) and a warning logged. The statement runs
// until the earliest deadline in the batch: no write lands after its caller gave up on it. A
// triple whose deadline passed while queued is answered UNAVAILABLE unwritten; more than
// `max_pending` queued: RESOURCE_EXHAUSTED at once. Duplicates are not looked for (every
// answer that is not an error is OK).
//
// LoadPartition reads, in one transaction, the time since which the nonce tables are complete
// (auth.replay_epoch, reset as above when missing) and the partition's live blocks, keeping
// their live entries. It refuses with RESOURCE_EXHAUSTED rather than keep more than
// `max_load_rows` entries. PurgeNonces deletes stale blocks, `purge_batch` at a time.
//
// Every other call is one pg::RunTransaction bounded by its deadline. Give the store a pool of
// its own (the writer holds one connection while it writes; upkeep, loads and the purge use
// the others).
//
// Thread-safety: thread-safe; the destructor answers what is still queued UNAVAILABLE and joins
// the writer. Errors: as ReplayPartitionStore; Create returns INVALID_ARGUMENT for a bound that
// is not positive; LoadPartition RESOURCE_EXHAUSTED for a partition with more live entries than
// max_load_rows.

#ifndef BULWARK_SERVICES_AUTH_STORE_POSTGRES_REPLAY_PARTITION_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_POSTGRES_REPLAY_PARTITION_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libraries/pg/pool.h"
#include "services/auth/store/replay_partition_store.h"

namespace bulwark::auth {

class PostgresReplayPartitionStore final : public ReplayPartitionStore {
 public:
  struct Options {
    // The most live entries LoadPartition keeps for one partition (far above what the owners'
    // in-memory bounds let a partition hold).
    int64_t max_load_rows = 2'000'000;
    // How long the writer waits for more once something is queued.
    absl::Duration linger = absl::Milliseconds(50);
    // Triples queued for the writer; beyond it WriteBehind refuses RESOURCE_EXHAUSTED.
    size_t max_pending = size_t{1} << 20;
    // Blocks one DELETE of PurgeNonces removes.
    int64_t purge_batch = 10'000;
  };

  // `pool` is borrowed and must outlive the store.
  static absl::StatusOr<std::unique_ptr<PostgresReplayPartitionStore>> Create(
      pg::ConnectionPool& pool, Options options);
  static absl::StatusOr<std::unique_ptr<PostgresReplayPartitionStore>> Create(
      pg::ConnectionPool& pool) {
    return Create(pool, Options());
  }
  ~PostgresReplayPartitionStore() override;

  absl::StatusOr<int> Heartbeat(absl::string_view replica, absl::string_view address,
                                absl::Duration ttl, absl::Time deadline) override;
  absl::StatusOr<std::vector<int>> Renew(absl::string_view replica, absl::Duration ttl,
                                         absl::Time deadline) override;
  absl::StatusOr<std::vector<int>> Claim(absl::string_view replica, absl::string_view address,
                                         absl::Duration ttl, int max, absl::Time deadline) override;
  absl::StatusOr<std::vector<int>> Succeed(absl::string_view replica, absl::string_view address,
                                           absl::Duration ttl, absl::Time deadline) override;
  absl::StatusOr<int64_t> PurgeNonces(absl::Time now, absl::Time deadline) override;
  absl::Status Release(absl::string_view replica, const std::vector<int>& partitions,
                       absl::Time deadline) override;
  absl::Status HandOver(absl::string_view replica, const std::vector<int>& partitions,
                        absl::string_view to, absl::string_view to_address, absl::Duration ttl,
                        absl::Time deadline) override;
  absl::StatusOr<std::vector<Member>> Members(absl::Time deadline) override;
  absl::Status Leave(absl::string_view replica, absl::Time deadline) override;
  absl::StatusOr<std::vector<Owner>> Owners(absl::Time deadline) override;

  absl::StatusOr<PartitionNonces> LoadPartition(int partition, absl::Time now,
                                                absl::Time deadline) override;
  void WriteBehind(const hawk::InMemoryNonceCache::Key& key, absl::Time now,
                   absl::Time forget_after, absl::Time deadline,
                   hawk::NonceCache::RecordDone done) override;

 private:
  struct Pending {
    hawk::InMemoryNonceCache::Key key;
    absl::Time forget_after;
    absl::Time now;
    absl::Time deadline;
    hawk::NonceCache::RecordDone done;
  };
  PostgresReplayPartitionStore(pg::ConnectionPool& pool, Options options)
      : pool_(pool), options_(options) {}
  void WriterLoop();
  // Writes `batch` (every deadline still ahead) and returns the answer for all of it.
  absl::Status Write(const std::vector<Pending>& batch);
  // Logs when writes behind start failing and when they recover (the writer thread's own).
  void NoteOutcome(const absl::Status& status, size_t nonces);

  pg::ConnectionPool& pool_;
  const Options options_;
  absl::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool failing_ = false;  // the writer thread's
  std::thread writer_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_POSTGRES_REPLAY_PARTITION_STORE_H_
