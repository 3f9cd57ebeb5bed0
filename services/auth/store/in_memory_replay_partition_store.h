// File: services/auth/store/in_memory_replay_partition_store.h
//
// InMemoryReplayPartitionStore (testonly): ReplayPartitionStore (replay_partition_store.h) in
// memory, for unit tests of replay protection divided among auth replicas. It behaves like
// PostgresReplayPartitionStore (replay_partition_store_conformance checks that): lease and
// membership times come from the injected clock where PostgreSQL's now() would be used, and
// WriteBehind keeps digest → forget_after (answering ALREADY_EXISTS for a digest still live,
// which the PostgreSQL store does not look for; both answers mean "it is there"). Hooks for
// tests: LoseNonces (what a PostgreSQL crash does to the
// nonces), FailWrites (the nonce store unreachable), written.
//
//   SimulatedClock clock;
//   InMemoryReplayPartitionStore store(clock);
//   std::vector<int> mine = store.Claim("r1", "10.0.0.1:50051", absl::Seconds(10), 32,
//                                       absl::InfiniteFuture()).value();
//
// Thread-safety: thread-safe (one mutex). WriteBehind runs `done` on the calling thread,
// outside the mutex. Errors: as ReplayPartitionStore, except that it never waits (deadlines
// are not used) and is never unreachable, but for WriteBehind while FailWrites(true).

#ifndef BULWARK_SERVICES_AUTH_STORE_IN_MEMORY_REPLAY_PARTITION_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_IN_MEMORY_REPLAY_PARTITION_STORE_H_

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "libraries/clock/clock.h"
#include "services/auth/store/replay_partition_store.h"

namespace bulwark::auth {

class InMemoryReplayPartitionStore final : public ReplayPartitionStore {
 public:
  // `clock` is borrowed and must outlive the store.
  explicit InMemoryReplayPartitionStore(const Clock& clock) : clock_(clock) {}

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

  // What a PostgreSQL crash does to the unlogged nonce tables: every nonce written behind is
  // gone, and so is `since`, so the next LoadPartition (or WriteBehind) records its own `now`
  // as the new `since`. `now` is when the crash happened; nothing depends on it (the reset
  // time is the one the next call finds, as in PostgreSQL).
  void LoseNonces(absl::Time now);
  // While set, WriteBehind writes nothing and answers UNAVAILABLE.
  void FailWrites(bool fail);
  // Nonce rows held (expired ones included: nothing purges them).
  size_t written();

 private:
  struct Lease {
    std::string replica;  // empty: free
    std::string address;
    absl::Time until = absl::InfinitePast();
  };
  struct Liveness {
    std::string address;
    absl::Time alive_until;
  };

  // Sets `since_` to `now` when the nonces were lost; the reset time is kept from then on.
  void ResetIfLost(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  absl::Mutex mu_;
  std::array<Lease, kReplayPartitions> leases_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Liveness, std::less<>> members_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<hawk::InMemoryNonceCache::Key, absl::Time> nonces_ ABSL_GUARDED_BY(mu_);
  absl::Time since_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool lost_ ABSL_GUARDED_BY(mu_) = false;
  bool fail_writes_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_IN_MEMORY_REPLAY_PARTITION_STORE_H_
