// File: services/worker/service/chain_of_trust.h
//
// The chain-of-trust certificate a worker uploads after each run (ARCHITECTURE §7; the
// format of scriptworker and generic-worker, chainOfTrustVersion 1):
//   public/chain-of-trust.json      the body below, UTF-8 JSON
//   public/chain-of-trust.json.sig  the raw 64-byte Ed25519 signature (RFC 8032, no prehash,
//                                   no context) of exactly those bytes
// The reserved artifact names, including these two, are in artifact_spec.h
// (kReservedArtifactNames), which payload validation and artifact resolution use.
//
// Body:
//   {
//     "artifacts": {"<name>": {"sha256": "<64 lowercase hex>"}, ...},  every artifact of the
//                                  run, the task log (public/logs/live_backing.log) included,
//                                  never the two chain-of-trust artifacts themselves
//     "chainOfTrustVersion": 1,
//     "environment": {"hostname": ..., "workerImplementation": "bulwark-worker",
//                     "workerPool": ..., "workerVersion": ...},  what the worker knows of
//                                  itself; never anything the task wrote
//     "runId": <number>,
//     "task": {...},               the task definition as the claim returned it
//     "taskId": "...",
//     "workerGroup": "...",
//     "workerId": "..."
//   }
// Serialization is deterministic: object keys sorted (by UTF-8 bytes, which is code-point
// order) at every depth, two-space indentation, non-ASCII characters written as UTF-8 (not
// \u escapes), numbers as nlohmann::json writes them (shortest round-trip form), and one
// trailing newline. Verifiers must check the signature over the bytes as downloaded and
// parse only afterwards; the format is fixed here only so that the same input always gives
// the same bytes.
//
//   BULWARK_ASSIGN_OR_RETURN(SignedChainOfTrust cot, SignChainOfTrust(input, signing_key));
//   Upload(kChainOfTrustArtifact, cot.body);
//   Upload(kChainOfTrustSignatureArtifact, cot.signature);
//
// Thread-safety: pure functions (keys are thread-safe values). Errors: INVALID_ARGUMENT naming
// the bad input (a task id that is not a slugid, a negative run id, an empty worker group, id
// or pool, a task that is not a JSON object, an invalid or reserved artifact name, a hash that
// is not 64 lowercase hex digits, invalid UTF-8 in any string); VerifyChainOfTrust returns
// INVALID_ARGUMENT for a signature that is not 64 bytes and FAILED_PRECONDITION when it does
// not verify; INTERNAL when OpenSSL fails to sign.

#ifndef BULWARK_SERVICES_WORKER_SERVICE_CHAIN_OF_TRUST_H_
#define BULWARK_SERVICES_WORKER_SERVICE_CHAIN_OF_TRUST_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/crypto/ed25519.h"
#include "nlohmann/json.hpp"
#include "services/worker/service/artifact_spec.h"

namespace bulwark::worker {

inline constexpr int kChainOfTrustVersion = 1;
inline constexpr absl::string_view kWorkerImplementation = "bulwark-worker";

// What the worker knows of itself, from its own configuration.
struct WorkerEnvironment {
  // The worker pool (taskQueueId), e.g. "proj-releng/signing". Required.
  std::string worker_pool;
  // The worker's release, e.g. "1.4.0". May be empty.
  std::string worker_version;
  // The machine's host name. May be empty.
  std::string hostname;
};

struct ChainOfTrustInput {
  std::string task_id;
  int run_id = 0;
  std::string worker_group;
  std::string worker_id;
  // The task definition as claimed (a JSON object).
  nlohmann::json task;
  // Artifact name -> SHA-256 as 64 lowercase hex digits.
  std::map<std::string, std::string> artifact_sha256;
  WorkerEnvironment environment;
};

struct SignedChainOfTrust {
  // The bytes of public/chain-of-trust.json.
  std::string body;
  // The bytes of public/chain-of-trust.json.sig (64).
  std::string signature;
};

// The body's bytes (see the file comment).
absl::StatusOr<std::string> ChainOfTrustBody(const ChainOfTrustInput& input);

// The body and its signature by `key`.
absl::StatusOr<SignedChainOfTrust> SignChainOfTrust(const ChainOfTrustInput& input,
                                                    const crypto::Ed25519PrivateKey& key);

// OK when `signature` is `key`'s Ed25519 signature of exactly `body`.
absl::Status VerifyChainOfTrust(const crypto::Ed25519PublicKey& key, absl::string_view body,
                                absl::string_view signature);

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_CHAIN_OF_TRUST_H_
