// File: libraries/service/service_main.h
//
// RunServiceMain: the whole main() of a Bulwark service, so that each service's main.cc only
// parses its own flags into its runtime's Options and creates the runtime
// (services/<svc>/server/<svc>_runtime.h, a ServiceRuntime). It parses the common flags, connects a
// pool to PostgreSQL as the service's runtime role, starts the gRPC server (reflection, health,
// call logs), reports SERVING only while the database answers (a check that takes over 2 s
// counts as not answering) and its schema is migrated to the version this binary expects, and
// on SIGTERM reports NOT_SERVING at once, calls ServiceRuntime::BeginShutdown, keeps serving for
// the lame-duck period, then drains.
//
// Common flags (each also from the environment as BULWARK_<NAME>):
//   --listen=HOST:PORT        where to listen (default: the service's port on 127.0.0.1)
//   --database=DSN            libpq connection string for bulwark_<svc> (required)
//   --db-pool-size=N          connections (default 8)
//   --lame-duck=3s            after SIGTERM: NOT_SERVING but still serving for this long
//                             (Kubernetes' preStop should wait about as long)
//   --drain-deadline=10s      how long calls in flight may run after the lame-duck period
//   --port-file=PATH          write the bound port here (for tests and scripts)
//   --tls-cert=FILE --tls-key=FILE   this service's certificate chain and key (PEM): served to
//                             clients and presented as the client certificate when it dials
//                             other services (mutual TLS)
//   --tls-ca=FILE             the CA that signs Bulwark's certificates: verifies the services
//                             this one dials and the client certificates presented to it
//   --tls-client-names=a,b    the certificate names (CN or SAN) of the services allowed to call
//                             internal-only methods (auth.AuthenticateRequest)
//   --hostnames=a,b:443       the names this server answers to: a Hawk header signed for any
//                             other authority is UNAUTHENTICATED (default with TLS: the DNS and
//                             IP names of --tls-cert; in plaintext: no binding)
//   --plaintext               serve and dial without TLS (tests only); without it the TLS flags
//                             are required
// plus ServiceSpec::extra_flags, read by the factory from ServiceContext::flags.
//
// Thread-safety: call once, from main. Errors: returns a process exit code; startup errors
// (bad flags, unbindable address) are logged and give 1, as Kubernetes expects.

#ifndef BULWARK_LIBRARIES_SERVICE_SERVICE_MAIN_H_
#define BULWARK_LIBRARIES_SERVICE_SERVICE_MAIN_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "libraries/authn/host_binding.h"
#include "libraries/clock/clock.h"
#include "libraries/config/flags.h"
#include "libraries/pg/migrations.h"
#include "libraries/pg/pool.h"
#include "libraries/tls/peer_allowlist.h"
#include "libraries/tls/tls_config.h"

namespace bulwark {

// What a service's factory gets to build its runtime from.
struct ServiceContext {
  const Flags& flags;
  pg::ConnectionPool& pool;
  Clock& clock;
  absl::Time started;
  // How this process serves and dials (plaintext only when --plaintext was given).
  tls::TlsConfig tls = {};
  // The names Hawk headers must be signed for (--hostnames).
  HostBinding hostnames = {};
  // Who may call internal-only methods (--tls-client-names; anyone in plaintext).
  tls::PeerAllowlist service_peers = tls::PeerAllowlist::Anyone();

  // A channel to another Bulwark service, secured as `tls` says.
  std::shared_ptr<grpc::Channel> Channel(const std::string& target) const;
};

// The transport part of ServiceContext from the common flags (exposed for tests).
struct TransportSettings {
  tls::TlsConfig tls;
  HostBinding hostnames;
  tls::PeerAllowlist service_peers = tls::PeerAllowlist::Anyone();
};
absl::StatusOr<TransportSettings> TransportSettingsFromFlags(const Flags& flags);

// A gRPC service a runtime serves (owned by the runtime) and its full name (for health).
struct GrpcServiceEntry {
  grpc::Service* impl;
  std::string full_name;
};

// What every service's <svc>_runtime implements: the store, clients, service logic and
// background work of one process, wired from its Options.
class ServiceRuntime {
 public:
  virtual ~ServiceRuntime() = default;
  // The gRPC services to register; they live as long as the runtime.
  virtual std::vector<GrpcServiceEntry> GrpcServices() = 0;
  // Stops background work (joins its threads). Called once, after the server has drained.
  virtual void Stop() = 0;
  // Re-reads what the service can change without a restart (SIGHUP), e.g. the verifier's
  // policy. The default has nothing to reload. An error keeps what is in force (and is logged).
  virtual absl::Status Reload() { return absl::OkStatus(); }
  // Whether the runtime itself can serve (besides the database answering): an error makes
  // health report NOT_SERVING. Called by the readiness loop about once a second; must not block.
  virtual absl::Status Readiness() { return absl::OkStatus(); }
  // Called once at SIGTERM, when the lame-duck period begins: end long waits (e.g. ClaimWork
  // long-polls answer at once) so that no call is still waiting when the server drains.
  virtual void BeginShutdown() {}
  // Called once the server listens, with HOST:PORT as bound (--listen's host, the actual port:
  // port 0 picks one). The readiness loop may already run. The default does nothing.
  virtual void Listening(const std::string& address) { (void)address; }
};

struct ServiceSpec {
  std::string name;            // "auth"
  std::string default_listen;  // "127.0.0.1:50051"
  const pg::MigrationSet* migrations = nullptr;
  std::set<std::string> extra_flags;
  // Methods whose request messages may be larger than the server's 1 MiB default (full path,
  // e.g. "/bulwark.queue.v1.Queue/CreateArtifact" → bytes; at most the transport's 4 MiB).
  std::map<std::string, int64_t> method_receive_limits;
  std::function<absl::StatusOr<std::unique_ptr<ServiceRuntime>>(ServiceContext&)> build;
};

int RunServiceMain(int argc, char** argv, const ServiceSpec& spec);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_SERVICE_SERVICE_MAIN_H_
