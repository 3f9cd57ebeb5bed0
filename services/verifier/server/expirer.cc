#include "services/verifier/server/expirer.h"

#include <functional>
#include <string>

#include "libraries/logging/log.h"

namespace bulwark::verifier {
namespace {

// Calls `expire(limit)` until a batch comes back short or kMaxBatchesPerRound ran; logs the total.
absl::Status ExpireInBatches(const std::function<absl::StatusOr<int>(int limit)>& expire, int limit,
                             const std::string& what) {
  int total = 0;
  for (int batch = 0; batch < kMaxBatchesPerRound; ++batch) {
    absl::StatusOr<int> deleted = expire(limit);
    if (!deleted.ok()) return deleted.status();
    total += *deleted;
    if (*deleted < limit) break;
  }
  if (total > 0) LogInfo("expired " + what, {{"count", total}});
  return absl::OkStatus();
}

}  // namespace

std::unique_ptr<PeriodicTask> StartExpirer(VerifierStore& verifications,
                                           AttestationStore* attestations, const Clock& clock,
                                           absl::Duration interval, absl::Duration retention) {
  return PeriodicTask::Start(
      {.name = "expire", .interval = interval}, clock,
      [&verifications, attestations, &clock, retention](absl::Time deadline) -> absl::Status {
        const absl::Time now = clock.Now();
        absl::Status s = ExpireInBatches(
            [&](int limit) {
              return verifications.ExpireVerifications(now - retention, limit, deadline);
            },
            VerifierStore::kMaxExpireBatch, "verifications");
        if (!s.ok() || attestations == nullptr) return s;
        return ExpireInBatches(
            [&](int limit) { return attestations->ExpireAttestations(now, limit, deadline); },
            AttestationStore::kMaxExpireBatch, "attestations");
      });
}

}  // namespace bulwark::verifier
