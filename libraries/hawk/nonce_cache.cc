#include "libraries/hawk/nonce_cache.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "libraries/hawk/digest.h"

namespace bulwark::hawk {

absl::StatusOr<std::unique_ptr<InMemoryNonceCache>> InMemoryNonceCache::Create(Options options) {
  if (options.shards == 0 || options.max_entries < options.shards) {
    return absl::InvalidArgumentError(
        "nonce cache: shards must be at least 1 and max_entries at least "
        "shards");
  }
  return std::unique_ptr<InMemoryNonceCache>(
      new InMemoryNonceCache(options.shards, options.max_entries / options.shards));
}

size_t InMemoryNonceCache::EntriesFor(absl::Duration skew, double requests_per_second) {
  double lifetime = 2 * absl::ToDoubleSeconds(skew);
  double entries = requests_per_second * lifetime * 9 / 8;
  if (!(entries >= 1)) return 1;
  return static_cast<size_t>(entries);
}

InMemoryNonceCache::InMemoryNonceCache(size_t shards, size_t per_shard) : per_shard_(per_shard) {
  shards_.reserve(shards);
  for (size_t i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

InMemoryNonceCache::Key InMemoryNonceCache::Digest(absl::string_view id, absl::string_view ts,
                                                   absl::string_view nonce) {
  // Length-prefixed, so that no two triples share an encoding.
  const std::string digest =
      Sha256(absl::StrCat(id.size(), ":", id, ts.size(), ":", ts, nonce.size(), ":", nonce));
  Key key;
  std::memcpy(key.data(), digest.data(), key.size());
  return key;
}

void InMemoryNonceCache::PopOldest(Shard& shard) {
  shard.forget_after.erase(shard.expiry.top().second);
  shard.expiry.pop();
}

absl::Status InMemoryNonceCache::Record(absl::string_view id, absl::string_view ts,
                                        absl::string_view nonce, absl::Time now,
                                        absl::Time forget_after, absl::Time /*deadline*/) {
  return RecordKey(Digest(id, ts, nonce), now, forget_after);
}

absl::Status InMemoryNonceCache::RecordKey(const Key& key, absl::Time now,
                                           absl::Time forget_after) {
  // The last byte picks the shard: the first is what auth's replay partitions split on
  // (services/auth/store/replay_partition_store.h), so a replica owning some partitions still
  // spreads them over every shard.
  Shard& shard = *shards_[key[key.size() - 1] % shards_.size()];
  absl::MutexLock lock(&shard.mu);
  while (!shard.expiry.empty() && shard.expiry.top().first < now) {
    PopOldest(shard);
  }
  if (shard.forget_after.contains(key)) {
    return absl::AlreadyExistsError(kNonceAlreadyUsed);
  }
  if (forget_after < now) return absl::OkStatus();  // nothing to remember
  if (shard.forget_after.size() >= per_shard_) {
    // Every entry here is live: forgetting one would reopen it to replay.
    refusals_.fetch_add(1, std::memory_order_relaxed);
    return absl::ResourceExhaustedError(
        "too many signed requests within the replay window (the nonce cache is full of live "
        "nonces); retry in a few seconds");
  }
  shard.forget_after.emplace(key, forget_after);
  shard.expiry.emplace(forget_after, key);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> InMemoryNonceCache::PurgeExpired(absl::Time now, absl::Time /*deadline*/) {
  int64_t dropped = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    while (!shard->expiry.empty() && shard->expiry.top().first < now) {
      PopOldest(*shard);
      ++dropped;
    }
  }
  return dropped;
}

size_t InMemoryNonceCache::size() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    total += shard->forget_after.size();
  }
  return total;
}

}  // namespace bulwark::hawk
