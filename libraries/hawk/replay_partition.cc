#include "libraries/hawk/replay_partition.h"

#include "libraries/hawk/header.h"

namespace bulwark::hawk {

std::optional<int> ReplayPartitionOfHeader(absl::string_view authorization) {
  if (authorization.empty()) return std::nullopt;
  absl::StatusOr<HeaderAttributes> attributes = ParseAuthorizationHeader(authorization);
  if (!attributes.ok() || attributes->id.empty() || attributes->ts.empty() ||
      attributes->nonce.empty()) {
    return std::nullopt;
  }
  return ReplayPartitionOf(
      InMemoryNonceCache::Digest(attributes->id, attributes->ts, attributes->nonce));
}

}  // namespace bulwark::hawk
