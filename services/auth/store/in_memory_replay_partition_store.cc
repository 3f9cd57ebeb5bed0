#include "services/auth/store/in_memory_replay_partition_store.h"

#include <cstdint>
#include <utility>

namespace bulwark::auth {

absl::StatusOr<int> InMemoryReplayPartitionStore::Heartbeat(absl::string_view replica,
                                                            absl::string_view address,
                                                            absl::Duration ttl,
                                                            absl::Time /*deadline*/) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  members_[std::string(replica)] = Liveness{std::string(address), now + ttl};
  for (auto it = members_.begin(); it != members_.end();) {
    it = it->second.alive_until < now ? members_.erase(it) : std::next(it);
  }
  return static_cast<int>(members_.size());
}

absl::StatusOr<std::vector<int>> InMemoryReplayPartitionStore::Renew(absl::string_view replica,
                                                                     absl::Duration ttl,
                                                                     absl::Time /*deadline*/) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  const absl::Time now = clock_.Now();
  std::vector<int> held;
  absl::MutexLock lock(&mu_);
  for (int p = 0; p < kReplayPartitions; ++p) {
    Lease& lease = leases_[p];
    if (lease.replica == replica && lease.until >= now) {
      lease.until = now + ttl;
      held.push_back(p);
    }
  }
  return held;
}

absl::StatusOr<std::vector<int>> InMemoryReplayPartitionStore::Claim(absl::string_view replica,
                                                                     absl::string_view address,
                                                                     absl::Duration ttl, int max,
                                                                     absl::Time /*deadline*/) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  const absl::Time now = clock_.Now();
  std::vector<int> taken;
  absl::MutexLock lock(&mu_);
  for (int p = 0; p < kReplayPartitions && static_cast<int>(taken.size()) < max; ++p) {
    Lease& lease = leases_[p];
    if (lease.replica.empty() || lease.until < now) {
      lease = Lease{std::string(replica), std::string(address), now + ttl};
      taken.push_back(p);
    }
  }
  return taken;
}

absl::StatusOr<std::vector<int>> InMemoryReplayPartitionStore::Succeed(absl::string_view replica,
                                                                       absl::string_view address,
                                                                       absl::Duration ttl,
                                                                       absl::Time /*deadline*/) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  const absl::Time now = clock_.Now();
  std::vector<int> taken;
  absl::MutexLock lock(&mu_);
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->second.address == address && it->first != replica) {
      it = members_.erase(it);
    } else {
      ++it;
    }
  }
  for (int p = 0; p < kReplayPartitions; ++p) {
    Lease& lease = leases_[p];
    if (!lease.replica.empty() && lease.address == address && lease.replica != replica) {
      lease = Lease{std::string(replica), std::string(address), now + ttl};
      taken.push_back(p);
    }
  }
  return taken;
}

absl::StatusOr<int64_t> InMemoryReplayPartitionStore::PurgeNonces(absl::Time now,
                                                                  absl::Time /*deadline*/) {
  absl::MutexLock lock(&mu_);
  int64_t purged = 0;
  for (auto it = nonces_.begin(); it != nonces_.end();) {
    if (it->second < now) {
      nonces_.erase(it++);
      ++purged;
    } else {
      ++it;
    }
  }
  return purged;
}

absl::Status InMemoryReplayPartitionStore::Release(absl::string_view replica,
                                                   const std::vector<int>& partitions,
                                                   absl::Time /*deadline*/) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  for (int p : partitions) {
    if (absl::Status s = CheckPartition(p); !s.ok()) return s;
  }
  absl::MutexLock lock(&mu_);
  for (int p : partitions) {
    if (leases_[p].replica == replica) leases_[p] = Lease{};
  }
  return absl::OkStatus();
}

