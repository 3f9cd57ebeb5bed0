#include "libraries/service/service_main.h"

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libraries/grpc_server/server.h"
#include "libraries/logging/log.h"
#include "libraries/pg/errors.h"

namespace bulwark {
namespace {

// SERVING needs a reachable database whose schema is at least this binary's version.
absl::Status Readiness(pg::ConnectionPool& pool, const pg::MigrationSet& set) {
  auto lease = pool.Acquire(absl::Now() + absl::Seconds(2));
  if (!lease.ok()) return lease.status();
  try {
    pqxx::read_transaction txn(lease->connection());
    pqxx::row row = txn.exec1("SELECT coalesce(max(version), 0) FROM " +
                              txn.quote_name(set.schema()) + ".schema_migrations");
    int version = row[0].as<int>();
    if (version < set.latest_version()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the ", set.schema(), " schema is at version ", version,
                       "; this binary needs ", set.latest_version(), ": run migrations"));
    }
    return absl::OkStatus();
  } catch (const std::exception& e) {
    lease->Discard();
    absl::Status s = pg::StatusFromException(e, "readiness check");
    if (s.code() == absl::StatusCode::kInternal || pg::SqlState(e) == "42P01" ||
        pg::SqlState(e) == "3F000") {
      return absl::FailedPreconditionError(
          absl::StrCat("the ", set.schema(), " schema is missing or unreadable: run migrations"));
    }
    return s;
  }
}

int Fail(const absl::Status& status) {
  LogError("startup failed", {{"error", std::string(status.message())},
                              {"code", absl::StatusCodeToString(status.code())}});
  return 1;
}

}  // namespace

int RunServiceMain(int argc, char** argv, const ServiceSpec& spec) {
  GrpcServer::BlockTerminationSignals();
  SetLogServiceName(spec.name);
  std::set<std::string> known = {"listen", "database", "db-pool-size", "drain-deadline",
                                 "port-file"};
  known.insert(spec.extra_flags.begin(), spec.extra_flags.end());
  auto flags = Flags::Parse(argc, argv, known);
  if (!flags.ok()) return Fail(flags.status());

  GrpcServer::Options options;
  options.service_name = spec.name;
  options.listen_address = flags->Get("listen", spec.default_listen);
  options.port_file = flags->Get("port-file");
  auto drain = flags->GetDuration("drain-deadline", absl::Seconds(10));
  if (!drain.ok()) return Fail(drain.status());
  options.drain_deadline = *drain;

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

  ServiceContext context{*flags, **pool, Clock::Real(), absl::Now()};
  auto built = spec.build(context);
  if (!built.ok()) return Fail(built.status());
  std::vector<GrpcServer::Service> services;
  for (BuiltService& b : *built) services.push_back({b.impl.get(), b.full_name});

  pg::ConnectionPool* pool_ptr = pool->get();
  const pg::MigrationSet* set = spec.migrations;
  auto server =
      GrpcServer::Start(options, services, [pool_ptr, set] { return Readiness(*pool_ptr, *set); });
  if (!server.ok()) return Fail(server.status());
  (*server)->WaitForTerminationSignal();
  for (BuiltService& b : *built) {
    if (b.on_shutdown) b.on_shutdown();
  }
  return 0;
}

}  // namespace bulwark
