// File: tools/cli/cot_commands.h
//
// `bulwark verify-cot TASK [--run=N] --public-key=FILE`: checks a run's chain-of-trust
// artifacts as anyone holding the worker's public key can, against the queue:
//   1. downloads public/chain-of-trust.json and public/chain-of-trust.json.sig of the run
//      (the latest run when none is named), each checked against the queue's size and SHA-256;
//   2. verifies the 64-byte Ed25519 signature over the exact JSON bytes with the public key;
//   3. checks that the signed body names this task and run (`taskId`, `runId`);
//   4. compares every signed artifact digest (`artifacts: {name: {sha256}}`) with the digest
//      the queue holds for that artifact of the run, and names any the run has that the
//      body does not sign (other than the two chain-of-trust artifacts themselves).
// The queue refuses to serve content that does not match its digests (DownloadArtifact,
// `bulwark artifact get`), so a pass here ties every byte of the run's artifacts to the key.
// This is the worker's statement only; the verifier (`bulwark verify`) checks the whole chain
// against its policy.
//
// Thread-safety: a function of its arguments; makes calls through the stub.
// Errors: the queue's status for a failed call (NOT_FOUND: the run has no chain of trust);
// DATA_LOSS naming the first broken property (bad signature, a body naming another task or
// run, a digest that differs from the queue's, a signed artifact the queue does not have);
// INVALID_ARGUMENT when the body is not the chain-of-trust JSON; RESOURCE_EXHAUSTED when a
// chain-of-trust artifact is larger than kMaxChainOfTrustBytes.

#ifndef BULWARK_TOOLS_CLI_COT_COMMANDS_H_
#define BULWARK_TOOLS_CLI_COT_COMMANDS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "libraries/crypto/ed25519.h"

namespace bulwark::cli {

inline constexpr size_t kMaxChainOfTrustBytes = 16 << 20;

// A fresh context (credentials, deadline) for each call the check makes.
using ContextFactory = std::function<std::unique_ptr<grpc::ClientContext>()>;

// On success, a readable summary: the run, the key's thumbprint and each artifact checked.
absl::StatusOr<std::string> VerifyChainOfTrust(queue::v1::Queue::StubInterface& stub,
                                               const ContextFactory& new_context,
                                               const std::string& task_id,
                                               std::optional<int> run_id,
                                               const crypto::Ed25519PublicKey& key);

}  // namespace bulwark::cli

#endif  // BULWARK_TOOLS_CLI_COT_COMMANDS_H_
