// The worker daemon: flags -> WorkerRuntime::Options; runs until SIGTERM or SIGINT, then shuts
// down (no new claims, running tasks get --shutdown-grace). Each flag also reads from the
// environment as BULWARK_<NAME>.
//   --queue=HOST:PORT           the queue (default 127.0.0.1:50052)
//   --queue-for-tasks=HOST:PORT the queue's address as tasks dial it (default --queue)
//   --credentials=FILE          the worker's own client: {"clientId", "accessToken"}
//   --worker-pool=P/W           the taskQueueId it claims from (required)
//   --worker-group=G --worker-id=I   its identity (required)
//   --capacity=N                tasks at once (default 1)
//   --work-dir=DIR              where runs live (required)
//   --task-user=NAME            the unprivileged user tasks run as (required: run as root)
//   --task-tools=DIR            tools offered to tasks, first in their PATH (absolute path)
//   --signing-key=FILE          its chain-of-trust Ed25519 private key (crypto_keygen)
//   --health-port=PORT          serve grpc.health.v1 on 127.0.0.1:PORT (0 picks one); SERVING
//                               while claiming works
//   --listen=HOST:PORT          the same, with a host (e.g. 0.0.0.0:8080 in a pod)
//   --port-file=FILE            write the health port here once listening
//   --claim-wait=20s --shutdown-grace=30s
//   --verify-task-type=T        a privileged pool: verify every task as type T before it runs
//                               (its client then needs verifier:verify-task:T)
//   --verifier=HOST:PORT        the verifier (default 127.0.0.1:50054)  --verify-timeout=5m
//   --tls-ca=FILE               the CA the queue's certificate is checked against (default: the
//                               system roots); TLS is the default
//   --tls-cert=FILE --tls-key=FILE   optional: the worker's own certificate, presented to the
//                               queue and served on the health port (otherwise the health port,
//                               which serves only grpc.health.v1, is plaintext for probes)
//   --plaintext                 dial the queue without TLS (tests only)
#include <csignal>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libraries/client/call_credentials.h"
#include "libraries/client/channel.h"
#include "libraries/config/flags.h"
#include "libraries/grpc_server/server.h"
#include "libraries/logging/log.h"
#include "libraries/status/status_macros.h"
#include "services/worker/server/worker_runtime.h"

namespace {

using bulwark::worker::WorkerRuntime;

absl::StatusOr<WorkerRuntime::Options> ParseOptions(const bulwark::Flags& flags) {
  WorkerRuntime::Options o;
  if (!flags.Has("credentials")) {
    return absl::InvalidArgumentError("--credentials must name the worker's credentials file");
  }
  BULWARK_ASSIGN_OR_RETURN(o.credentials, bulwark::LoadCredentials(flags.Get("credentials")));
  o.queue_address = flags.Get("queue", o.queue_address);
  BULWARK_ASSIGN_OR_RETURN(o.tls, bulwark::ClientTlsFromFlags(flags, "tls-"));
  o.queue_address_for_tasks = flags.Get("queue-for-tasks");
  o.worker_pool = flags.Get("worker-pool");
  o.worker_group = flags.Get("worker-group");
  o.worker_id = flags.Get("worker-id");
  o.work_directory = flags.Get("work-dir");
  o.task_user = flags.Get("task-user");
  o.task_tools = flags.Get("task-tools");
  if (!o.task_tools.empty() && o.task_tools[0] != '/') {
    return absl::InvalidArgumentError("--task-tools must be an absolute path");
  }
  o.signing_key_file = flags.Get("signing-key");
  if (flags.Has("capacity") && !absl::SimpleAtoi(flags.Get("capacity"), &o.capacity)) {
    return absl::InvalidArgumentError("--capacity must be a number");
  }
  BULWARK_ASSIGN_OR_RETURN(o.claim_wait, flags.GetDuration("claim-wait", o.claim_wait));
  BULWARK_ASSIGN_OR_RETURN(o.shutdown_grace, flags.GetDuration("shutdown-grace", o.shutdown_grace));
  o.verify_task_type = flags.Get("verify-task-type");
  o.verifier_address = flags.Get("verifier", o.verifier_address);
  BULWARK_ASSIGN_OR_RETURN(o.verify_timeout, flags.GetDuration("verify-timeout", o.verify_timeout));
  return o;
}

int Fail(const absl::Status& status) {
  bulwark::LogError("startup failed", {{"error", std::string(status.message())},
                                       {"code", absl::StatusCodeToString(status.code())}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bulwark::GrpcServer::BlockTerminationSignals();
  bulwark::SetLogServiceName("worker");
  auto flags = bulwark::Flags::Parse(
      argc, argv,
      {"queue",          "queue-for-tasks",  "credentials", "worker-pool",    "worker-group",
       "worker-id",      "capacity",         "work-dir",    "task-user",      "task-tools",
       "signing-key",    "health-port",      "listen",      "port-file",      "claim-wait",
       "shutdown-grace", "verify-task-type", "verifier",    "verify-timeout", "tls-ca",
       "tls-cert",       "tls-key"},
      {"plaintext"});
  if (!flags.ok()) return Fail(flags.status());
  auto options = ParseOptions(*flags);
  if (!options.ok()) return Fail(options.status());
  auto runtime = WorkerRuntime::Create(*options, bulwark::Clock::Real());
  if (!runtime.ok()) return Fail(runtime.status());

  std::unique_ptr<bulwark::GrpcServer> health;
  if (flags->Has("health-port") || flags->Has("listen")) {
    bulwark::GrpcServer::Options server;
    server.service_name = "worker";
    server.listen_address = flags->Has("listen")
                                ? flags->Get("listen")
                                : absl::StrCat("127.0.0.1:", flags->Get("health-port"));
    server.port_file = flags->Get("port-file");
    if (!options->tls.plaintext && !options->tls.cert_pem.empty()) {
      server.credentials = bulwark::tls::ServerCredentials(options->tls);
    }
    WorkerRuntime* rt = runtime->get();
    auto started = bulwark::GrpcServer::Start(server, {}, [rt] { return rt->Health(); });
    if (!started.ok()) return Fail(started.status());
    health = std::move(*started);
  }
  (*runtime)->Start();

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal = 0;
  sigwait(&set, &signal);
  bulwark::LogInfo("signal received", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*runtime)->Shutdown();
  if (health) health->Shutdown();
  bulwark::LogInfo("stopped");
  return 0;
}
