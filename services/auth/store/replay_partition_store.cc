#include "services/auth/store/replay_partition_store.h"

#include "absl/strings/str_cat.h"

namespace bulwark::auth {

absl::Status CheckReplica(absl::string_view replica) {
  if (replica.empty()) {
    return absl::InvalidArgumentError("replay partitions: the replica id must not be empty");
  }
  return absl::OkStatus();
}

absl::Status CheckPartition(int partition) {
  if (partition < 0 || partition >= kReplayPartitions) {
    return absl::InvalidArgumentError(absl::StrCat("replay partitions: partition ", partition,
                                                   " is outside [0, ", kReplayPartitions, ")"));
  }
  return absl::OkStatus();
}

}  // namespace bulwark::auth
