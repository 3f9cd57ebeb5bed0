#include "services/verifier/tests/chain_forger.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "libraries/proto/message_json.h"
#include "libraries/status/status_macros.h"
#include "services/worker/server/grpc_worker_queue.h"

namespace bulwark::verifier {

absl::StatusOr<std::string> ForgeRun(worker::WorkerCluster& cluster,
                                     const worker::WorkerCluster::Worker& as,
                                     const std::map<std::string, std::string>& artifacts,
                                     const Forgery& forgery, absl::Duration timeout) {
  worker::GrpcWorkerQueue queue(cluster.queue().queue(0).Channel(), as.credentials,
                                {as.pool, "local", as.worker_id});
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<worker::Claim> claims;
  while (claims.empty()) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("nothing to claim in ", as.pool));
    }
    BULWARK_ASSIGN_OR_RETURN(claims, queue.ClaimWork(1, absl::Seconds(2), deadline));
  }
  const worker::Claim& claim = claims.front();

  std::map<std::string, std::string> uploads = artifacts;
  uploads.emplace("public/logs/live_backing.log", "[forged] nothing ran\n");
  worker::ChainOfTrustInput input;
  input.task_id = claim.task_id;
  input.run_id = claim.run_id;
  input.worker_group = "local";
  input.worker_id = as.worker_id;
  input.environment.worker_pool = as.pool;
  BULWARK_ASSIGN_OR_RETURN(input.task, MessageToJson(claim.task));
  auto upload = [&](const std::string& name, const std::string& content) {
    worker::UploadHeader header;
    header.task_id = claim.task_id;
    header.run_id = claim.run_id;
    header.name = name;
    header.size = content.size();
    return queue.UploadArtifact(header, worker::StringReader(content), claim.credentials, deadline);
  };
  for (const auto& [name, content] : uploads) {
    BULWARK_ASSIGN_OR_RETURN(queue::v1::Artifact uploaded, upload(name, content));
    input.artifact_sha256[name] = uploaded.sha256();
  }

  if (forgery.before_signing) forgery.before_signing(input);
  BULWARK_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey own,
                           crypto::Ed25519PrivateKey::FromPemFile(as.key_file));
  BULWARK_ASSIGN_OR_RETURN(worker::SignedChainOfTrust cot,
                           worker::SignChainOfTrust(input, forgery.key ? *forgery.key : own));
  if (forgery.after_signing) forgery.after_signing(cot);
  BULWARK_RETURN_IF_ERROR(upload("public/chain-of-trust.json", cot.body).status());
  BULWARK_RETURN_IF_ERROR(upload("public/chain-of-trust.json.sig", cot.signature).status());
  BULWARK_RETURN_IF_ERROR(
      queue.Resolve(claim.task_id, claim.run_id, queue::v1::TASK_STATE_COMPLETED,
                    queue::v1::EXCEPTION_REASON_UNSPECIFIED, claim.credentials, deadline));
  return claim.task_id;
}

}  // namespace bulwark::verifier
