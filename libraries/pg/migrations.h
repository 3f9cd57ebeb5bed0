// File: libraries/pg/migrations.h
//
// Versioned schema migrations, one set per service. Each service's SQL files
// (services/<svc>/schema/migrations/NNNN_name.sql) are embedded into a MigrationSet at build
// time (//bazel:migrations.bzl), so the migration binary, the tests and the Kubernetes Job all
// apply exactly the same SQL.
//
// ApplyMigrations connects as the service's migration (owner) role and applies, in order and
// each in its own transaction, every migration newer than the version recorded in
// <schema>.schema_migrations. Migration 1 must create the schema; the runner then creates the
// version table, which the runtime role may read (to check the schema is current) but not
// write. Concurrent runners serialize on an advisory lock, so two Jobs cannot both apply.
//
// Thread-safety: pure functions over their own connections.
// Errors: INVALID_ARGUMENT for a malformed set (versions not 1..N), FAILED_PRECONDITION when
// the database is newer than this binary's set, UNAVAILABLE when unreachable; a failing
// migration rolls back and its error names the migration.

#ifndef BULWARK_LIBRARIES_PG_MIGRATIONS_H_
#define BULWARK_LIBRARIES_PG_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulwark::pg {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

struct MigrationSet {
  // Service name: the schema is named after it, the runtime role is bulwark_<service> and the
  // migration role bulwark_<service>_owner.
  std::string service;
  std::vector<Migration> migrations;

  std::string schema() const { return service; }
  std::string runtime_role() const { return "bulwark_" + service; }
  std::string owner_role() const { return "bulwark_" + service + "_owner"; }
  int latest_version() const { return migrations.empty() ? 0 : migrations.back().version; }
};

// Applies what is missing; returns the schema version afterwards.
absl::StatusOr<int> ApplyMigrations(const std::string& owner_dsn, const MigrationSet& set);

// The version recorded in the database (0 if the schema has never been migrated). Works with
// the runtime role's connection string too.
absl::StatusOr<int> SchemaVersion(const std::string& dsn, const MigrationSet& set);

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_MIGRATIONS_H_
