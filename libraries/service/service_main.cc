#include "libraries/service/service_main.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "libraries/client/channel.h"
#include "libraries/grpc_server/server.h"
#include "libraries/logging/log.h"
#include "libraries/pg/readiness.h"

namespace bulwark {
namespace {

int Fail(const absl::Status& status) {
  LogError("startup failed", {{"error", std::string(status.message())},
                              {"code", absl::StatusCodeToString(status.code())}});
  return 1;
}

}  // namespace

std::shared_ptr<grpc::Channel> ServiceContext::Channel(const std::string& target) const {
  return CreateServiceChannel(target, tls);
}

absl::StatusOr<TransportSettings> TransportSettingsFromFlags(const Flags& flags) {
  TransportSettings settings;
  absl::StatusOr<bool> plaintext = flags.GetBool("plaintext");
  if (!plaintext.ok()) return plaintext.status();
  if (*plaintext && (flags.Has("tls-cert") || flags.Has("tls-key") || flags.Has("tls-ca"))) {
    return absl::InvalidArgumentError(
        "--plaintext contradicts --tls-cert/--tls-key/--tls-ca: give one or the other");
  }
  absl::StatusOr<tls::TlsConfig> config = ClientTlsFromFlags(flags, "tls-");
  if (!config.ok()) return config.status();
  if (absl::Status s = tls::CheckServerConfig(*config); !s.ok()) return s;
  settings.tls = *std::move(config);

  if (flags.Has("hostnames")) {
    absl::StatusOr<HostBinding> hosts = HostBinding::Parse(flags.Get("hostnames"));
    if (!hosts.ok()) return hosts.status();
    if (!hosts->binds()) {
      return absl::InvalidArgumentError("--hostnames must name at least one host");
    }
    settings.hostnames = *std::move(hosts);
  } else if (!settings.tls.plaintext) {
    absl::StatusOr<std::vector<std::string>> names =
        tls::CertificateHostNames(settings.tls.cert_pem);
    if (!names.ok()) return names.status();
    if (names->empty()) {
      return absl::InvalidArgumentError(
          "--tls-cert has no DNS or IP subject alternative names: give --hostnames");
    }
    absl::StatusOr<HostBinding> hosts = HostBinding::Of(*names);
    if (!hosts.ok()) return hosts.status();
    settings.hostnames = *std::move(hosts);
  }

  if (!settings.tls.plaintext) {
    std::vector<std::string> names =
        absl::StrSplit(flags.Get("tls-client-names"), ',', absl::SkipWhitespace());
    settings.service_peers = tls::PeerAllowlist::Of({names.begin(), names.end()});
  } else if (flags.Has("tls-client-names")) {
    return absl::InvalidArgumentError(
        "--tls-client-names needs TLS (client certificates); drop --plaintext");
  }
  return settings;
}

int RunServiceMain(int argc, char** argv, const ServiceSpec& spec) {
  GrpcServer::BlockTerminationSignals();
  // Debian builds Abseil without NDEBUG, which leaves the mutex deadlock detector on: every
  // lock then updates one process-wide lock-order graph under a global lock, which serializes
  // the server's threads. Tests keep it (it finds lock-order inversions); servers turn it off
  // before any thread starts.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  SetLogServiceName(spec.name);
  std::set<std::string> known = {"listen",    "database",         "db-pool-size", "drain-deadline",
                                 "lame-duck", "port-file",        "tls-cert",     "tls-key",
                                 "tls-ca",    "tls-client-names", "hostnames"};
  known.insert(spec.extra_flags.begin(), spec.extra_flags.end());
  auto flags = Flags::Parse(argc, argv, known, {"plaintext"});
  if (!flags.ok()) return Fail(flags.status());
  absl::StatusOr<TransportSettings> transport = TransportSettingsFromFlags(*flags);
  if (!transport.ok()) return Fail(transport.status());

  GrpcServer::Options options;
  options.service_name = spec.name;
  options.listen_address = flags->Get("listen", spec.default_listen);
  options.port_file = flags->Get("port-file");
  if (!transport->tls.plaintext) options.credentials = tls::ServerCredentials(transport->tls);
  LogInfo("transport", {{"tls", !transport->tls.plaintext},
                        {"mutual_tls", !transport->tls.plaintext && !transport->tls.ca_pem.empty()},
                        {"hostnames", transport->hostnames.ToString()}});
  options.input.method_limits = spec.method_receive_limits;
  auto drain = flags->GetDuration("drain-deadline", absl::Seconds(10));
  if (!drain.ok()) return Fail(drain.status());
  options.drain_deadline = *drain;
  auto lame_duck = flags->GetDuration("lame-duck", absl::Seconds(3));
  if (!lame_duck.ok()) return Fail(lame_duck.status());
  if (*lame_duck < absl::ZeroDuration()) {
    return Fail(absl::InvalidArgumentError("--lame-duck must not be negative"));
  }
  options.lame_duck = *lame_duck;

  pg::ConnectionPool::Options pool_options;
  pool_options.dsn = flags->Get("database");
  if (pool_options.dsn.empty()) {
    return Fail(absl::InvalidArgumentError(
        "--database (or BULWARK_DATABASE) must give the connection string of role bulwark_" +
        spec.name));
  }
  if (flags->Has("db-pool-size") &&
      !absl::SimpleAtoi(flags->Get("db-pool-size"), &pool_options.size)) {
    return Fail(absl::InvalidArgumentError("--db-pool-size must be a number"));
  }
  auto pool = pg::ConnectionPool::Create(pool_options);
  if (!pool.ok()) return Fail(pool.status());

  ServiceContext context{*flags,
                         **pool,
                         Clock::Real(),
                         absl::Now(),
                         transport->tls,
                         transport->hostnames,
                         transport->service_peers};
  absl::StatusOr<std::unique_ptr<ServiceRuntime>> runtime = spec.build(context);
  if (!runtime.ok()) return Fail(runtime.status());
  std::vector<GrpcServer::Service> services;
  for (const GrpcServiceEntry& s : (*runtime)->GrpcServices()) {
    services.push_back({s.impl, s.full_name});
  }

  pg::ConnectionPool* pool_ptr = pool->get();
  const pg::MigrationSet* set = spec.migrations;
  ServiceRuntime* rt = runtime->get();
  auto server = GrpcServer::Start(options, services, [pool_ptr, set, rt] {
    absl::Status db = pg::SchemaReadiness(*pool_ptr, *set);
    if (!db.ok()) return db;
    return rt->Readiness();
  });
  if (!server.ok()) return Fail(server.status());
  {
    const std::string& listen = options.listen_address;
    const size_t colon = listen.rfind(':');
    rt->Listening(absl::StrCat(listen.substr(0, colon == std::string::npos ? 0 : colon), ":",
                               (*server)->port()));
  }
  (*server)->WaitForTerminationSignal(
      [rt] {
        absl::Status s = rt->Reload();
        if (!s.ok()) LogWarning("reload failed", {{"error", std::string(s.message())}});
      },
      [rt] { rt->BeginShutdown(); });
  (*runtime)->Stop();
  return 0;
}

}  // namespace bulwark
