#include "libraries/grpc_server/server.h"

#include <signal.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "libraries/grpc_server/call_log.h"
#include "libraries/logging/log.h"

namespace bulwark {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void GrpcServer::BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const Options& options, const std::vector<Service>& services,
    std::function<absl::Status()> readiness) {
  if (options.listen_address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", options.listen_address, "' is not host:port"));
  }
  if (options.max_threads < 4 || options.max_concurrent_streams < 1 ||
      options.max_receive_message_bytes < 1024) {
    return absl::InvalidArgumentError(
        "max_threads must be at least 4, max_concurrent_streams at least 1 and "
        "max_receive_message_bytes at least 1024");
  }
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  server->options_ = options;
  SetLogServiceName(options.service_name);

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(
      options.listen_address,
      options.credentials ? options.credentials : grpc::InsecureServerCredentials(),
      &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // A burst cannot take every thread: calls beyond max_threads are refused RESOURCE_EXHAUSTED.
  grpc::ResourceQuota quota(absl::StrCat("bulwark-", options.service_name));
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  // A sync-server thread whose call has ended exits when max_pollers threads already wait for
  // work (gRPC's default: 2), so with more than two calls at once nearly every call started a
  // thread and ended one. Letting finished threads wait for the next call instead keeps them
  // (up to max_threads, the quota above).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              options.max_threads);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  // Without this, gRPC binds with SO_REUSEPORT and a second server on the same port would
  // silently share its traffic instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::vector<std::string> names;
  for (const Service& service : services) {
    builder.RegisterService(service.impl);
    names.push_back(service.full_name);
  }

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  // The guard first, so that the call log shows the status it sets.
  creators.push_back(std::make_unique<InputGuardInterceptorFactory>(options.input));
  creators.push_back(std::make_unique<CallLogInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(creators));

  // Health answers for the whole server ("") and for every registered service by name.
  server->health_ = std::make_unique<HealthService>(names);
  builder.RegisterService(server->health_.get());

  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (address in use, or not an address of this machine?)"));
  }
  if (!options.port_file.empty()) {
    std::string tmp = options.port_file + ".tmp";
    std::ofstream(tmp) << server->port_ << "\n";
    std::rename(tmp.c_str(), options.port_file.c_str());
  }
  LogInfo("listening", {{"address", options.listen_address},
                        {"port", server->port_},
                        {"tls", options.credentials != nullptr}});
  server->readiness_thread_ = std::thread(
      [s = server.get(), readiness = std::move(readiness)] { s->ReadinessLoop(readiness); });
  server->watchdog_thread_ = std::thread([s = server.get()] { s->WatchdogLoop(); });
  return server;
}

void GrpcServer::WatchdogLoop() {
  bool reported = false;
  const absl::Duration tick = std::min(absl::Milliseconds(100), options_.readiness_timeout / 4);
  do {
    absl::Time started;
    {
      absl::MutexLock lock(&check_mu_);
      started = check_started_;
    }
    if (started != absl::InfiniteFuture() && absl::Now() - started > options_.readiness_timeout) {
      if (!reported) {
        LogWarning("not serving",
                   {{"reason", "the readiness check has not completed within " +
                                   absl::FormatDuration(options_.readiness_timeout)}});
        reported = true;
      }
      health_->SetServing(false);
    } else if (started == absl::InfiniteFuture()) {
      reported = false;
    }
  } while (!stopping_.WaitForNotificationWithTimeout(tick));
}

void GrpcServer::ReadinessLoop(const std::function<absl::Status()>& readiness) {
  absl::Status last = absl::UnknownError("not checked yet");
  do {
    {
      absl::MutexLock lock(&check_mu_);
      check_started_ = absl::Now();
    }
    absl::Status now = readiness ? readiness() : absl::OkStatus();
    {
      absl::MutexLock lock(&check_mu_);
      check_started_ = absl::InfiniteFuture();
    }
    if (stopping_.HasBeenNotified()) break;
    if (now.ok() != last.ok() || now.message() != last.message()) {
      if (now.ok()) {
        LogInfo("serving");
      } else {
        LogWarning("not serving", {{"reason", std::string(now.message())}});
      }
    }
    health_->SetServing(now.ok());
    last = now;
  } while (!stopping_.WaitForNotificationWithTimeout(options_.readiness_interval));
}

void GrpcServer::WaitForTerminationSignal(const std::function<void()>& on_reload,
                                          const std::function<void()>& on_lame_duck) {
  sigset_t set = TerminationSignals();
  int signal = 0;
  while (true) {
    sigwait(&set, &signal);
    if (signal != SIGHUP) break;
    if (on_reload) {
      LogInfo("SIGHUP received; reloading");
      on_reload();
    } else {
      LogInfo("SIGHUP received; nothing to reload");
    }
  }
  LogInfo("signal received; lame duck, then draining",
          {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"},
           {"lame_duck_s", absl::ToDoubleSeconds(options_.lame_duck)},
           {"drain_deadline_s", absl::ToDoubleSeconds(options_.drain_deadline)}});
  LameDuckThenShutdown(on_lame_duck);
}

void GrpcServer::StopReporting() {
  std::call_once(stop_reporting_once_, [this] {
    stopping_.Notify();
    if (health_ != nullptr) health_->Shutdown();
    if (watchdog_thread_.joinable()) watchdog_thread_.join();
    // Waits for a check in progress (bounded by the check's own timeout).
    if (readiness_thread_.joinable()) readiness_thread_.join();
  });
}

void GrpcServer::LameDuckThenShutdown(const std::function<void()>& on_lame_duck) {
  const absl::Time end = absl::Now() + options_.lame_duck;
  if (health_ != nullptr) health_->Shutdown();  // NOT_SERVING at once
  if (on_lame_duck) on_lame_duck();
  StopReporting();
  absl::Duration left = end - absl::Now();
  if (left > absl::ZeroDuration()) {
    absl::Notification never;  // the lame-duck period is a plain wait; nothing ends it early
    never.WaitForNotificationWithTimeout(left);
  }
  Shutdown();
}

void GrpcServer::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    StopReporting();
    if (server_ == nullptr) return;  // Start failed before serving.
    server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.drain_deadline));
    server_->Wait();
    LogInfo("stopped");
  });
}

GrpcServer::~GrpcServer() { Shutdown(); }

}  // namespace bulwark
