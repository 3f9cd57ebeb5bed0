#include "services/worker/service/chain_of_trust.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/random.h"

namespace bulwark::worker {
namespace {

using nlohmann::json;

bool IsLowercaseSha256Hex(absl::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) {
      return false;
    }
  }
  return true;
}

absl::Status CheckInput(const ChainOfTrustInput& input) {
  if (!IsSlugid(input.task_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("chain of trust: task id '", input.task_id, "' is not a slugid"));
  }
  if (input.run_id < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("chain of trust: run id ", input.run_id, " is negative"));
  }
  if (input.worker_group.empty() || input.worker_id.empty()) {
    return absl::InvalidArgumentError("chain of trust: the worker group and id must not be empty");
  }
  if (input.environment.worker_pool.empty()) {
    return absl::InvalidArgumentError("chain of trust: the worker pool must not be empty");
  }
  if (!input.task.is_object()) {
    return absl::InvalidArgumentError("chain of trust: the task definition is not a JSON object");
  }
  for (const auto& [name, sha256] : input.artifact_sha256) {
    if (absl::Status valid = CheckArtifactName(name); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("chain of trust: ", valid.message()));
    }
    if (name == kChainOfTrustArtifact || name == kChainOfTrustSignatureArtifact) {
      return absl::InvalidArgumentError(absl::StrCat(
          "chain of trust: artifact '", name, "' cannot be listed in the certificate itself"));
    }
    if (!IsLowercaseSha256Hex(sha256)) {
      return absl::InvalidArgumentError(
          absl::StrCat("chain of trust: the sha256 of artifact '", name,
                       "' must be 64 lowercase hexadecimal digits, not '", sha256, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ChainOfTrustBody(const ChainOfTrustInput& input) {
  if (absl::Status valid = CheckInput(input); !valid.ok()) return valid;
  json artifacts = json::object();
  for (const auto& [name, sha256] : input.artifact_sha256) {
    artifacts[name] = json{{"sha256", sha256}};
  }
  // nlohmann::json objects are std::maps: keys come out sorted at every depth.
  json body = {
      {"artifacts", std::move(artifacts)},
      {"chainOfTrustVersion", kChainOfTrustVersion},
      {"environment",
       {
           {"hostname", input.environment.hostname},
           {"workerImplementation", kWorkerImplementation},
           {"workerPool", input.environment.worker_pool},
           {"workerVersion", input.environment.worker_version},
       }},
      {"runId", input.run_id},
      {"task", input.task},
      {"taskId", input.task_id},
      {"workerGroup", input.worker_group},
      {"workerId", input.worker_id},
  };
  try {
    return body.dump(2, ' ', /*ensure_ascii=*/false, json::error_handler_t::strict) + "\n";
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("chain of trust: cannot serialize (invalid UTF-8?): ", e.what()));
  }
}

absl::StatusOr<SignedChainOfTrust> SignChainOfTrust(const ChainOfTrustInput& input,
                                                    const crypto::Ed25519PrivateKey& key) {
  SignedChainOfTrust out;
  absl::StatusOr<std::string> body = ChainOfTrustBody(input);
  if (!body.ok()) return body.status();
  out.body = *std::move(body);
  absl::StatusOr<std::string> signature = key.Sign(out.body);
  if (!signature.ok()) return signature.status();
  out.signature = *std::move(signature);
  return out;
}

absl::Status VerifyChainOfTrust(const crypto::Ed25519PublicKey& key, absl::string_view body,
                                absl::string_view signature) {
  if (signature.size() != crypto::kEd25519SignatureBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a chain-of-trust signature is ",
                                                   crypto::kEd25519SignatureBytes, " bytes, not ",
                                                   signature.size()));
  }
  if (!key.Verify(body, signature)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the chain-of-trust signature does not verify with key ", key.Thumbprint()));
  }
  return absl::OkStatus();
}

}  // namespace bulwark::worker
