// File: libraries/attest/provenance.h
//
// The in-toto Statement v1 with a SLSA Provenance v1 predicate that Bulwark's verifier issues for
// a task whose chain of trust verified (docs/attestations.md describes every field), built from a
// transport-free Provenance value, and read back for display.
//
//   {"_type": "https://in-toto.io/Statement/v1",
//    "subject": [{"name": "public/build/app.tar.gz", "digest": {"sha256": "<hex>"}}, ...],
//    "predicateType": "https://slsa.dev/provenance/v1",
//    "predicate": {
//      "buildDefinition": {
//        "buildType": kBuildType,
//        "externalParameters": {"hook": {"hookGroupId", "hookId"}, "firedBy", "payload",
//                               "repository", "revision"?},
//        "internalParameters": {"taskId", "taskType", "decisionTaskId", "task": <definition>},
//        "resolvedDependencies": [
//          {"name": <artifact>, "uri": "bulwark:task/<taskId>/runs/<runId>/artifacts/<name>",
//           "digest": {"sha256"}, "annotations": {"taskId", "runId", "taskType", "link",
//           "consumedBy"}}, ...,
//          {"name": "hook-version", "uri": "bulwark:hook/<G>/<H>", "digest": {"sha256"}}]},
//      "runDetails": {
//        "builder": {"id": "bulwark:worker-pool/<taskQueueId>"},
//        "metadata": {"invocationId": "<taskId>/<runId>", "finishedOn"?},
//        "byproducts": [{"name": "verification", "uri": "bulwark:verification/<id>",
//                        "annotations": {"verificationId", "policyVersion", "policySha256",
//                                        "verifiedOn", "chain": [{"name", "taskId", "taskType",
//                                        "workerPool", "runId"?}, ...]}}]}}}
//
// Thread-safety: pure functions over values. Errors: BuildStatement returns INVALID_ARGUMENT when
// the provenance has no subject, a digest that is not 64 lowercase hex digits, or no task id;
// ReadProvenance returns INVALID_ARGUMENT naming the first member that is not as above.

#ifndef BULWARK_LIBRARIES_ATTEST_PROVENANCE_H_
#define BULWARK_LIBRARIES_ATTEST_PROVENANCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {

inline constexpr char kStatementType[] = "https://in-toto.io/Statement/v1";
inline constexpr char kSlsaProvenanceType[] = "https://slsa.dev/provenance/v1";
// Ours; documented in docs/attestations.md.
inline constexpr char kBuildType[] = "https://bulwark.invalid/attestations/chain-of-trust/v1";
inline constexpr char kBuilderIdPrefix[] = "bulwark:worker-pool/";

struct ArtifactDigest {
  std::string name;
  std::string sha256;  // 64 lowercase hex digits
};

// An artifact a task of the chain consumed (payload.upstreamArtifacts), with the task that made it.
struct UpstreamArtifact {
  std::string task_id;      // the producing task
  int run_id = 0;           // its run the artifact came from
  std::string task_type;    // the producing task's type
  std::string link;         // the producing link's name in the chain ("signing:build")
  std::string consumed_by;  // the consuming task's id
  std::string name;
  std::string sha256;
};

struct ChainLinkSummary {
  std::string name;  // "signing", "signing:build", ...
  std::string task_id;
  std::string task_type;
  std::string worker_pool;
  std::optional<int> run_id;
};

struct Provenance {
  // The verified task.
  std::string task_id;
  int run_id = 0;
  std::string task_type;
  std::string worker_pool;  // its taskQueueId: the builder
  nlohmann::json task_definition = nlohmann::json::object();
  std::optional<absl::Time> finished;  // its run's resolution
  std::vector<ArtifactDigest> subjects;

  // The hook fire that created its decision task.
  std::string decision_task_id;
  std::string hook_group_id;
  std::string hook_id;
  std::string fired_by;  // "schedule", "triggerHook", "triggerHookWithToken"
  nlohmann::json payload;
  std::string hook_version_sha256;
  std::string repository;
  std::string revision;  // empty: the policy pins none for this hook

  std::vector<UpstreamArtifact> upstream;
  std::vector<ChainLinkSummary> chain;

  // The verification.
  std::string verification_id;
  std::string policy_version;
  std::string policy_sha256;
  absl::Time verified_on;
};

absl::StatusOr<nlohmann::json> BuildStatement(const Provenance& provenance);

// The statement's members a reader needs, checked for shape (the fields of Provenance it carries).
struct StatementView {
  std::vector<ArtifactDigest> subjects;
  std::string build_type;
  std::string builder_id;
  std::string invocation_id;
  std::string hook;  // "G/H"
  std::string fired_by;
  std::string repository;
  std::string revision;
  std::string task_id;
  std::string task_type;
  std::string verification_id;
  std::string policy_version;
  std::vector<ChainLinkSummary> chain;
  std::vector<UpstreamArtifact> upstream;
};

absl::StatusOr<StatementView> ReadProvenance(const nlohmann::json& statement);

// A readable multi-line summary (hook, repository, revision, builder, subjects, chain).
std::string SummaryText(const StatementView& view);

}  // namespace bulwark::attest

#endif  // BULWARK_LIBRARIES_ATTEST_PROVENANCE_H_
