// File: services/auth/store/replay_partition_store.h
//
// ReplayPartitionStore: what auth replicas share to divide replay protection between them
// (issue 13 item 6; services/auth/service/partitioned_nonce_cache.h uses it). The space of
// nonce digests (hawk::InMemoryNonceCache::Digest) is cut into kReplayPartitions partitions by
// the digest's first byte; each partition has at most one owner at a time, under a lease, and
// only the owner accepts nonces of its partition (from memory). What the store keeps:
//  - members: the replicas alive now (Heartbeat), so each can take its fair share;
//  - leases: per partition, its owner, the address where the owner answers for it, and until
//    when (Renew, Claim, Release, Owners). A lease is live while its end is at or after the
//    store's now. Lease times are the store's own clock (PostgreSQL's now()), never a
//    replica's: replicas need not agree on the time, only on its rate;
//  - nonces written behind by owners (WriteBehind), read back by the next owner of a partition
//    before it accepts anything (LoadPartition), with the time since which the nonce table is
//    complete (`since`: moved forward when a crash lost rows; requests signed before it are
//    refused by the new owner).
//
// PostgresReplayPartitionStore (auth.replay_partitions, auth.replay_replicas, and
// auth.replay_nonces through PostgresNonceStore) is the production store;
// InMemoryReplayPartitionStore is the testonly fake on an injected Clock;
// replay_partition_store_conformance runs one suite on both.
//
// Thread-safety: implementations are thread-safe. Errors: UNAVAILABLE when the store cannot be
// reached, DEADLINE_EXCEEDED when `deadline` passes first, INVALID_ARGUMENT for a partition
// outside [0, kReplayPartitions) or an empty replica id; LoadPartition RESOURCE_EXHAUSTED when
// the partition holds more live nonces than the store will read at once; WriteBehind answers as
// NonceCache::RecordAsync does (OK or ALREADY_EXISTS: the row is there; anything else: it is
// not, retry).

#ifndef BULWARK_SERVICES_AUTH_STORE_REPLAY_PARTITION_STORE_H_
#define BULWARK_SERVICES_AUTH_STORE_REPLAY_PARTITION_STORE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/hawk/nonce_cache.h"
#include "libraries/hawk/replay_partition.h"

namespace bulwark::auth {

// Partitions of the digest space (libraries/hawk/replay_partition.h: the services calling auth
// compute them too).
using hawk::kReplayPartitions;
using hawk::ReplayPartitionOf;

// The stores' argument checks: INVALID_ARGUMENT for an empty replica id, or a partition outside
// [0, kReplayPartitions).
absl::Status CheckReplica(absl::string_view replica);
absl::Status CheckPartition(int partition);

class ReplayPartitionStore {
 public:
  virtual ~ReplayPartitionStore() = default;

  struct Owner {
    int partition = 0;
    std::string replica;
    std::string address;
  };
  struct Member {
    std::string replica;
    std::string address;
    int held = 0;  // live leases it holds
  };
  struct PartitionNonces {
    // Requests signed before this time may have been accepted and lost (InfinitePast: nothing
    // was ever lost).
    absl::Time since = absl::InfinitePast();
    // Live nonces of the partition (forget_after at or after `now`), any order.
    std::vector<std::pair<hawk::InMemoryNonceCache::Key, absl::Time>> nonces;
  };

  // Marks `replica` alive, reachable at `address`, for `ttl` from now; forgets replicas whose
  // time has passed. Returns the number of replicas alive, `replica` included (unless `ttl` is
  // negative: then its own time has passed too).
  virtual absl::StatusOr<int> Heartbeat(absl::string_view replica, absl::string_view address,
                                        absl::Duration ttl, absl::Time deadline) = 0;
  // Extends every live lease `replica` holds to `ttl` from now (a lease that has already
  // expired is not revived). Returns the partitions it holds, ascending.
  virtual absl::StatusOr<std::vector<int>> Renew(absl::string_view replica, absl::Duration ttl,
                                                 absl::Time deadline) = 0;
  // Takes up to `max` partitions that have no owner or whose lease has expired, for `ttl` from
  // now, with `address`. Returns those taken, ascending (none when max <= 0).
  virtual absl::StatusOr<std::vector<int>> Claim(absl::string_view replica,
                                                 absl::string_view address, absl::Duration ttl,
                                                 int max, absl::Time deadline) = 0;
  // Takes over, for `ttl` from now, every partition held (live lease or not) by ANOTHER replica
  // id at this same `address`, and forgets such replicas as members: a predecessor that has
  // exited, since no two live processes listen on one address. Returns those taken, ascending.
  virtual absl::StatusOr<std::vector<int>> Succeed(absl::string_view replica,
                                                   absl::string_view address, absl::Duration ttl,
                                                   absl::Time deadline) = 0;
  // Gives up those of `partitions` that `replica` holds (others are left alone).
  virtual absl::Status Release(absl::string_view replica, const std::vector<int>& partitions,
                               absl::Time deadline) = 0;
  // Hands those of `partitions` that `replica` holds to `to` (reachable at `to_address`), for
  // `ttl` from now: the recipient finds them in its next Renew and loads them; meanwhile
  // Owners names it, so callers go there at once (no moment without an owner).
  // FAILED_PRECONDITION (nothing handed) when `to` is not a live member.
  virtual absl::Status HandOver(absl::string_view replica, const std::vector<int>& partitions,
                                absl::string_view to, absl::string_view to_address,
                                absl::Duration ttl, absl::Time deadline) = 0;
  // The replicas alive, each with how many live leases it holds, ascending by replica.
  virtual absl::StatusOr<std::vector<Member>> Members(absl::Time deadline) = 0;
  // Removes `replica` from the members (its leases are left to Release or to expire).
  virtual absl::Status Leave(absl::string_view replica, absl::Time deadline) = 0;
  // Every partition with a live lease, and its owner, ascending by partition.
  virtual absl::StatusOr<std::vector<Owner>> Owners(absl::Time deadline) = 0;

  // The live nonces of `partition` at `now`, and `since` (when the nonce table was found
  // emptied by a crash, this records `now` as the new `since`, as PostgresNonceStore does).
  virtual absl::StatusOr<PartitionNonces> LoadPartition(int partition, absl::Time now,
                                                        absl::Time deadline) = 0;
  // Deletes nonces whose forget_after is before `now` (as NonceCache::PurgeExpired); returns how
  // many.
  virtual absl::StatusOr<int64_t> PurgeNonces(absl::Time now, absl::Time deadline) = 0;
  // Writes an accepted triple (by its digest) so that a later owner of its partition loads it.
  // `done` runs exactly once, on any thread (possibly before this returns), and must not block.
  virtual void WriteBehind(const hawk::InMemoryNonceCache::Key& key, absl::Time now,
                           absl::Time forget_after, absl::Time deadline,
                           hawk::NonceCache::RecordDone done) = 0;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_REPLAY_PARTITION_STORE_H_
