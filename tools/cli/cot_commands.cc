#include "tools/cli/cot_commands.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libraries/grpc_server/status.h"
#include "libraries/status/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/queue/client/artifact_transfer.h"

namespace bulwark::cli {
namespace {

constexpr char kBody[] = "public/chain-of-trust.json";
constexpr char kSignature[] = "public/chain-of-trust.json.sig";

struct Download {
  queue::v1::Artifact artifact;
  std::string content;
};

absl::StatusOr<Download> Fetch(queue::v1::Queue::StubInterface& stub,
                               const ContextFactory& new_context, const std::string& task_id,
                               std::optional<int> run_id, const std::string& name) {
  queue::v1::DownloadArtifactRequest request;
  request.set_task_id(task_id);
  if (run_id) request.set_run_id(*run_id);
  request.set_name(name);
  Download out;
  std::unique_ptr<grpc::ClientContext> context = new_context();
  BULWARK_ASSIGN_OR_RETURN(
      out.artifact, queue::DownloadArtifactStream(
                        stub, *context, request, [&](absl::string_view chunk) -> absl::Status {
                          if (out.content.size() + chunk.size() > kMaxChainOfTrustBytes) {
                            return absl::ResourceExhaustedError(
                                absl::StrCat(name, " is larger than ", kMaxChainOfTrustBytes,
                                             " bytes; it is not a chain-of-trust artifact"));
                          }
                          out.content.append(chunk.data(), chunk.size());
                          return absl::OkStatus();
                        }));
  return out;
}

// name -> hex SHA-256 of every artifact of the run, as the queue holds them.
absl::StatusOr<std::map<std::string, std::string>> RunDigests(queue::v1::Queue::StubInterface& stub,
                                                              const ContextFactory& new_context,
                                                              const std::string& task_id,
                                                              int run_id) {
  std::map<std::string, std::string> digests;
  queue::v1::ListArtifactsRequest request;
  request.set_task_id(task_id);
  request.set_run_id(run_id);
  // Pages are bounded by the queue; a run has at most a few thousand artifacts.
  for (int page = 0; page < 1000; ++page) {
    std::unique_ptr<grpc::ClientContext> context = new_context();
    queue::v1::ListArtifactsResponse response;
    grpc::Status status = stub.ListArtifacts(context.get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    for (const queue::v1::Artifact& a : response.artifacts()) digests[a.name()] = a.sha256();
    if (response.continuation_token().empty()) return digests;
    request.set_continuation_token(response.continuation_token());
  }
  return absl::ResourceExhaustedError("the run lists more artifacts than the check reads");
}

}  // namespace

absl::StatusOr<std::string> VerifyChainOfTrust(queue::v1::Queue::StubInterface& stub,
                                               const ContextFactory& new_context,
                                               const std::string& task_id,
                                               std::optional<int> run_id,
                                               const crypto::Ed25519PublicKey& key) {
  BULWARK_ASSIGN_OR_RETURN(Download body, Fetch(stub, new_context, task_id, run_id, kBody));
  const int run = body.artifact.run_id();
  BULWARK_ASSIGN_OR_RETURN(Download signature, Fetch(stub, new_context, task_id, run, kSignature));
  if (!key.Verify(body.content, signature.content)) {
    return absl::DataLossError(absl::StrCat("the signature of ", kBody, " of task ", task_id,
                                            " run ", run, " does not verify with key ",
                                            key.Thumbprint()));
  }
  nlohmann::json json = nlohmann::json::parse(body.content, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("artifacts") || !json["artifacts"].is_object() ||
      !json.contains("taskId") || !json["taskId"].is_string() || !json.contains("runId") ||
      !json["runId"].is_number_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kBody, " is not a chain-of-trust body (taskId, runId, artifacts)"));
  }
  if (json["taskId"].get<std::string>() != task_id || json["runId"].get<int64_t>() != run) {
    return absl::DataLossError(
        absl::StrCat("the signed body is for task ", json["taskId"].get<std::string>(), " run ",
                     json["runId"].dump(), ", not task ", task_id, " run ", run));
  }
  BULWARK_ASSIGN_OR_RETURN(auto digests, RunDigests(stub, new_context, task_id, run));
  std::string summary = absl::StrCat("chain of trust of task ", task_id, " run ", run,
                                     ": signature valid (key ", key.Thumbprint(), ")\n");
  std::set<std::string> signed_names;
  for (const auto& [name, entry] : json["artifacts"].items()) {
    if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kBody, ": artifacts[\"", name, "\"] has no sha256"));
    }
    const std::string sha256 = entry["sha256"].get<std::string>();
    auto held = digests.find(name);
    if (held == digests.end()) {
      return absl::DataLossError(
          absl::StrCat("artifact ", name, " is signed but the queue has no such artifact"));
    }
    if (held->second != sha256) {
      return absl::DataLossError(absl::StrCat("artifact ", name, ": signed sha256 ", sha256,
                                              ", the queue holds ", held->second));
    }
    signed_names.insert(name);
    absl::StrAppend(&summary, "  \u2713 ", name, "  sha256 ", sha256, "\n");
  }
  for (const auto& [name, sha256] : digests) {
    if (name == kBody || name == kSignature || signed_names.count(name) > 0) continue;
    absl::StrAppend(&summary, "  - ", name,
                    "  not signed (uploaded outside the run's statement)\n");
  }
  return summary;
}

}  // namespace bulwark::cli
