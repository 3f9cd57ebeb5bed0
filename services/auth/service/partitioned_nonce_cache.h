// File: services/auth/service/partitioned_nonce_cache.h
//
// PartitionedNonceCache: replay protection that holds across auth replicas (issue 13 item 6)
// without a database round trip per request. The space of nonce digests is cut into
// kReplayPartitions partitions (replay_partition_store.h); each partition is owned by one
// replica at a time, under a lease in the shared store, and only its owner accepts its nonces,
// from memory:
//  - a triple whose partition this replica owns is recorded in this process's memory and
//    answered at once; it is also written behind to the shared nonce table (not awaited), so
//    that the partition's next owner can load it;
//  - a triple whose partition another replica owns is forwarded to that replica
//    (ReplayForwarder; the call waits for it, holding no thread);
//  - a triple whose partition has no owner known here is refused UNAVAILABLE (retry).
// Forwarding is the exception: AuthenticateRequest's answers name each partition's owner
// (OwnerOf, through ReplayRoutes), and the services calling auth send the partition's checks
// there directly (libraries/authn/auth_replica_router.h).
//
// Leases (Maintain, every `maintain_interval` on the injected clock): each round marks this
// replica alive, renews its leases, hands partitions beyond its fair share
// (ceil(partitions / replicas alive)) to the replicas below theirs (so a partition moving
// between replicas always has an owner to send its triples to), claims unowned or expired ones
// up to its share, and reads who owns the rest. A partition taken over is loaded (its live
// nonces from the shared table, and the table's `since`) before its first request is accepted;
// until then its triples are refused UNAVAILABLE: for up to one round when a partition is
// handed over, until the lease runs out when its owner died (a new replica reports not Ready
// until it has loaded its share).
//
// Why a replay is refused exactly once, wherever it arrives:
//  - while an owner holds a partition, every triple of it is checked in that owner's memory;
//  - an owner stops accepting a partition `margin` before its lease (as of its last renewal,
//    measured on its own clock from before the renewal was sent) can end, and a write behind
//    is given up `write_behind_timeout` after its request was accepted; with margin >
//    write_behind_timeout, every write behind of the old owner is in the table, or has failed,
//    before another replica can take the partition over and load it;
//  - a partition given up on purpose (fair share, Leave) first stops accepting, then waits
//    until every write behind of it is in the table; if one failed, it keeps the partition;
//  - a write behind that fails marks its partition: no new triple of it is accepted until the
//    failed ones are written (retried by Maintain);
//  - after a crash of the database emptied the nonce table, a new owner refuses every triple
//    signed before the reset (`since`, as PostgresNonceStore does).
// Clocks: the cut-off is on this replica's clock (the injected one, read when deciding), lease
// ends on the database's now(). Only their rates need agree: a step of either clock by more than
// margin - write_behind_timeout (2 s) could let two owners overlap (time sync slews clocks;
// it steps them only when far off). Leases are in a logged table, but a failover to a standby
// that lost the latest commits could roll a hand-over back.
// What stays open (and is said in docs): a replica that dies, or loses the database for longer
// than a lease, within `write_behind_timeout` of accepting a triple whose write behind had not
// finished: that triple was never written, and can be replayed once at the partition's next
// owner while its ts is fresh. A clean shutdown (Leave), a rebalance and a database restart
// lose nothing.
//
//   auto nonces = PartitionedNonceCache::Create({.replica = id}, store, forwarder, clock).value();
//   nonces->SetAddress("10.0.0.7:50051");   // once the server listens
//   PeriodicTask::Start({.interval = options.maintain_interval}, clock,
//                       [&](absl::Time deadline) { return nonces->Maintain(deadline); });
//   nonces->RecordAsync(id, ts, nonce, now, forget_after, deadline, std::move(done));
//   ...
//   nonces->Leave(deadline);   // before the store goes
//
// Thread-safety: thread-safe. Maintain and Leave must not run at the same time as each other
// (one PeriodicTask, then Leave). Store, forwarder and clock are borrowed and must outlive it.
// Errors (Record*): ALREADY_EXISTS for a replay (or a triple signed before `since`),
// RESOURCE_EXHAUSTED when memory is full of live nonces, UNAVAILABLE when the partition has no
// usable owner or its writes behind are failing, the forwarder's errors (replay_forwarder.h);
// RecordHere: FAILED_PRECONDITION when this replica does not own the partition. Maintain and
// Leave return the store's errors (the next round retries).

