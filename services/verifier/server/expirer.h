// File: services/verifier/server/expirer.h
//
// StartExpirer: the verifier's background cleanup, on a PeriodicTask of the injected clock. Every
// `interval` it deletes the verifications created more than `retention` before the clock's now
// and, given an attestation store, the attestations whose `expires` has passed (their keys'
// public halves then stop being needed: LatestExpiryByKey). Each kind is deleted in batches of
// the store's largest batch, at most kMaxBatchesPerRound batches per round, so one round is
// bounded however much has piled up (the next round continues).
//
//   auto expirer = StartExpirer(store, &attestations, clock, absl::Hours(1), absl::Hours(17520));
//
// Thread-safety: as PeriodicTask; the stores are thread-safe. Errors: a round that fails (a store
// UNAVAILABLE or DEADLINE_EXCEEDED) is logged and counted by the task, and the next round retries.

#ifndef BULWARK_SERVICES_VERIFIER_SERVER_EXPIRER_H_
#define BULWARK_SERVICES_VERIFIER_SERVER_EXPIRER_H_

#include <memory>

#include "absl/time/time.h"
#include "libraries/clock/clock.h"
#include "libraries/clock/periodic_task.h"
#include "services/verifier/store/attestation_store.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier {

inline constexpr int kMaxBatchesPerRound = 10;

// `attestations` may be null (no attestations are issued). The stores must outlive the task.
std::unique_ptr<PeriodicTask> StartExpirer(VerifierStore& verifications,
                                           AttestationStore* attestations, const Clock& clock,
                                           absl::Duration interval, absl::Duration retention);

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVER_EXPIRER_H_
