// File: services/worker/service/chain_verifier.h
//
// ChainVerifier: what a privileged worker (started with --verify-task-type=T) asks of the
// verifier: VerifyTask(taskId, T) with the root mode "before run" before it runs a task (the
// task has not run yet), and "completed" after the task completed (the verification of what it
// signed, which has the verifier attest the task's artifacts when it passes). The gRPC
// implementation is server/grpc_chain_verifier.h, signed with the worker's own credentials (it
// needs verifier:verify-task:<T>); tests use fakes. VerificationLog renders a verification as the
// readable log the worker uploads as public/logs/chain_of_trust.log when it refuses to run a task:
// the verdict, every check of every link marked ✓ or ✗ with its reason, then the verification as
// JSON.
//
// Thread-safety: implementations are thread-safe; VerificationLog is a function of its argument.
// Errors: VerifyTask returns the verifier's status as client/dependency.h passes it on
// (UNAVAILABLE / DEADLINE_EXCEEDED when it cannot be reached, PERMISSION_DENIED when the worker
// lacks the scope, ...); a chain that fails verification is a Verification with
// VERDICT_FAIL, not an error.

#ifndef BULWARK_SERVICES_WORKER_SERVICE_CHAIN_VERIFIER_H_
#define BULWARK_SERVICES_WORKER_SERVICE_CHAIN_VERIFIER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulwark/verifier/v1/verifier.pb.h"

namespace bulwark::worker {

class ChainVerifier {
 public:
  virtual ~ChainVerifier() = default;
  virtual absl::StatusOr<verifier::v1::Verification> VerifyTask(const std::string& task_id,
                                                                const std::string& task_type,
                                                                verifier::v1::RootMode mode,
                                                                absl::Time deadline) = 0;
};

std::string VerificationLog(const verifier::v1::Verification& verification);

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_CHAIN_VERIFIER_H_
