// File: libraries/grpc_server/server.h
//
// GrpcServer: the bootstrap every Bulwark service uses. It listens on the configured address,
// enables server reflection and the grpc.health.v1 health service, logs every call (one JSON
// line: method, code, latency), polls a readiness check (typically "the database answers")
// and reports NOT_SERVING until it passes, and shuts down gracefully: health goes
// NOT_SERVING, new calls are refused, calls in flight get up to the drain deadline.
//
// Readiness watchdog: a check that has not completed within `readiness_timeout` (a database
// that stopped answering) turns health NOT_SERVING at once, without waiting for the check.
// Lame duck (SIGTERM): health goes NOT_SERVING at once, `on_lame_duck` runs (a runtime ends its
// long waits, e.g. ClaimWork long-polls return an empty answer), and the server keeps serving
// for `lame_duck` (so that load balancers and clients move away without a refused call), then
// drains: new calls are refused and calls in flight get up to the drain deadline.
//
//   GrpcServer::Options options;
//   options.service_name = "auth";
//   options.listen_address = "127.0.0.1:50051";
//   BULWARK_ASSIGN_OR_RETURN(auto server,
//       GrpcServer::Start(options, {{&impl, bulwark::auth::v1::Auth::service_full_name()}},
//                         [&] { return pool.Ping(); }));
//   server->WaitForTerminationSignal();  // SIGTERM / SIGINT, then drains
//
// Bounded work per request (issue 13): the transport refuses any message over
// max_receive_message_bytes before reading it whole; every received message then passes the
// input guard (input_guard.h: the method's own receive limit, then CheckInput, the shared
// validator: NUL, invalid UTF-8, CR/LF in header-like fields, NaN/Infinity, JSON caps), so a
// handler never sees what it refuses; and at most max_threads calls run at once (calls beyond
// get RESOURCE_EXHAUSTED at once, the server stays SERVING), with at most
// max_concurrent_streams calls per connection. A callback method (auth's AuthenticateRequest)
// holds no thread while it waits, so max_threads does not count it: it bounds its own waiting
// (the shared replay store's max_pending).
//
// Thread-safety: Start, Shutdown and Wait* may be called from any thread; Shutdown is
// idempotent. Errors: Start returns INVALID_ARGUMENT for a bad address or limit and
// UNAVAILABLE when the address cannot be bound.

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_SERVER_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "libraries/grpc_server/health_service.h"
#include "libraries/grpc_server/input_guard.h"

namespace bulwark {

class GrpcServer {
 public:
  struct Options {
    // Names the process in logs ("auth", "queue", ...).
    std::string service_name;
    // host:port; port 0 picks a free port (see port()).
    std::string listen_address = "127.0.0.1:0";
    // How long calls in flight may run after shutdown starts.
    absl::Duration drain_deadline = absl::Seconds(10);
    // How often the readiness check runs.
    absl::Duration readiness_interval = absl::Seconds(1);
    // A check still running after this reports NOT_SERVING (the watchdog).
    absl::Duration readiness_timeout = absl::Seconds(2);
    // After SIGTERM: how long to keep serving, NOT_SERVING, before draining.
    absl::Duration lame_duck = absl::Seconds(3);
    // If set, the bound port is written to this file once listening (for tests and scripts).
    std::string port_file;
    // How to secure the listening port (libraries/tls/tls_config.h ServerCredentials); null
    // listens in plaintext.
    std::shared_ptr<grpc::ServerCredentials> credentials;
    // Largest message the transport reads (gRPC's default). Artifacts larger than this travel
    // by UploadArtifact, a stream of chunks.
    int max_receive_message_bytes = 4 * 1024 * 1024;
    // Per-method limits and the content caps (input_guard.h); default 1 MiB per message.
    InputGuardOptions input;
    // Calls handled at once (the sync server's threads, a gRPC resource quota).
    int max_threads = 64;
    // Calls at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
    int max_concurrent_streams = 32;
  };

  // Call once at the very start of main, before any thread exists, so that SIGTERM, SIGINT and
  // SIGHUP are delivered to WaitForTerminationSignal rather than killing the process.
  static void BlockTerminationSignals();

  // A service implementation (not owned; must outlive the server) and its full name, e.g.
  // {&impl, bulwark::auth::v1::Auth::service_full_name()}; the name is what health checks
  // answer for.
  struct Service {
    grpc::Service* impl;
    std::string full_name;
  };

  // Starts serving `services`. `readiness` decides SERVING vs NOT_SERVING; it runs on a
  // background thread every readiness_interval.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const Options& options,
                                                           const std::vector<Service>& services,
                                                           std::function<absl::Status()> readiness);

  ~GrpcServer();

  int port() const { return port_; }
  HealthService& health() { return *health_; }

  // Blocks until SIGTERM or SIGINT, then shuts down gracefully (lame duck, then drain). Each
  // SIGHUP meanwhile calls `on_reload` (if set) on this thread; `on_lame_duck` (if set) runs
  // once the lame-duck period begins.
  void WaitForTerminationSignal(const std::function<void()>& on_reload = nullptr,
                                const std::function<void()>& on_lame_duck = nullptr);
  // Lame duck: NOT_SERVING now, `on_lame_duck`, keep serving for options.lame_duck; then
  // Shutdown().
  void LameDuckThenShutdown(const std::function<void()>& on_lame_duck = nullptr);
  // Graceful shutdown; returns when all calls have finished or the drain deadline passed.
  void Shutdown();

 private:
  GrpcServer() = default;
  void ReadinessLoop(const std::function<absl::Status()>& readiness);
  void WatchdogLoop();
  // Stops the readiness loop and its watchdog, and reports NOT_SERVING from now on.
  void StopReporting();

  Options options_;
  int port_ = 0;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> server_;
  absl::Notification stopping_;
  std::thread readiness_thread_;
  std::thread watchdog_thread_;
  absl::Mutex check_mu_;
  // When the check in progress started (InfiniteFuture when none is running).
  absl::Time check_started_ ABSL_GUARDED_BY(check_mu_) = absl::InfiniteFuture();
  std::once_flag stop_reporting_once_;
  std::once_flag shutdown_once_;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_SERVER_H_
