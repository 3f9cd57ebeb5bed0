#include "services/worker/server/worker_runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/channel.h"
#include "libraries/logging/log.h"
#include "libraries/process/identity.h"
#include "libraries/status/status_macros.h"
#include "services/worker/server/grpc_chain_verifier.h"
#include "services/worker/server/grpc_worker_queue.h"
#include "services/worker/service/signing_key.h"

namespace bulwark::worker {
namespace {

absl::Status Check(const WorkerRuntime::Options& o) {
  if (o.credentials.client_id.empty()) {
    return absl::InvalidArgumentError("the worker needs its own client credentials");
  }
  if (o.worker_pool.empty() || o.worker_group.empty() || o.worker_id.empty()) {
    return absl::InvalidArgumentError("the worker pool, worker group and worker id are required");
  }
  if (o.capacity < 1 || o.capacity > 32) {
    return absl::InvalidArgumentError("capacity must be between 1 and 32");
  }
  if (o.work_directory.empty() || o.work_directory[0] != '/') {
    return absl::InvalidArgumentError("the work directory must be an absolute path");
  }
  if (o.signing_key_file.empty()) {
    return absl::InvalidArgumentError("the chain-of-trust signing key file is required");
  }
  return absl::OkStatus();
}

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WorkerRuntime>> WorkerRuntime::Create(
    Options options, const Clock& clock, std::unique_ptr<WorkerQueue> queue,
    std::unique_ptr<ChainVerifier> verifier) {
  BULWARK_RETURN_IF_ERROR(Check(options));
  if (options.queue_address_for_tasks.empty()) {
    options.queue_address_for_tasks = options.queue_address;
  }
  std::optional<process::Identity> task_user;
  if (process::IsRoot()) {
    if (options.task_user.empty()) {
      return absl::FailedPreconditionError(
          "the worker runs as root but has no task user: tasks would run as root; name an "
          "unprivileged user with --task-user");
    }
    BULWARK_ASSIGN_OR_RETURN(task_user, process::LookupUser(options.task_user));
    if (task_user->uid == 0) {
      return absl::FailedPreconditionError("the task user must not be root");
    }
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "the worker does not run as root, so its tasks would run as its own user (uid ", geteuid(),
        ") and could read the signing key; run it as root with --task-user"));
  }
  BULWARK_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key,
                           LoadSigningKey(options.signing_key_file, geteuid()));
  BULWARK_RETURN_IF_ERROR(CheckKeyUnreadableByTaskUser(options.signing_key_file, *task_user));
  if (mkdir(options.work_directory.c_str(), 0711) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", options.work_directory, ": ", std::strerror(errno)));
  }
  std::unique_ptr<WorkerRuntime> rt(new WorkerRuntime(options, clock));
  rt->key_ = std::make_unique<crypto::Ed25519PrivateKey>(std::move(key));
  rt->queue_ =
      queue != nullptr
          ? std::move(queue)
          : std::make_unique<GrpcWorkerQueue>(
                CreateServiceChannel(options.queue_address, options.tls), options.credentials,
                GrpcWorkerQueue::Identity{options.worker_pool, options.worker_group,
                                          options.worker_id});
  if (!options.verify_task_type.empty()) {
    rt->verifier_ =
        verifier != nullptr
            ? std::move(verifier)
            : std::make_unique<GrpcChainVerifier>(
                  CreateServiceChannel(options.verifier_address, options.tls), options.credentials);
  }
  TaskRunner::Options runner;
  runner.work_directory = options.work_directory;
  runner.task_user = task_user;
  runner.worker_group = options.worker_group;
  runner.worker_id = options.worker_id;
  runner.queue_address_for_tasks = options.queue_address_for_tasks;
  runner.tools_directory = options.task_tools;
  runner.plaintext_for_tasks = options.tls.plaintext;
  if (!options.tls.ca_pem.empty()) {
    // The CA certificate is public; tasks read it by path (the work directory is 0711).
    runner.ca_file_for_tasks = options.work_directory + "/ca.pem";
    std::ofstream ca(runner.ca_file_for_tasks, std::ios::trunc);
    ca << options.tls.ca_pem;
    ca.close();
    if (!ca || chmod(runner.ca_file_for_tasks.c_str(), 0644) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write the CA for tasks to ", runner.ca_file_for_tasks));
    }
  }
  runner.environment = {options.worker_pool, options.worker_version, Hostname()};
  runner.verify_task_type = options.verify_task_type;
  runner.verifier = rt->verifier_.get();
  runner.verify_timeout = options.verify_timeout;
  rt->runner_ = std::make_unique<TaskRunner>(runner, *rt->queue_, *rt->key_, clock);
  return rt;
}

