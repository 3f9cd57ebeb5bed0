// File: libraries/service/service_main.h
//
// RunServiceMain: the whole main() of a Bulwark service, so that each service's main.cc only
// names itself and builds its gRPC services. It parses the common flags, connects a pool to
// PostgreSQL as the service's runtime role, starts the gRPC server (reflection, health, call
// logs), reports SERVING only while the database answers and its schema is migrated to the
// version this binary expects, and drains on SIGTERM.
//
// Common flags (each also from the environment as BULWARK_<NAME>):
//   --listen=HOST:PORT        where to listen (default: the service's port on 127.0.0.1)
//   --database=DSN            libpq connection string for bulwark_<svc> (required)
//   --db-pool-size=N          connections (default 8)
//   --drain-deadline=10s      how long calls in flight may run after SIGTERM
//   --port-file=PATH          write the bound port here (for tests and scripts)
// plus ServiceSpec::extra_flags, read by the factory from ServiceContext::flags.
//
// Thread-safety: call once, from main. Errors: returns a process exit code; startup errors
// (bad flags, unbindable address) are logged and give 1, as Kubernetes expects.

#ifndef BULWARK_LIBRARIES_SERVICE_SERVICE_MAIN_H_
#define BULWARK_LIBRARIES_SERVICE_SERVICE_MAIN_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "libraries/clock/clock.h"
#include "libraries/config/flags.h"
#include "libraries/pg/migrations.h"
#include "libraries/pg/pool.h"

namespace bulwark {

// What a service's factory gets to build its gRPC services from.
struct ServiceContext {
  const Flags& flags;
  pg::ConnectionPool& pool;
  Clock& clock;
  absl::Time started;
};

// A built gRPC service: the implementation and its full name (for health).
struct BuiltService {
  std::unique_ptr<grpc::Service> impl;
  std::string full_name;
  // Runs after the server stops (background workers to join), if set.
  std::function<void()> on_shutdown;
};

struct ServiceSpec {
  std::string name;            // "auth"
  std::string default_listen;  // "127.0.0.1:50051"
  const pg::MigrationSet* migrations = nullptr;
  std::set<std::string> extra_flags;
  std::function<absl::StatusOr<std::vector<BuiltService>>(ServiceContext&)> build;
};

int RunServiceMain(int argc, char** argv, const ServiceSpec& spec);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_SERVICE_SERVICE_MAIN_H_