#ifndef BULWARK_SERVICES_AUTH_SERVICE_PARTITIONED_NONCE_CACHE_H_
#define BULWARK_SERVICES_AUTH_SERVICE_PARTITIONED_NONCE_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libraries/clock/clock.h"
#include "libraries/hawk/nonce_cache.h"
#include "services/auth/service/replay_forwarder.h"
#include "services/auth/store/replay_partition_store.h"

namespace bulwark::auth {

class PartitionedNonceCache final : public hawk::NonceCache,
                                    public ReplayOwner,
                                    public ReplayRoutes {
 public:
  struct Options {
    // This replica's id, unique among the replicas alive (a random one per process).
    std::string replica;
    absl::Duration lease = absl::Seconds(10);
    absl::Duration maintain_interval = absl::Milliseconds(500);
    // Accepting stops this long before a lease can end; must exceed write_behind_timeout.
    absl::Duration margin = absl::Seconds(3);
    // Long enough that a database stall of half a second does not fail writes behind (their
    // partitions would refuse requests until they are rewritten).
    absl::Duration write_behind_timeout = absl::Seconds(1);
    // Live nonces held in memory (all owned partitions); beyond it RESOURCE_EXHAUSTED.
    size_t max_entries = size_t{1} << 20;
  };

  static absl::StatusOr<std::unique_ptr<PartitionedNonceCache>> Create(Options options,
                                                                       ReplayPartitionStore& store,
                                                                       ReplayForwarder& forwarder,
                                                                       const Clock& clock);
  // Waits for the answers of writes behind still in flight.
  ~PartitionedNonceCache() override;

  // NonceCache. Record waits for RecordAsync's answer (at most until `deadline`).
  absl::Status Record(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                      absl::Time now, absl::Time forget_after, absl::Time deadline) override;
  void RecordAsync(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                   absl::Time now, absl::Time forget_after, absl::Time deadline,
                   RecordDone done) override;
  // Drops expired nonces from memory, then purges the shared table.
  absl::StatusOr<int64_t> PurgeExpired(absl::Time now, absl::Time deadline) override;

  // ReplayOwner: what another replica forwards here.
  absl::Status RecordHere(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                          absl::Time now, absl::Time forget_after) override;

  // ReplayRoutes: this replica's address for a partition it owns (accepting or not), else the
  // owner's address last read by Maintain, else empty.
  std::string OwnerOf(int partition) const override;

  // Where the other replicas reach this one's AuthReplicas service (HOST:PORT, unique to this
  // process's listening socket). Must be set before the first Maintain. A partition still
  // leased to another replica id at this same address belonged to a predecessor that has
  // exited (no two live processes listen on one address): the first round takes those over at
  // once instead of waiting for their leases, and loads them once `write_behind_timeout` has
  // passed since SetAddress (the predecessor had closed the address by then, so its last
  // writes have landed or failed). The address must belong to this process alone: a pod's IP
  // and port, or the bound loopback port; never a name several replicas share.
  void SetAddress(std::string address);

  // One round of lease upkeep (see above). FAILED_PRECONDITION before SetAddress.
  absl::Status Maintain(absl::Time deadline);
  // Leaves the members and hands every partition it accepts to the other replicas (each once
  // its writes behind are in the table), keeping those nobody can take: for the start of a
  // shutdown, while the server still serves (callers are forwarded to the new owners). Stop
  // calling Maintain first.
  absl::Status HandOverAll(absl::Time deadline);
  // HandOverAll, then releases whatever is left. After it, every partition is forwarded or
  // refused.
  absl::Status Leave(absl::Time deadline);

  // Whether this replica can serve: set by the first round of Maintain after which every
  // partition has an owner known here, everything it holds is loaded, and it holds its share
  // (or no replica holds more than its own to give); then true until Leave.
  bool Ready() const;
  // The partitions this replica accepts now (owned and loaded), ascending.
  std::vector<int> Owned() const;
  const Options& options() const { return options_; }

 private:
  struct Triple {  // an accepted triple, by its digest
    hawk::InMemoryNonceCache::Key key;
    absl::Time now, forget_after;
  };
  struct Partition {
    mutable absl::Mutex mu;
    // Owned and loaded: this replica accepts the partition's triples until accept_until.
    bool mine ABSL_GUARDED_BY(mu) = false;
    absl::Time accept_until ABSL_GUARDED_BY(mu) = absl::InfinitePast();
    // Triples signed before it are refused (the table lost nonces before this owner loaded it).
    absl::Time since ABSL_GUARDED_BY(mu) = absl::InfinitePast();
    // Not mine: the owner's address, empty when none is known.
    std::string owner ABSL_GUARDED_BY(mu);
    // Writes behind in flight, and those that failed (to retry; none accepted meanwhile).
    int writing ABSL_GUARDED_BY(mu) = 0;
    std::vector<Triple> failed ABSL_GUARDED_BY(mu);
  };
  enum class Route { kAccepted, kRefused, kForward, kNoOwner };

  PartitionedNonceCache(Options options, ReplayPartitionStore& store, ReplayForwarder& forwarder,
                        const Clock& clock, std::unique_ptr<hawk::InMemoryNonceCache> memory);

  // Accepts (and writes behind) or refuses the triple when this replica owns its partition
  // (kAccepted / kRefused, with `status`), else says where it goes (`owner`).
  Route Decide(absl::string_view id, absl::string_view ts, absl::string_view nonce, absl::Time now,
               absl::Time forget_after, int& partition, absl::Status& status, std::string& owner);
  // Decide's part under the partition's lock; counts the write behind Decide then makes.
  Route DecideLocked(const hawk::InMemoryNonceCache::Key& key, absl::string_view ts, absl::Time now,
                     absl::Time forget_after, Partition& part, absl::Status& status,
                     std::string& owner);
  // Writes an accepted triple behind; its partition's `writing` was counted by the caller.
  void WriteBehind(int partition, const Triple& triple);
  // Loads a partition this replica holds a lease on; accepts it until `accept_until`.
  absl::Status Load(int partition, absl::Time accept_until, absl::Time deadline);
  // Stops accepting `partitions`, waits for their writes behind, and hands each to the taker
  // holding the fewest while one holds fewer than `up_to`; the others are released when
  // `release_untaken` (else kept). A partition whose writes could not all be made, or whose
  // hand-over failed, is accepted again as before (nothing was lost). Returns the first error.
  absl::Status GiveUpAll(const std::vector<int>& partitions,
                         std::vector<ReplayPartitionStore::Member> takers, int up_to,
                         bool release_untaken, absl::Time deadline);
  absl::Status Depart(bool release_untaken, absl::Time deadline);
  void RetryFailed();

  const Options options_;
  ReplayPartitionStore& store_;
  ReplayForwarder& forwarder_;
  const Clock& clock_;
  const std::unique_ptr<hawk::InMemoryNonceCache> memory_;
  mutable absl::Mutex address_mu_;
  std::string address_ ABSL_GUARDED_BY(address_mu_);
  absl::Time listening_since_ ABSL_GUARDED_BY(address_mu_);
  std::array<Partition, kReplayPartitions> partitions_;
  // Maintain's own: whether the predecessor's partitions were taken over, and those not to be
  // loaded before listening_since_ + write_behind_timeout.
  bool succeeded_ = false;
  std::array<bool, kReplayPartitions> from_predecessor_{};
  std::atomic<bool> ready_{false};
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_PARTITIONED_NONCE_CACHE_H_
