// File: services/verifier/service/checks.h
//
// The stable names of the checks the verification engine runs, and what each proves when it
// passes. Tests, the CLI and stored reports refer to checks by these names; never rename one.
//
// Every link of a chain gets the link checks below (decision links also the decision checks);
// the chain as a whole gets the chain checks. All of them run and are reported on every
// verification, whatever fails first; a check whose inputs could not be obtained fails with a
// reason starting "not checked:". The verdict is PASS only if every reported check passed.
//
// The verified task (the root) in before-run mode (it has not completed yet: a worker verifying
// the task it is about to run) gets no cot.* checks, since it has signed nothing yet; link.run
// says so.
//
// Thread-safety: constants only. Errors: none.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_CHECKS_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_CHECKS_H_

namespace bulwark::verifier::checks {

// ---- Link checks (every link) ----
// The queue returned the task's definition and status.
inline constexpr char kLinkFetch[] = "link.fetch";
// The task has a completed run; names the run every other check of the link uses (the latest
// completed one, which may be older than the latest run).
inline constexpr char kLinkRun[] = "link.run";
// public/chain-of-trust.json and its .sig were read from that run (within size limits).
inline constexpr char kCotFetch[] = "cot.fetch";
// The Ed25519 signature over the exact bytes of chain-of-trust.json verifies with a key the
// policy trusts for the pool that ran the task (its taskQueueId), valid when the run resolved.
inline constexpr char kCotSignature[] = "cot.signature";
// The document is a JSON object of the expected shape: chainOfTrustVersion 1, taskId, runId,
// workerGroup, workerId, task, artifacts {name: {sha256: 64 lowercase hex}}, environment.
inline constexpr char kCotFormat[] = "cot.format";
// The signed taskId, runId, workerGroup and workerId equal the queue's record of that run.
inline constexpr char kCotRun[] = "cot.run";
// The signed task definition is structurally equal to the queue's (scriptworker never checks
// this): the worker ran what the queue holds.
inline constexpr char kCotTaskDefinition[] = "cot.task-definition";
// The task type is in the policy and the task's pool is allowed for it (and, for a decision
// link, is a decision pool).
inline constexpr char kPolicyPool[] = "policy.pool";
// The task asks for no interactive access: payload.features.interactive absent or false, no
// payload.env.TASKCLUSTER_INTERACTIVE, no payload.rdpInfo, no scope starting with
// "generic-worker:allow-rdp:" or "docker-worker:feature:interactive"; payload.features and
// payload.env, when present, are objects.
inline constexpr char kPolicyNotInteractive[] = "policy.not-interactive";
// payload.upstreamArtifacts, when present, is well formed: an array of {taskId, taskType,
// paths: [artifact names], optional?}, names without globs ('*') or ".." segments.
inline constexpr char kPayloadUpstreamArtifacts[] = "payload.upstream-artifacts";
// One per artifact the link consumes (payload.upstreamArtifacts): the artifact is listed in the
// upstream link's signed artifacts, and the SHA-256 of its bytes, streamed from the upstream's
// completed run, equals the signed hash. An `optional` artifact the upstream did not produce
// passes.
inline constexpr char kArtifactSha256[] = "artifact.sha256";
// Non-decision links: the task is in its decision task's verified public/task-graph.json, and
// that entry's definition, normalized as the queue normalizes new tasks, equals the queue's.
inline constexpr char kGraphMembership[] = "graph.membership";

// ---- Decision checks (links that are some link's decision task, or typed "decision") ----
// The decision task heads its own group: taskGroupId equals its taskId.
inline constexpr char kDecisionGroup[] = "decision.group";
// The queue's creator record shows the hooks service (static/bulwark/hooks) acting with exactly
// ["assume:hook-id:G/H"], for a hook G/H the policy allows to start a chain.
inline constexpr char kDecisionCreator[] = "decision.creator";
// A fire of that same hook created this taskId (the hooks service's fire record).
inline constexpr char kDecisionFire[] = "decision.fire";
// The hook version the fire recorded exists, its bytes hash to the recorded SHA-256, and it is
// a version of that hook with a `task` template.
inline constexpr char kDecisionHookVersion[] = "decision.hook-version";
// Rendering that hook version's template with the recorded firing context (the hooks service's
// own renderer), then normalizing as the queue does, gives exactly the queue's definition.
inline constexpr char kDecisionRerender[] = "decision.rerender";
// The repository (and revision, when the policy's hook entry names one) come from the fire as the
// policy says, and the decision task's metadata.source lies in that repository (at that
// revision).
inline constexpr char kDecisionSource[] = "decision.source";
// public/task-graph.json of the decision's completed run is in its signed artifacts, its
// streamed SHA-256 matches, and it is a JSON object {taskId: {task: {...}}}.
inline constexpr char kDecisionTaskGraph[] = "decision.task-graph";

// ---- Chain checks ----
// No link is deeper than maxChainLength name segments and the chain has at most maxLinks links;
// names the links that were not followed.
inline constexpr char kChainLength[] = "chain.length";
// payload.upstreamArtifacts among the chain's links form no cycle (reported, never looped on).
inline constexpr char kChainCycle[] = "chain.cycle";
// Every restricted scope the verified task holds is allowed, through its pattern's alias, for the
// trusted repository its decision task was fired for.
inline constexpr char kPolicyRestrictedScopes[] = "policy.restricted-scopes";
// Every link's metadata.source lies in the repository its own decision task was fired for (so
// every link sharing the root's decision task has the root's repository).
inline constexpr char kPolicySameRepository[] = "policy.same-repository";
// When the verified task holds a restricted scope, every link from another task graph comes from
// a trusted repository (its decision task was fired for one).
inline constexpr char kPolicyForeignGraphs[] = "policy.foreign-graphs";

}  // namespace bulwark::verifier::checks

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_CHECKS_H_
