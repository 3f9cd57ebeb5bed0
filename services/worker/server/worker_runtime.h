// File: services/worker/server/worker_runtime.h
//
// WorkerRuntime: the worker daemon behind its health port, wired from Options: the queue client
// (signed with the worker's own credentials), the signing key, the task user, and `capacity`
// claim loops, each of which long-polls ClaimWork for one run at a time and hands it to a
// TaskRunner (service/task_runner.h).
//
// Create refuses to start (FAILED_PRECONDITION, with what to do) when:
//   - it runs as root without a task user (tasks would run as root);
//   - it does not run as root (tasks would run as the worker's own user and could read the
//     signing key; a task user needs root to switch to);
//   - the signing key file is not a private Ed25519 key, not the worker's own, readable by group
//     or others, or readable by the task user (checked by trying, as the task user).
//
// Shutdown (SIGTERM): the loops stop claiming (a long poll in flight returns within
// `claim_wait`; a run it still hands out is resolved exception/worker-shutdown at once, which
// the queue retries); running tasks get `shutdown_grace` to finish, then are killed and resolved
// exception/worker-shutdown. A worker killed with SIGKILL loses nothing: its claims expire and
// the queue hands the runs out again.
//
// Health: Health() is OK while the last ClaimWork succeeded and the worker is not shutting down;
// main.cc serves it as grpc.health.v1 on --health-port.
//
// Thread-safety: Start, Shutdown and Health may be called from any thread.

#ifndef BULWARK_SERVICES_WORKER_SERVER_WORKER_RUNTIME_H_
#define BULWARK_SERVICES_WORKER_SERVER_WORKER_RUNTIME_H_

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/hawk/credentials.h"
#include "libraries/tls/tls_config.h"
#include "services/worker/service/chain_verifier.h"
#include "services/worker/service/task_runner.h"
#include "services/worker/service/worker_queue.h"

namespace bulwark::worker {

class WorkerRuntime {
 public:
  struct Options {
    std::string queue_address = "127.0.0.1:50052";
    // How to dial the queue (TLS with --tls-ca, optionally presenting --tls-cert; plaintext
    // only with --plaintext).
    tls::TlsConfig tls;
    // The queue's address as tasks dial it (TASKCLUSTER_QUEUE_ADDRESS); default queue_address.
    std::string queue_address_for_tasks;
    // The worker's own client: queue:claim-work:<pool>, queue:worker-id:<group>/<id>.
    hawk::Credentials credentials;
    std::string worker_pool;  // the taskQueueId it claims from, e.g. proj-demo/ci
    std::string worker_group;
    std::string worker_id;
    int capacity = 1;
    std::string work_directory;
    // A directory of tools for tasks (first in their PATH), e.g. the bulwark CLI; empty: none.
    // It and everything in it must be readable, and not writable, by the task user.
    std::string task_tools;
    // The unprivileged user tasks run as (required: the worker runs as root).
    std::string task_user;
    // PKCS#8 PEM Ed25519 private key (`crypto_keygen`), mode 0600, owned by the worker.
    std::string signing_key_file;
    absl::Duration claim_wait = absl::Seconds(20);
    absl::Duration shutdown_grace = absl::Seconds(30);
    std::string worker_version = "dev";
    // Privileged pools: verify every task as this type before running it (empty: never), asking
    // the verifier at this address with the worker's own credentials (which then need
    // verifier:verify-task:<type>).
    std::string verify_task_type;
    std::string verifier_address = "127.0.0.1:50054";
    absl::Duration verify_timeout = absl::Minutes(5);
  };

  // `queue` and `verifier` replace the gRPC clients (tests); `clock` must outlive the runtime.
  static absl::StatusOr<std::unique_ptr<WorkerRuntime>> Create(
      Options options, const Clock& clock, std::unique_ptr<WorkerQueue> queue = nullptr,
      std::unique_ptr<ChainVerifier> verifier = nullptr);
  ~WorkerRuntime() { Shutdown(); }

  void Start();
  // Idempotent; returns when every claim loop has ended and every run is resolved.
  void Shutdown();
  absl::Status Health() const;

 private:
  WorkerRuntime(Options options, const Clock& clock)
      : options_(std::move(options)), clock_(clock) {}
  void ClaimLoop();
  void RunOne(const Claim& claim);

  const Options options_;
  const Clock& clock_;
  std::unique_ptr<WorkerQueue> queue_;
  std::unique_ptr<ChainVerifier> verifier_;
  std::unique_ptr<crypto::Ed25519PrivateKey> key_;
  std::unique_ptr<TaskRunner> runner_;
  std::vector<std::thread> loops_;
  absl::Notification stopping_;
  std::once_flag shutdown_once_;
  mutable absl::Mutex mu_;
  std::set<RunControl*> running_ ABSL_GUARDED_BY(mu_);
  absl::Status last_claim_ ABSL_GUARDED_BY(mu_) = absl::UnavailableError("not claimed yet");
};

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVER_WORKER_RUNTIME_H_
