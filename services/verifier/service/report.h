// File: services/verifier/service/report.h
//
// VerificationReport: the result of verifying one task's chain of trust (VerifierEngine), as a
// plain struct independent of the wire format, with three renderings:
//   ReportToJson  a JSON document (stored with the verification, printed by `bulwark verify
//                 --json`): {taskId, taskType, verdict, policyVersion, policySha256, repository,
//                 started, finished, links: [{name, taskId, taskType, pool, runId,
//                 decisionTaskId, upstreamTaskIds, passed, checks: [{name, passed, reason}]}],
//                 chainChecks: [...]}
//   ReportToText  a readable tree with ✓/✗ per check, links indented by depth
//   ReportToDot   a Graphviz digraph: one node per link (green when all its checks pass, red
//                 otherwise, failing check names in the label), edges to each link's decision task
//                 ("taskGroupId") and upstream tasks ("upstreamArtifacts")
// report_proto.h converts it to bulwark.verifier.v1.Verification. A passed report also carries
// the provenance an attestation states (libraries/attest/provenance.h), not rendered here.
//
// Thread-safety: plain values and pure functions. Errors: none.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_REPORT_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/attest/provenance.h"
#include "nlohmann/json.hpp"

namespace bulwark::verifier {

struct CheckResult {
  std::string name;  // one of checks.h
  bool passed = false;
  std::string reason;  // what was found, actionable when the check failed
};

struct LinkReport {
  // The path from the verified task, joined with ':': "signing", "signing:build",
  // "signing:decision", "signing:build:decision". The last segment is the task type.
  std::string name;
  std::string task_id;
  std::string task_type;
  std::string pool;                            // taskQueueId; empty if the task could not be read
  std::optional<int> run_id;                   // the completed run the checks used
  std::string decision_task_id;                // its taskGroupId; empty if unknown
  bool is_decision = false;                    // got the decision checks
  std::vector<std::string> upstream_task_ids;  // from payload.upstreamArtifacts
  std::vector<CheckResult> checks;

  bool passed() const;
};

struct VerificationReport {
  std::string task_id;
  std::string task_type;
  bool passed = false;  // every check of every link and of the chain passed
  std::string policy_version;
  std::string policy_sha256;
  // The repository the verified task's decision task was fired for; empty if unknown.
  std::string repository;
  absl::Time started;
  absl::Time finished;
  std::vector<LinkReport> links;  // breadth-first from the verified task
  std::vector<CheckResult> chain_checks;
  // Set by the engine when the report passed and the verified task has a completed run whose
  // signed chain-of-trust lists artifacts: what an attestation of it states (everything but
  // verification_id, which the service assigns). Unset otherwise (nothing to attest).
  std::optional<attest::Provenance> provenance;

  // Every failing check, as "<link name>: <check name>" or "chain: <check name>".
  std::vector<std::string> Failures() const;
  // The checks named `check` of link `link_name` (empty if none).
  std::vector<const CheckResult*> Find(absl::string_view link_name, absl::string_view check) const;
  const LinkReport* FindLink(absl::string_view link_name) const;
};

nlohmann::json ReportToJson(const VerificationReport& report);
std::string ReportToText(const VerificationReport& report);
std::string ReportToDot(const VerificationReport& report);

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_REPORT_H_
