// File: services/worker/service/artifact_spec.h
//
// Artifact declarations: ArtifactSpec (one entry of a payload's `artifacts`), the names the
// worker reserves for itself, and the rules every artifact name a task produces must follow.
//
// Reserved (a payload may not declare them, and a directory artifact may not produce them):
//   public/chain-of-trust.json       the signed chain-of-trust body (chain_of_trust.h)
//   public/chain-of-trust.json.sig   its raw 64-byte Ed25519 signature
//   public/logs/live_backing.log     the task log (task_log.h)
//   public/logs/live.log             Taskcluster's name for the live view of that log
//   public/logs/chain_of_trust.log   the verifier's report, in privileged pools (scriptworker's
//                                    name for its chain-of-trust log)
//
// A valid name is 1 to 1024 printable ASCII characters (the queue's rule), made of '/'-separated
// segments none of which is empty, "." or ".." (so no leading or trailing '/', no "//"): one
// artifact has one spelling, and a reserved name cannot be reached by another spelling.
//
// Thread-safety: constants and pure functions. Errors: CheckArtifactName returns
// INVALID_ARGUMENT saying which rule the name breaks.

#ifndef BULWARK_SERVICES_WORKER_SERVICE_ARTIFACT_SPEC_H_
#define BULWARK_SERVICES_WORKER_SERVICE_ARTIFACT_SPEC_H_

#include <array>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulwark::worker {

enum class ArtifactType { kFile, kDirectory };

// One declared artifact.
struct ArtifactSpec {
  // The artifact's name; for a directory, the prefix of its files' names
  // ("<name>/<path inside the directory>").
  std::string name;
  // Relative to the task directory.
  std::string path;
  ArtifactType type = ArtifactType::kFile;
  std::optional<absl::Time> expires;
};

inline constexpr absl::string_view kChainOfTrustArtifact = "public/chain-of-trust.json";
inline constexpr absl::string_view kChainOfTrustSignatureArtifact =
    "public/chain-of-trust.json.sig";
inline constexpr absl::string_view kLiveBackingLogArtifact = "public/logs/live_backing.log";
inline constexpr absl::string_view kLiveLogArtifact = "public/logs/live.log";
inline constexpr absl::string_view kChainOfTrustLogArtifact = "public/logs/chain_of_trust.log";

inline constexpr std::array<absl::string_view, 5> kReservedArtifactNames = {
    kChainOfTrustArtifact, kChainOfTrustSignatureArtifact, kLiveBackingLogArtifact,
    kLiveLogArtifact,      kChainOfTrustLogArtifact,
};

inline constexpr size_t kMaxArtifactNameLength = 1024;

inline bool IsReservedArtifactName(absl::string_view name) {
  for (absl::string_view reserved : kReservedArtifactNames) {
    if (name == reserved) return true;
  }
  return false;
}

// OK if `name` follows the rules above (reserved names included: see IsReservedArtifactName).
absl::Status CheckArtifactName(absl::string_view name);

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_ARTIFACT_SPEC_H_
