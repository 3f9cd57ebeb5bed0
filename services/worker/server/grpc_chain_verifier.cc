#include "services/worker/server/grpc_chain_verifier.h"

#include "libraries/client/call_credentials.h"
#include "libraries/client/dependency.h"

namespace bulwark::worker {

absl::StatusOr<verifier::v1::Verification> GrpcChainVerifier::VerifyTask(
    const std::string& task_id, const std::string& task_type, verifier::v1::RootMode mode,
    absl::Time deadline) {
  verifier::v1::VerifyTaskRequest request;
  request.set_task_id(task_id);
  request.set_task_type(task_type);
  request.set_root_mode(mode);
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  context.set_credentials(HawkCallCredentials(credentials_));
  verifier::v1::Verification verification;
  absl::Status s = DependencyStatus("verifier", stub_->VerifyTask(&context, request, &verification),
                                    Signer::kOwnCredentials);
  if (!s.ok()) return s;
  return verification;
}

}  // namespace bulwark::worker
