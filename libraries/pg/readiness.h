// File: libraries/pg/readiness.h
//
// SchemaReadiness: whether a service may report SERVING as far as its database goes: the
// database answers through the service's pool, and the service's schema is migrated to at least
// the version of the binary's MigrationSet. The health service calls it; it is the one
// connectivity check of the pg library.
//
// Thread-safety: thread-safe (uses one pooled connection).
// Errors: UNAVAILABLE / DEADLINE_EXCEEDED when the database does not answer within `timeout`;
// FAILED_PRECONDITION (naming the versions) when the schema is missing or behind: run migrations.

#ifndef BULWARK_LIBRARIES_PG_READINESS_H_
#define BULWARK_LIBRARIES_PG_READINESS_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libraries/pg/migrations.h"
#include "libraries/pg/pool.h"

namespace bulwark::pg {

absl::Status SchemaReadiness(ConnectionPool& pool, const MigrationSet& set,
                             absl::Duration timeout = absl::Seconds(2));

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_READINESS_H_
