// File: services/verifier/service/verifier_engine.h
//
// VerifierEngine: proves (or refutes) a task's chain of trust back to the hook fire and the
// repository that requested it (ARCHITECTURE §1 invariant 6, §7), reading everything through a
// ChainSource and judging it by a Policy. It reports every check, not only the first failure.
//
//   VerifierEngine engine(policy, source, Clock::Real(), queue_normalizer, {});
//   BULWARK_ASSIGN_OR_RETURN(VerificationReport report,
//                            engine.VerifyTask(task_id, "signing", deadline));
//   if (!report.passed) { /* resolve exception / malformed-payload; attach ReportToText */ }
//
// Pipeline of VerifyTask(task_id, task_type, deadline, root_mode):
//  1. Build the chain breadth-first, one level at a time, fetching each level's links
//     concurrently (at most options.max_concurrency source calls at once). The verified task is
//     the first link, named `task_type`. From each link L named N it follows: L's decision task
//     (the task whose id is L's taskGroupId, named "N:decision", unless that is L itself) and
//     every payload.upstreamArtifacts[].taskId (named "N:<taskType>"). A task already in the chain
//     is not fetched again (the first name that reaches it wins); a link deeper than the policy's
//     maxChainLength segments, or beyond maxLinks links, is not followed (chain.length fails).
//     For each link: the queue's definition and status, its latest completed run, and that run's
//     public/chain-of-trust.json (at most options.max_cot_bytes) and .sig.
//  2. For decision links: the creator record, the hook fire that created the task, the hook
//     version it rendered, and the run's public/task-graph.json (streamed and hashed, at most
//     options.max_task_graph_bytes kept for parsing).
//  3. Every upstream artifact a link consumes is streamed from the upstream's completed run and
//     hashed while streaming (never held whole); each (task, artifact) is hashed once, the
//     artifacts concurrently.
//  4. Every check of checks.h runs on what was gathered; anything that could not be fetched makes
//     the checks that need it fail with the source's status, and the walk goes on.
//  The verdict is PASS only if every check passed.
//
// Root mode: the verified task may not have run yet (a worker verifying the task it is about to
// run). kAuto checks the root's own chain-of-trust only if its latest run completed; kBeforeRun
// never does; kCompleted requires it (link.run fails if the root has no completed run).
//
// Decisions beyond scriptworker (reference §4.10), all reported as checks: the signed task
// definition, runId, workerGroup and workerId are compared with the queue's records; keys are
// bound to pools and validity windows (the pool is the task's taskQueueId, the time the run's
// resolution); the decision task is traced to the hooks service's creator record, the fire, and
// a byte-exact re-render of the recorded hook version; the task graph's own hash is checked;
// graph membership compares whole definitions (after the queue's normalization), not a subset of
// keys; upstreamArtifacts cycles are reported. Globs in upstreamArtifacts paths are refused
// (name each artifact). Interactive means: see checks::kPolicyNotInteractive.
//
// The normalizer is the queue's defaulting of a new task (given the taskId and a task in JSON
// form, it returns the definition the queue would store, in the ChainSource JSON form). It is
// applied to re-rendered hook templates and to task-graph entries before comparing them with the
// queue's definition; the service plugs in the queue's own NormalizeTask.
//
// Thread-safety: VerifyTask is const and may run concurrently; the policy is shared immutable
// state; the source and normalizer must be thread-safe. Errors: VerifyTask returns
// INVALID_ARGUMENT for an empty task_id or a task_type that is not a type name
// ([a-z][a-z0-9-]*); every problem of the chain itself is a failing check in the report, never an
// error status.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_VERIFIER_ENGINE_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_VERIFIER_ENGINE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/clock/clock.h"
#include "nlohmann/json.hpp"
#include "services/verifier/service/chain_source.h"
#include "services/verifier/service/checks.h"
#include "services/verifier/service/policy.h"
#include "services/verifier/service/report.h"

namespace bulwark::verifier {

// The queue's normalization of a task created with id `task_id` (see the header comment).
using TaskNormalizer = std::function<absl::StatusOr<nlohmann::json>(const std::string& task_id,
                                                                    const nlohmann::json& task)>;

inline constexpr char kHooksClientId[] = "static/bulwark/hooks";
inline constexpr char kChainOfTrustArtifact[] = "public/chain-of-trust.json";
inline constexpr char kChainOfTrustSignatureArtifact[] = "public/chain-of-trust.json.sig";
inline constexpr char kTaskGraphArtifact[] = "public/task-graph.json";

struct VerifierOptions {
  // Source calls in flight at once (links fetched and artifacts hashed concurrently).
  int max_concurrency = 4;
  // chain-of-trust.json larger than this fails cot.fetch.
  size_t max_cot_bytes = 1 << 20;
  // A task-graph.json larger than this is still hashed, but not parsed (decision.task-graph
  // fails).
  size_t max_task_graph_bytes = 64 << 20;
  // The client the hooks service creates tasks as.
  std::string hooks_client_id = kHooksClientId;
};

enum class RootMode { kAuto, kBeforeRun, kCompleted };

class VerifierEngine {
 public:
  // `source` and `clock` must outlive the engine.
  VerifierEngine(std::shared_ptr<const Policy> policy, ChainSource& source, Clock& clock,
                 TaskNormalizer normalizer, VerifierOptions options = {});

  absl::StatusOr<VerificationReport> VerifyTask(const std::string& task_id,
                                                const std::string& task_type, absl::Time deadline,
                                                RootMode root_mode = RootMode::kAuto) const;

  const Policy& policy() const { return *policy_; }

 private:
  std::shared_ptr<const Policy> policy_;
  ChainSource& source_;
  Clock& clock_;
  TaskNormalizer normalizer_;
  VerifierOptions options_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_VERIFIER_ENGINE_H_
