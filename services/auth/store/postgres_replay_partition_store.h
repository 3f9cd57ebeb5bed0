// File: services/auth/store/postgres_replay_partition_store.h
//
// PostgresReplayPartitionStore: the production ReplayPartitionStore (replay_partition_store.h),
// over auth.replay_partitions and auth.replay_replicas (migration 0006) and, for the nonces,
// auth.replay_nonces and auth.replay_epoch through PostgresNonceStore (migration 0005).
//
//   BULWARK_ASSIGN_OR_RETURN(auto nonces, PostgresNonceStore::Create(*nonce_pool, {}));
//   BULWARK_ASSIGN_OR_RETURN(auto partitions,
//                            PostgresReplayPartitionStore::Create(*pool, *nonces, {}));
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
// LoadPartition reads, in one transaction, the time since which the nonce table is complete
// (auth.replay_epoch; when a crash emptied it, `now` is written there with INSERT ... ON
// CONFLICT DO NOTHING, exactly PostgresNonceStore's rule, and a warning is logged) and the live
// rows of the partition, by a range on the digest primary key. It refuses with
// RESOURCE_EXHAUSTED rather than read more than `max_load_rows` rows. WriteBehind is
// PostgresNonceStore::RecordAsync: `done` runs on that store's writer thread (or at once on the
// caller's, when the triple is stale already or the store refuses it unqueued).
//
// Every other call is one pg::RunTransaction bounded by its deadline. `pool` serves those
// transactions (the service's ordinary pool will do); the nonce store keeps its own pool.
//
// Thread-safety: thread-safe; the store holds no state of its own. Errors: as
// ReplayPartitionStore; Create returns INVALID_ARGUMENT for a zero `max_load_rows`;
// LoadPartition RESOURCE_EXHAUSTED for a partition with more live rows than that.

#ifndef BULWARK_SERVICES_AUTH_STORE_POSTGRES_REPLAY_PARTITION_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_POSTGRES_REPLAY_PARTITION_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/pg/pool.h"
#include "services/auth/store/postgres_nonce_store.h"
#include "services/auth/store/replay_partition_store.h"

namespace bulwark::auth {

class PostgresReplayPartitionStore final : public ReplayPartitionStore {
 public:
  struct Options {
    // The most rows LoadPartition reads for one partition (the nonce table's own bound,
    // PostgresNonceStore::Options::max_rows, spread over 64 partitions, is far below it).
    int64_t max_load_rows = 2'000'000;
  };

  // `pool` and `nonces` are borrowed and must outlive the store.
  static absl::StatusOr<std::unique_ptr<PostgresReplayPartitionStore>> Create(
      pg::ConnectionPool& pool, PostgresNonceStore& nonces, Options options);
  static absl::StatusOr<std::unique_ptr<PostgresReplayPartitionStore>> Create(
      pg::ConnectionPool& pool, PostgresNonceStore& nonces) {
    return Create(pool, nonces, Options());
  }

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
  void WriteBehind(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                   absl::Time now, absl::Time forget_after, absl::Time deadline,
                   hawk::NonceCache::RecordDone done) override;

 private:
  PostgresReplayPartitionStore(pg::ConnectionPool& pool, PostgresNonceStore& nonces,
                               Options options)
      : pool_(pool), nonces_(nonces), options_(options) {}

  pg::ConnectionPool& pool_;
  PostgresNonceStore& nonces_;
  const Options options_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_POSTGRES_REPLAY_PARTITION_STORE_H_
