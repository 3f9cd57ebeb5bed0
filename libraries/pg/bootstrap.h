// File: libraries/pg/bootstrap.h
//
// Database bootstrap, run with an administrator's connection (a superuser or a role with
// CREATEROLE and CREATEDB): creates, for each service, its runtime role bulwark_<svc> and
// its migration role bulwark_<svc>_owner (LOGIN, no other attribute, no membership), creates
// the database, lets only those roles connect, gives each migration role CREATE on the
// database (so its first migration can create the service's schema), and takes away PUBLIC's
// TEMP and CONNECT rights. Idempotent.
//
// In production the platform's DBA does the same once; locally `./dev up` and the tests call
// it. Thread-safety: concurrent calls are safe (they serialize on an advisory lock).
// Errors: UNAVAILABLE when the server is unreachable, PERMISSION_DENIED when the
// administrator lacks rights, INVALID_ARGUMENT for a bad name.

#ifndef BULWARK_LIBRARIES_PG_BOOTSTRAP_H_
#define BULWARK_LIBRARIES_PG_BOOTSTRAP_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace bulwark::pg {

struct BootstrapOptions {
  // Connection string of the administrator, to any database of the cluster, in libpq's
  // keyword=value form (see dsn.h).
  std::string admin_dsn;
  // The database to create (if missing) and prepare.
  std::string database = "bulwark";
  // Services whose roles to create ("auth", "queue", ...).
  std::vector<std::string> services;
  // Password per role name; roles not listed get no password (cannot log in over TCP).
  std::map<std::string, std::string> passwords;
  // If true, existing roles get the passwords above again; if false, only new roles do.
  bool reset_passwords = false;
};

absl::Status Bootstrap(const BootstrapOptions& options);

// Drops a database (terminating its sessions). For tests.
absl::Status DropDatabase(const std::string& admin_dsn, const std::string& database);

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_BOOTSTRAP_H_