absl::Status InMemoryReplayPartitionStore::HandOver(absl::string_view replica,
                                                    const std::vector<int>& partitions,
                                                    absl::string_view to,
                                                    absl::string_view to_address,
                                                    absl::Duration ttl, absl::Time /*deadline*/) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  if (absl::Status s = CheckReplica(to); !s.ok()) return s;
  for (int p : partitions) {
    if (absl::Status s = CheckPartition(p); !s.ok()) return s;
  }
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto recipient = members_.find(to);
  if (recipient == members_.end() || recipient->second.alive_until < now) {
    return absl::FailedPreconditionError(
        "replay partitions: the replica to hand over to is not alive");
  }
  for (int p : partitions) {
    if (leases_[p].replica == replica) {
      leases_[p] = Lease{std::string(to), std::string(to_address), now + ttl};
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ReplayPartitionStore::Member>> InMemoryReplayPartitionStore::Members(
    absl::Time /*deadline*/) {
  const absl::Time now = clock_.Now();
  std::vector<Member> members;
  absl::MutexLock lock(&mu_);
  for (const auto& [replica, member] : members_) {
    if (member.alive_until < now) continue;
    int held = 0;
    for (const Lease& lease : leases_) {
      if (lease.replica == replica && lease.until >= now) ++held;
    }
    members.push_back({replica, member.address, held});
  }
  return members;
}

absl::Status InMemoryReplayPartitionStore::Leave(absl::string_view replica,
                                                 absl::Time /*deadline*/) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = members_.find(replica);
  if (it != members_.end()) members_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ReplayPartitionStore::Owner>> InMemoryReplayPartitionStore::Owners(
    absl::Time /*deadline*/) {
  const absl::Time now = clock_.Now();
  std::vector<Owner> owners;
  absl::MutexLock lock(&mu_);
  for (int p = 0; p < kReplayPartitions; ++p) {
    const Lease& lease = leases_[p];
    if (!lease.replica.empty() && lease.until >= now) {
      owners.push_back({p, lease.replica, lease.address});
    }
  }
  return owners;
}

absl::StatusOr<ReplayPartitionStore::PartitionNonces> InMemoryReplayPartitionStore::LoadPartition(
    int partition, absl::Time now, absl::Time /*deadline*/) {
  if (absl::Status s = CheckPartition(partition); !s.ok()) return s;
  PartitionNonces loaded;
  absl::MutexLock lock(&mu_);
  ResetIfLost(now);
  loaded.since = since_;
  for (const auto& [key, forget_after] : nonces_) {
    if (ReplayPartitionOf(key) == partition && forget_after >= now) {
      loaded.nonces.emplace_back(key, forget_after);
    }
  }
  return loaded;
}

void InMemoryReplayPartitionStore::WriteBehind(const hawk::InMemoryNonceCache::Key& key,
                                               absl::Time now, absl::Time forget_after,
                                               absl::Time /*deadline*/,
                                               hawk::NonceCache::RecordDone done) {
  absl::Status result;
  if (forget_after >= now) {  // otherwise stale anyway: nothing to remember
    absl::MutexLock lock(&mu_);
    if (fail_writes_) {
      result = absl::UnavailableError(
          "replay protection unavailable: the nonce store is failing on purpose (test); the "
          "request was not accepted, retry it");
    } else {
      ResetIfLost(now);
      auto [it, inserted] = nonces_.try_emplace(key, forget_after);
      if (!inserted && it->second >= now) {
        result = absl::AlreadyExistsError(hawk::kNonceAlreadyUsed);
      } else {
        it->second = forget_after;
      }
    }
  }
  std::move(done)(std::move(result));
}

void InMemoryReplayPartitionStore::LoseNonces(absl::Time /*now*/) {
  absl::MutexLock lock(&mu_);
  nonces_.clear();
  lost_ = true;
}

void InMemoryReplayPartitionStore::FailWrites(bool fail) {
  absl::MutexLock lock(&mu_);
  fail_writes_ = fail;
}

size_t InMemoryReplayPartitionStore::written() {
  absl::MutexLock lock(&mu_);
  return nonces_.size();
}

void InMemoryReplayPartitionStore::ResetIfLost(absl::Time now) {
  if (!lost_) return;
  since_ = now;
  lost_ = false;
}

}  // namespace bulwark::auth
