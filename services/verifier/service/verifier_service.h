// File: services/verifier/service/verifier_service.h
//
// VerifierService: the verifier's API logic over its engine, policy and store.
//   LoadPolicy(bytes)    parses and validates a policy (policy.h), records its version in the
//                        store (a version loaded again with other content is refused: bump it),
//                        and puts it in force for the verifications that start afterwards.
//   VerifyTask           verifier:verify-task:<taskType>. Runs the engine on the policy in force,
//                        stores the verification (whatever its verdict) and returns it with
//                        every link and every check.
//   GetVerification      verifier:get-verification:<taskId> of the verification's task.
//   ListVerifications    verifier:list-verifications:<taskId> (of all tasks: the scope with an
//                        empty task id, verifier:list-verifications:). Paged, newest first.
//   GetPolicy            the policy in force (no scope: the policy is not a secret).
//   Attestations: with an AttestationIssuer set, a VerifyTask that passes has it issue the
//   verification's signed attestation once the verification is stored (attestation_issuer.h); a
//   failed verification never does.
//
// Thread-safety: thread-safe; a policy reload does not disturb verifications in progress (each
// keeps the policy it started with).
// Errors: PERMISSION_DENIED naming the missing scope; INVALID_ARGUMENT for a malformed request or
// policy (every problem listed); NOT_FOUND for an unknown verification; FAILED_PRECONDITION when
// no policy is in force or a policy version was already loaded with other content; the store's
// and the sources' UNAVAILABLE / DEADLINE_EXCEEDED. A chain that does not verify is not an error:
// it is a verification with verdict FAIL.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_VERIFIER_SERVICE_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_VERIFIER_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bulwark/verifier/v1/verifier.pb.h"
#include "libraries/authn/caller.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "services/verifier/service/attestation_issuer.h"
#include "services/verifier/service/chain_source.h"
#include "services/verifier/service/policy.h"
#include "services/verifier/service/verifier_engine.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier {

class VerifierService {
 public:
  // References must outlive the service.
  VerifierService(VerifierStore& store, ChainSource& source, TaskNormalizer normalizer,
                  Clock& clock, Random& random, VerifierOptions options = {})
      : store_(store),
        source_(source),
        normalizer_(std::move(normalizer)),
        clock_(clock),
        random_(random),
        options_(options) {}

  // Set before serving (not synchronized); null: no attestations are issued.
  void set_attestation_issuer(AttestationIssuer* issuer) { issuer_ = issuer; }

  absl::Status LoadPolicy(const std::string& document, absl::Time deadline);
  std::shared_ptr<const Policy> policy() const;

  absl::StatusOr<v1::Verification> VerifyTask(const Caller& caller,
                                              const v1::VerifyTaskRequest& request,
                                              absl::Time deadline);
  absl::StatusOr<v1::Verification> GetVerification(const Caller& caller,
                                                   const v1::GetVerificationRequest& request,
                                                   absl::Time deadline);
  absl::StatusOr<v1::ListVerificationsResponse> ListVerifications(
      const Caller& caller, const v1::ListVerificationsRequest& request, absl::Time deadline);
  absl::StatusOr<v1::Policy> GetPolicy() const;

 private:
  VerifierStore& store_;
  ChainSource& source_;
  const TaskNormalizer normalizer_;
  Clock& clock_;
  Random& random_;
  const VerifierOptions options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Policy> policy_ ABSL_GUARDED_BY(mu_);
  absl::Mutex random_mu_;  // Random is not thread-safe
  AttestationIssuer* issuer_ = nullptr;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_VERIFIER_SERVICE_H_
