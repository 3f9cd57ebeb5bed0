#include "services/worker/service/task_runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/process/subprocess.h"
#include "libraries/process/unique_fd.h"
#include "libraries/proto/message_json.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "services/worker/service/artifact_paths.h"
#include "services/worker/service/payload.h"
#include "services/worker/service/task_log.h"
#include "services/worker/service/upstream_artifacts.h"

namespace bulwark::worker {
namespace {

using queue::v1::ExceptionReason;
using queue::v1::TaskState;

constexpr size_t kChunkBytes = 1 << 20;
constexpr char kLogName[] = "public/logs/live_backing.log";
constexpr char kChainOfTrustName[] = "public/chain-of-trust.json";
constexpr char kSignatureName[] = "public/chain-of-trust.json.sig";
constexpr char kVerificationLogName[] = "public/logs/chain_of_trust.log";

// "completed", "failed" or "exception <reason>", as logs and summaries say it.
std::string Describe(TaskState state, ExceptionReason reason) {
  switch (state) {
    case queue::v1::TASK_STATE_COMPLETED:
      return "completed";
    case queue::v1::TASK_STATE_FAILED:
      return "failed";
    default:
      return absl::StrCat("exception (", queue::v1::ExceptionReason_Name(reason), ")");
  }
}

std::string ContentTypeOf(absl::string_view name) {
  if (absl::EndsWith(name, ".json")) return "application/json";
  if (absl::EndsWith(name, ".log") || absl::EndsWith(name, ".txt")) {
    return "text/plain; charset=utf-8";
  }
  if (absl::EndsWith(name, ".html")) return "text/html; charset=utf-8";
  return "application/octet-stream";
}

absl::Status MakeDirectory(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  if (chmod(path.c_str(), mode) != 0) {  // mkdir's mode is filtered by the umask
    return absl::FailedPreconditionError(
        absl::StrCat("cannot set the mode of ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Reads `fd` from its current offset in pieces.
ContentReader FdReader(int fd) {
  return [fd](char* buffer, size_t capacity) -> absl::StatusOr<size_t> {
    while (true) {
      ssize_t n = read(fd, buffer, capacity);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) {
        return absl::FailedPreconditionError(absl::StrCat("read: ", std::strerror(errno)));
      }
    }
  };
}

// One run's state; lives for the duration of TaskRunner::Run.
class RunState {
 public:
  RunState(const TaskRunner::Options& options, WorkerQueue& queue, const Clock& clock,
           const Claim& claim, RunControl& control)
      : options_(options), queue_(queue), clock_(clock), claim_(claim), control_(control) {
    credentials_ = claim.credentials;
    taken_until_ = claim.taken_until;
  }

  TaskCredentials credentials() const {
    absl::MutexLock lock(&mu_);
    return credentials_;
  }

  // Renews the claim half-way to each takenUntil until `done`; on a refusal (the run is no
  // longer ours) cancels the run.
  void Reclaim(const absl::Notification& done) {
    while (true) {
      absl::Time until;
      {
        absl::MutexLock lock(&mu_);
        until = taken_until_;
      }
      absl::Time now = clock_.Now();
      if (!clock_.SleepUntil(now + (until - now) / 2, done)) return;
      absl::StatusOr<Claim> renewed = queue_.Reclaim(claim_.task_id, claim_.run_id, credentials(),
                                                     absl::Now() + options_.call_timeout);
      if (renewed.ok()) {
        absl::MutexLock lock(&mu_);
        credentials_ = renewed->credentials;
        taken_until_ = renewed->taken_until;
        continue;
      }
      if (renewed.status().code() == absl::StatusCode::kFailedPrecondition ||
          renewed.status().code() == absl::StatusCode::kNotFound) {
        if (log_ != nullptr) {
          (void)log_->Worker(absl::StrCat("the claim was lost: ", renewed.status().message(),
                                          "; stopping the task"));
        }
        control_.Cancel(RunControl::Reason::kClaimLost);
        return;
      }
      // The queue is unreachable for now: try again soon, while the claim still holds.
      if (!clock_.SleepUntil(clock_.Now() + absl::Seconds(2), done)) return;
    }
  }

  // Streams one artifact; records the hash the queue computed once it matches ours.
  absl::Status Upload(const std::string& name, uint64_t size, std::optional<absl::Time> expires,
                      const ContentReader& content) {
    UploadHeader header{claim_.task_id, claim_.run_id, name, ContentTypeOf(name), expires, size};
    crypto::Sha256Stream ours;
    ContentReader hashing = [&](char* buffer, size_t capacity) -> absl::StatusOr<size_t> {
      absl::StatusOr<size_t> n = content(buffer, std::min(capacity, kChunkBytes));
      if (n.ok()) ours.Update(absl::string_view(buffer, *n));
      return n;
    };
    absl::StatusOr<queue::v1::Artifact> stored = queue_.UploadArtifact(
        header, hashing, credentials(), absl::Now() + options_.upload_timeout);
    if (!stored.ok()) return stored.status();
    std::string hex = ours.FinishHex();
    if (stored->sha256() != hex) {
      return absl::DataLossError(absl::StrCat("the queue stored ", name, " with SHA-256 ",
                                              stored->sha256(), ", but the worker sent ", hex));
    }
    uploaded_[name] = hex;
    return absl::OkStatus();
  }

  const std::map<std::string, std::string>& uploaded() const { return uploaded_; }
  void set_log(TaskLog* log) { log_ = log; }

 private:
  const TaskRunner::Options& options_;
  WorkerQueue& queue_;
  const Clock& clock_;
  const Claim& claim_;
  RunControl& control_;
  TaskLog* log_ = nullptr;  // written from the reclaimer thread too; TaskLog is thread-safe
  mutable absl::Mutex mu_;
  TaskCredentials credentials_ ABSL_GUARDED_BY(mu_);
  absl::Time taken_until_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> uploaded_;  // name -> sha256, on the run's thread only
};

struct Verdict {
  TaskState state = queue::v1::TASK_STATE_COMPLETED;
  ExceptionReason reason = queue::v1::EXCEPTION_REASON_UNSPECIFIED;
  std::string why;
};

Verdict Failed(std::string why) {
  return {queue::v1::TASK_STATE_FAILED, queue::v1::EXCEPTION_REASON_UNSPECIFIED, std::move(why)};
}
Verdict Exception(ExceptionReason reason, std::string why) {
  return {queue::v1::TASK_STATE_EXCEPTION, reason, std::move(why)};
}

// 2a: nullopt when the chain of trust passed and the task may run.
std::optional<Verdict> VerifyBeforeRun(const TaskRunner::Options& options, const Claim& claim,
                                       TaskLog& log, RunState& run) {
  const std::string& type = options.verify_task_type;
  if (options.verifier == nullptr) {
    (void)log.Worker("this worker verifies tasks but has no verifier configured");
    return Exception(queue::v1::EXCEPTION_REASON_INTERNAL_ERROR, "no verifier configured");
  }
  (void)log.Worker(
      absl::StrCat("verifying the chain of trust as a ", type, " task before it runs"));
  absl::StatusOr<verifier::v1::Verification> verification =
      options.verifier->VerifyTask(claim.task_id, type, verifier::v1::ROOT_MODE_BEFORE_RUN,
                                   absl::Now() + options.verify_timeout);
  if (!verification.ok()) {
    (void)log.Worker(absl::StrCat(
        "the verifier did not answer (", absl::StatusCodeToString(verification.status().code()),
        ": ", verification.status().message(), "); the task does not run unverified"));
    return Exception(queue::v1::EXCEPTION_REASON_RESOURCE_UNAVAILABLE, "verifier unavailable");
  }
  const bool passed = verification->verdict() == verifier::v1::VERDICT_PASS;
  const std::string report = VerificationLog(*verification);
  absl::Status uploaded =
      run.Upload(kVerificationLogName, report.size(), std::nullopt, StringReader(report));
  if (!uploaded.ok()) {
    (void)log.Worker(
        absl::StrCat("uploading ", kVerificationLogName, " failed: ", uploaded.message()));
    return Exception(queue::v1::EXCEPTION_REASON_INTERNAL_ERROR, "report upload failed");
  }
  (void)log.Worker(absl::StrCat("chain of trust: ", passed ? "PASS" : "FAIL", " (verification ",
                                verification->verification_id(), "; every check is in ",
                                kVerificationLogName, ")"));
  if (passed) return std::nullopt;
  (void)log.Worker("the chain of trust failed: the task's commands do not run");
  return Exception(queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD,
                   "chain of trust verification failed");
}

// 8: a privileged task that completed is verified again, now with everything it signed; a pass
// has the verifier attest its artifacts. The run is resolved: the outcome goes to the summary.
std::string VerifyAfterRun(const TaskRunner::Options& options, const Claim& claim) {
  absl::StatusOr<verifier::v1::Verification> verification = options.verifier->VerifyTask(
      claim.task_id, options.verify_task_type, verifier::v1::ROOT_MODE_COMPLETED,
      absl::Now() + options.verify_timeout);
  if (!verification.ok()) {
    return absl::StrCat("; verifying it after the run failed (no attestation): ",
                        verification.status().ToString());
  }
  const bool passed = verification->verdict() == verifier::v1::VERDICT_PASS;
  return absl::StrCat("; verified after the run: ", passed ? "PASS" : "FAIL", " (verification ",
                      verification->verification_id(),
                      passed ? "; the verifier attests its artifacts)" : "; no attestation)");
}

}  // namespace

absl::StatusOr<std::unique_ptr<RunControl>> RunControl::Create() {
  absl::StatusOr<std::unique_ptr<process::Cancellation>> c = process::Cancellation::Create();
  if (!c.ok()) return c.status();
  return std::unique_ptr<RunControl>(new RunControl(std::move(*c)));
}

void RunControl::Cancel(Reason reason) {
  Reason none = Reason::kNone;
  reason_.compare_exchange_strong(none, reason);
  cancellation_->Cancel();
}

RunOutcome TaskRunner::Run(const Claim& claim, RunControl& control) {
  RunOutcome outcome;
  const std::string run_name = absl::StrCat(claim.task_id, "-", claim.run_id);
  const std::string run_dir = absl::StrCat(options_.work_directory, "/", run_name);
  const std::string task_dir = run_dir + "/task";
  RunState run(options_, queue_, clock_, claim, control);

  auto report = [&](const Verdict& v) {
    absl::Status s = queue_.Resolve(claim.task_id, claim.run_id, v.state, v.reason,
                                    run.credentials(), absl::Now() + options_.call_timeout);
    outcome.state = v.state;
    outcome.reason = v.reason;
    outcome.reported = s.ok();
    outcome.summary =
        absl::StrCat(run_name, ": ", Describe(v.state, v.reason), v.why.empty() ? "" : ": " + v.why,
                     s.ok() ? "" : absl::StrCat("; reporting it failed: ", s.message()));
    return outcome;
  };

  // 1. The run directory: task/ for the task user, the log beside it for the worker only.
  std::error_code ignored;
  std::filesystem::remove_all(run_dir, ignored);  // a leftover of a crashed earlier attempt
  absl::Status made = MakeDirectory(run_dir, 0711);
  if (made.ok()) made = MakeDirectory(task_dir, 0700);
  if (made.ok() && options_.task_user &&
      chown(task_dir.c_str(), options_.task_user->uid, options_.task_user->gid) != 0) {
    made = absl::FailedPreconditionError(
        absl::StrCat("cannot give ", task_dir, " to the task user: ", std::strerror(errno)));
  }
  absl::StatusOr<std::unique_ptr<TaskLog>> log_or =
      made.ok() ? TaskLog::Create(run_dir + "/live_backing.log", clock_)
                : absl::StatusOr<std::unique_ptr<TaskLog>>(made);
  if (!log_or.ok()) {
    std::filesystem::remove_all(run_dir, ignored);
    return report(Exception(queue::v1::EXCEPTION_REASON_INTERNAL_ERROR,
                            std::string(log_or.status().message())));
  }
  TaskLog& log = **log_or;
  run.set_log(&log);
  (void)log.Worker(absl::StrCat("task ", claim.task_id, " run ", claim.run_id, " on worker ",
                                options_.worker_group, "/", options_.worker_id, " (pool ",
                                options_.environment.worker_pool, ")"));

  absl::Notification finished;
  std::thread reclaimer([&] { run.Reclaim(finished); });

  // 2.-5. Everything up to the artifacts; the verdict says how the run ends.
  Verdict verdict = [&]() -> Verdict {
    absl::StatusOr<Payload> payload = ParsePayload(JsonFromStruct(claim.task.payload()));
    if (!payload.ok()) {
      (void)log.Worker(std::string(payload.status().message()));
      return Exception(queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD, "payload invalid");
    }
    TaskEnvironmentInputs inputs{claim.task_id,     claim.run_id,
                                 run.credentials(), options_.queue_address_for_tasks,
                                 task_dir,          options_.tools_directory};
    inputs.ca_file = options_.ca_file_for_tasks;
    inputs.plaintext = options_.plaintext_for_tasks;
    absl::StatusOr<std::map<std::string, std::string>> env =
        BuildTaskEnvironment(inputs, payload->env);
    if (!env.ok()) {
      (void)log.Worker(absl::StrCat("payload invalid: ", env.status().message()));
      return Exception(queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD, "payload env invalid");
    }
#if defined(BULWARK_TSAN)
    // ./dev test --tsan only (--config=tsan in .bazelrc; never a release build): the tools a
    // task runs (the bulwark CLI) are TSan builds as well and need the options and the Abseil
    // shim that the test run gives this worker, which a task's environment otherwise never
    // inherits.
    for (const char* name : {"TSAN_OPTIONS", "LD_PRELOAD"}) {
      if (const char* value = std::getenv(name); value != nullptr) (*env)[name] = value;
    }
#endif
    if (!options_.verify_task_type.empty()) {
      std::optional<Verdict> refused = VerifyBeforeRun(options_, claim, log, run);
      if (refused) return *refused;
    }
    if (!payload->upstream_artifacts.empty()) {
      UpstreamFetch fetch{task_dir, options_.task_user, run.credentials(), options_.upload_timeout,
                          [&](const std::string& line) { (void)log.Worker(line); }};
      absl::Status fetched = FetchUpstreamArtifacts(queue_, payload->upstream_artifacts, fetch);
      if (!fetched.ok()) {
        (void)log.Worker(std::string(fetched.message()));
        bool unreachable = fetched.code() == absl::StatusCode::kUnavailable ||
                           fetched.code() == absl::StatusCode::kDeadlineExceeded;
        return Exception(unreachable ? queue::v1::EXCEPTION_REASON_RESOURCE_UNAVAILABLE
                                     : queue::v1::EXCEPTION_REASON_MALFORMED_PAYLOAD,
                         "an upstream artifact could not be fetched");
      }
    }
    absl::Duration budget = payload->max_run_time;
    for (const std::vector<std::string>& argv : payload->commands) {
      process::RunOptions run_options;
      run_options.argv = argv;
      run_options.env = *env;
      run_options.working_directory = task_dir;
      run_options.user = options_.task_user;
      run_options.time_limit = budget;
      run_options.cancel_grace = options_.cancel_grace;
      run_options.combine_output = true;  // one pipe: the log is in the order things were written
      run_options.no_new_privileges = true;
      (void)log.Worker(absl::StrCat("running: ", absl::StrJoin(argv, " ")));
      absl::StatusOr<process::RunResult> result = process::Run(
          run_options, [&](const process::OutputLine& line) { (void)log.Output(line); },
          &control.cancellation());
      if (!result.ok()) {
        (void)log.Worker(absl::StrCat("the command could not start: ", result.status().message()));
        return Failed("the command could not start");
      }
      (void)log.Worker(result->Describe(budget));
      if (result->cancelled) {
        return control.reason() == RunControl::Reason::kClaimLost
                   ? Exception(queue::v1::EXCEPTION_REASON_UNSPECIFIED, "claim lost")
                   : Exception(queue::v1::EXCEPTION_REASON_WORKER_SHUTDOWN,
                               "the worker is shutting down");
      }
      if (result->timed_out) {
        (void)log.Worker(absl::StrCat("maxRunTime (", absl::FormatDuration(payload->max_run_time),
                                      ") exceeded: the task's processes were killed"));
        return Failed("maxRunTime exceeded");
      }
      if (!result->Succeeded()) return Failed(result->Describe(budget));
      budget -= result->duration;
    }
    ResolveOptions resolve;
    if (options_.task_user) resolve.open_as = options_.task_user;
    absl::StatusOr<std::vector<ResolvedArtifact>> artifacts =
        ResolveArtifacts(task_dir, payload->artifacts, resolve);
    if (!artifacts.ok()) {
      (void)log.Worker(absl::StrCat("artifact refused: ", artifacts.status().message()));
      return Failed("artifact refused");
    }
    for (ResolvedArtifact& a : *artifacts) {
      absl::Status s = run.Upload(a.name, a.size, a.expires, FdReader(a.fd.get()));
      if (!s.ok()) {
        (void)log.Worker(absl::StrCat("uploading ", a.name, " failed: ", s.message()));
        return Exception(queue::v1::EXCEPTION_REASON_INTERNAL_ERROR, "artifact upload failed");
      }
      (void)log.Worker(absl::StrCat("uploaded ", a.name, " (", a.size, " bytes, sha256 ",
                                    run.uploaded().at(a.name), ")"));
    }
    return Verdict{};
  }();
  finished.Notify();
  reclaimer.join();

  if (control.reason() == RunControl::Reason::kClaimLost) {
    std::filesystem::remove_all(run_dir, ignored);
    outcome.summary = run_name + ": the claim was lost; nothing reported";
    return outcome;
  }

  // 6. The log, then the chain of trust over everything uploaded.
  (void)log.Worker(absl::StrCat("resolving the run as ", Describe(verdict.state, verdict.reason),
                                verdict.why.empty() ? "" : ": " + verdict.why));
  absl::StatusOr<TaskLog::Summary> summary = log.Close();
  absl::Status uploads = summary.status();
  if (uploads.ok()) {
    process::UniqueFd fd(open((run_dir + "/live_backing.log").c_str(), O_RDONLY | O_CLOEXEC));
    uploads = fd.get() < 0 ? absl::FailedPreconditionError("cannot reopen the log")
                           : run.Upload(kLogName, summary->bytes, std::nullopt, FdReader(fd.get()));
  }
  if (uploads.ok()) {
    absl::StatusOr<nlohmann::json> task_json = MessageToJson(claim.task);
    ChainOfTrustInput input;
    input.task_id = claim.task_id;
    input.run_id = claim.run_id;
    input.worker_group = options_.worker_group;
    input.worker_id = options_.worker_id;
    input.artifact_sha256 = run.uploaded();
    input.environment = options_.environment;
    absl::StatusOr<SignedChainOfTrust> signed_cot = absl::UnknownError("not signed");
    if (task_json.ok()) {
      input.task = *std::move(task_json);
      signed_cot = SignChainOfTrust(input, key_);
    } else {
      signed_cot = task_json.status();
    }
    uploads = signed_cot.status();
    if (uploads.ok()) {
      uploads = run.Upload(kChainOfTrustName, signed_cot->body.size(), std::nullopt,
                           StringReader(signed_cot->body));
    }
    if (uploads.ok()) {
      uploads = run.Upload(kSignatureName, signed_cot->signature.size(), std::nullopt,
                           StringReader(signed_cot->signature));
    }
  }
  std::filesystem::remove_all(run_dir, ignored);
  if (!uploads.ok() && verdict.state != queue::v1::TASK_STATE_EXCEPTION) {
    verdict = Exception(
        queue::v1::EXCEPTION_REASON_INTERNAL_ERROR,
        absl::StrCat("the log or chain of trust could not be uploaded: ", uploads.message()));
  }
  // 7. The resolution; 8. a privileged task that completed is verified again.
  report(verdict);
  if (outcome.reported && verdict.state == queue::v1::TASK_STATE_COMPLETED &&
      !options_.verify_task_type.empty() && options_.verifier != nullptr) {
    outcome.summary += VerifyAfterRun(options_, claim);
  }
  return outcome;
}

}  // namespace bulwark::worker