void WorkerRuntime::Start() {
  LogInfo("worker started", {{"pool", options_.worker_pool},
                             {"worker", options_.worker_group + "/" + options_.worker_id},
                             {"capacity", options_.capacity}});
  for (int i = 0; i < options_.capacity; ++i) loops_.emplace_back([this] { ClaimLoop(); });
}

void WorkerRuntime::ClaimLoop() {
  absl::Duration backoff = absl::Seconds(1);
  // The first claim does not wait, so that health reflects at once whether the queue takes
  // this worker's claims, rather than after a whole long poll.
  absl::Duration wait = absl::ZeroDuration();
  while (!stopping_.HasBeenNotified()) {
    absl::StatusOr<std::vector<Claim>> claims =
        queue_->ClaimWork(1, wait, absl::Now() + wait + absl::Seconds(10));
    wait = options_.claim_wait;
    {
      absl::MutexLock lock(&mu_);
      last_claim_ = claims.status();
    }
    if (!claims.ok()) {
      LogWarning("claiming work failed",
                 {{"error", std::string(claims.status().message())},
                  {"code", absl::StatusCodeToString(claims.status().code())}});
      stopping_.WaitForNotificationWithTimeout(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(30));
      continue;
    }
    backoff = absl::Seconds(1);
    for (const Claim& claim : *claims) RunOne(claim);
  }
}

void WorkerRuntime::RunOne(const Claim& claim) {
  absl::StatusOr<std::unique_ptr<RunControl>> control = RunControl::Create();
  if (!control.ok()) {
    LogError("cannot run a task",
             {{"task", claim.task_id}, {"error", std::string(control.status().message())}});
    return;  // the claim expires and the queue hands the run out again
  }
  if (stopping_.HasBeenNotified()) (*control)->Cancel(RunControl::Reason::kShutdown);
  {
    absl::MutexLock lock(&mu_);
    running_.insert(control->get());
  }
  LogInfo("running a task", {{"task", claim.task_id}, {"run", claim.run_id}});
  RunOutcome outcome = runner_->Run(claim, **control);
  {
    absl::MutexLock lock(&mu_);
    running_.erase(control->get());
  }
  LogInfo("task done", {{"task", claim.task_id},
                        {"run", claim.run_id},
                        {"reported", outcome.reported},
                        {"summary", outcome.summary}});
}

void WorkerRuntime::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    stopping_.Notify();
    LogInfo("shutting down: no new claims; running tasks get the grace period",
            {{"grace_s", absl::ToDoubleSeconds(options_.shutdown_grace)}});
    // Running tasks finish within the grace period or are cancelled (worker-shutdown).
    absl::Time give_up = absl::Now() + options_.shutdown_grace;
    while (absl::Now() < give_up) {
      absl::MutexLock lock(&mu_);
      auto idle = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return running_.empty(); };
      if (mu_.AwaitWithDeadline(absl::Condition(&idle), give_up)) break;
    }
    {
      absl::MutexLock lock(&mu_);
      for (RunControl* control : running_) control->Cancel(RunControl::Reason::kShutdown);
    }
    for (std::thread& t : loops_) t.join();
    loops_.clear();
  });
}

absl::Status WorkerRuntime::Health() const {
  if (stopping_.HasBeenNotified()) return absl::UnavailableError("shutting down");
  absl::MutexLock lock(&mu_);
  return last_claim_;
}

}  // namespace bulwark::worker
