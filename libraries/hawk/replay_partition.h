// File: libraries/hawk/replay_partition.h
//
// The replay partitions of the Hawk nonce space. Auth replicas in "partitioned" replay
// protection (services/auth/service/partitioned_nonce_cache.h) each own some of the
// kReplayPartitions partitions under a lease and check those nonces in memory; a request's
// partition is a function of its header's (id, ts, nonce) triple alone, so the services that
// call auth can compute it too and send the check to the owner's replica directly
// (libraries/authn/auth_replica_router.h).
//
//   std::optional<int> p = ReplayPartitionOfHeader(call.authorization);   // nullopt: no triple
//
// Thread-safety: pure functions.
// Errors: none; a header that does not parse, or lacks id, ts or nonce, has no partition.

#ifndef BULWARK_LIBRARIES_HAWK_REPLAY_PARTITION_H_
#define BULWARK_LIBRARIES_HAWK_REPLAY_PARTITION_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "libraries/hawk/nonce_cache.h"

namespace bulwark::hawk {

// Partitions of the digest space: the top six bits of a digest's first byte (InMemoryNonceCache
// picks its shards by the last byte, so a replica owning a few partitions still uses them all).
inline constexpr int kReplayPartitions = 64;
inline int ReplayPartitionOf(const InMemoryNonceCache::Key& key) { return key[0] >> 2; }

// The partition of the triple a Hawk `Authorization` header carries, exactly as the
// authenticator records it (the attributes as received).
std::optional<int> ReplayPartitionOfHeader(absl::string_view authorization);

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_REPLAY_PARTITION_H_
