// File: services/worker/service/task_runner.h
//
// TaskRunner: one claimed run, from start to resolution.
//   1. A fresh run directory <work>/<taskId>-<runId>/: the task directory task/ (the task user's,
//      mode 0700) and the log live_backing.log beside it (the worker's, out of the task's reach).
//   2. The payload is checked against the published schema; a payload that does not match is
//      logged ("payload invalid: <where>: <what>") and the run resolved exception /
//      malformed-payload.
//   2a. A privileged worker (options.verify_task_type set) asks the verifier to verify the task
//      as that type before anything of it runs (chain_verifier.h). The readable report is
//      uploaded as public/logs/chain_of_trust.log either way; on FAIL the commands never run and
//      the run is resolved exception / malformed-payload; when the verifier cannot answer,
//      exception / resource-unavailable (never run unverified).
//   2b. payload.upstreamArtifacts are downloaded into <task dir>/cot/<taskId>/<path>
//      (upstream_artifacts.h); one that cannot be fetched resolves the run exception /
//      malformed-payload (resource-unavailable when the queue cannot be reached).
//   3. The commands run in order, as the task user, in their own session, with the scrubbed
//      environment (task_environment.h) and one time budget, maxRunTime, for all of them; output
//      lines go to the log with timestamps (task_log.h). Exit code 0 for every command ->
//      completed; otherwise (time limit included) -> failed.
//   4. While it runs, a reclaimer renews the claim half-way to each takenUntil, on the injected
//      clock, and keeps the newest task credentials. If the queue says the run is no longer
//      ours, the command is killed and nothing more is reported.
//   5. Declared artifacts are resolved inside the task directory (artifact_paths.h: absolute,
//      `..` and escaping links refused, files opened as the task user) and streamed to the
//      queue; a refused or missing artifact fails the run with a log line that names it.
//   6. The log is closed and uploaded as public/logs/live_backing.log; then the chain of trust
//      (public/chain-of-trust.json and .sig) over every uploaded artifact and the log, with the
//      hashes the queue computed, checked against the worker's own.
//   7. The run is resolved with its task credentials. A run cancelled for shutdown resolves
//      exception / worker-shutdown, which the queue retries.
//   8. A privileged worker verifies a task that completed once more, in the "completed" root
//      mode (its own chain-of-trust and artifacts included): when that passes, the verifier
//      issues the attestation of the task's artifacts. The run is already resolved, so the
//      outcome (or the verifier's error) is only added to RunOutcome's summary.
//
// Thread-safety: Run may be called from several threads at once (one run each); RunControl is
// thread-safe. Errors: Run never fails as a whole; RunOutcome says what was reported.

#ifndef BULWARK_SERVICES_WORKER_SERVICE_TASK_RUNNER_H_
#define BULWARK_SERVICES_WORKER_SERVICE_TASK_RUNNER_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/process/cancellation.h"
#include "libraries/process/identity.h"
#include "services/worker/service/chain_of_trust.h"
#include "services/worker/service/chain_verifier.h"
#include "services/worker/service/worker_queue.h"

namespace bulwark::worker {

// Stops one run from outside: for worker shutdown, or because its claim was lost.
class RunControl {
 public:
  enum class Reason { kNone, kShutdown, kClaimLost };
  static absl::StatusOr<std::unique_ptr<RunControl>> Create();
  void Cancel(Reason reason);
  Reason reason() const { return reason_.load(); }
  const process::Cancellation& cancellation() const { return *cancellation_; }

 private:
  explicit RunControl(std::unique_ptr<process::Cancellation> c) : cancellation_(std::move(c)) {}
  std::unique_ptr<process::Cancellation> cancellation_;
  std::atomic<Reason> reason_{Reason::kNone};
};

struct RunOutcome {
  queue::v1::TaskState state = queue::v1::TASK_STATE_UNSPECIFIED;
  queue::v1::ExceptionReason reason = queue::v1::EXCEPTION_REASON_UNSPECIFIED;
  // Whether the resolution reached the queue.
  bool reported = false;
  // One line for the worker's own log.
  std::string summary;
};

class TaskRunner {
 public:
  struct Options {
    // Runs live in <work_directory>/<taskId>-<runId>/ and are removed afterwards.
    std::string work_directory;
    // Whom commands run as; nullopt: the worker's own identity (only when not root).
    std::optional<process::Identity> task_user;
    std::string worker_group;
    std::string worker_id;
    // The queue's address as tasks should dial it (TASKCLUSTER_QUEUE_ADDRESS).
    std::string queue_address_for_tasks;
    // Tools the worker offers its tasks, first in their PATH (empty: none).
    std::string tools_directory;
    // The transport tasks' CLI uses (TaskEnvironmentInputs::ca_file, plaintext).
    std::string ca_file_for_tasks;
    bool plaintext_for_tasks = false;
    // What the chain of trust says about this worker (its pool above all).
    WorkerEnvironment environment;
    // Each queue call but uploads; uploads get `upload_timeout`.
    absl::Duration call_timeout = absl::Seconds(30);
    absl::Duration upload_timeout = absl::Minutes(10);
    // How long a cancelled command gets between SIGTERM and SIGKILL.
    absl::Duration cancel_grace = absl::Seconds(5);
    // Privileged pools: the task type to verify every task as before it runs (empty: no
    // verification), the verifier to ask (must outlive the runner), and its deadline.
    std::string verify_task_type;
    ChainVerifier* verifier = nullptr;
    absl::Duration verify_timeout = absl::Minutes(5);
  };

  // `queue`, `key` and `clock` must outlive the runner.
  TaskRunner(Options options, WorkerQueue& queue, const crypto::Ed25519PrivateKey& key,
             const Clock& clock)
      : options_(std::move(options)), queue_(queue), key_(key), clock_(clock) {}

  RunOutcome Run(const Claim& claim, RunControl& control);

 private:
  const Options options_;
  WorkerQueue& queue_;
  const crypto::Ed25519PrivateKey& key_;
  const Clock& clock_;
};

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_TASK_RUNNER_H_
