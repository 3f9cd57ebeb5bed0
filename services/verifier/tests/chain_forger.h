// File: services/verifier/tests/chain_forger.h
//
// ForgeRun (testonly): plays a worker of the chain cluster without running anything, to forge
// what a compromised worker or a stolen key could: it claims the next task of the worker's pool
// with that worker's real credentials (through the worker's own GrpcWorkerQueue), uploads the
// given artifacts and a task log with the run's credentials, builds the chain-of-trust body the
// worker would (services/worker/service/chain_of_trust.h) over what it uploaded, lets the test
// edit the input before signing and the signed bytes after, signs with the worker's key or
// another, uploads both and reports the run completed. With no edits it is an honest worker: the
// forged-chain tests first show such a chain passes, so that each failure comes from its one
// edit.
//
// Thread-safety: test code. Errors: DEADLINE_EXCEEDED when nothing was claimed within
// `timeout`; the queue's status for a failed upload or resolution.

#ifndef BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_FORGER_H_
#define BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_FORGER_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/crypto/ed25519.h"
#include "services/worker/service/chain_of_trust.h"
#include "services/worker/tests/worker_cluster.h"

namespace bulwark::verifier {

struct Forgery {
  // Signs with this key instead of the worker's own.
  const crypto::Ed25519PrivateKey* key = nullptr;
  // Edits what is signed (the run, the worker, the task definition, the artifact hashes).
  std::function<void(worker::ChainOfTrustInput&)> before_signing;
  // Edits the signed body or the signature.
  std::function<void(worker::SignedChainOfTrust&)> after_signing;
};

// Claims one task of `as.pool`, uploads `artifacts` (name -> content), signs and completes it.
// Returns the claimed task's id.
absl::StatusOr<std::string> ForgeRun(worker::WorkerCluster& cluster,
                                     const worker::WorkerCluster::Worker& as,
                                     const std::map<std::string, std::string>& artifacts,
                                     const Forgery& forgery, absl::Duration timeout);

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_FORGER_H_
