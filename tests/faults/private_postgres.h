// File: tests/faults/private_postgres.h
//
// PrivatePostgres (testonly): a PostgreSQL cluster of the fault suite's own, which the test may
// stop, restart and freeze without touching the shared test cluster. It runs
// deploy/local/pgcluster.sh on a free loopback port in a fresh directory under /tmp (the
// cluster runs as the unprivileged postgres user, which cannot reach Bazel's test directory
// under /root), and the destructor stops it and removes the directory.
//
//   auto pg = PrivatePostgres::Start();
//   setenv("BULWARK_TEST_PG_ADMIN", (*pg)->AdminDsn().c_str(), 1);   // for PgTestDatabase
//   (*pg)->Restart();  (*pg)->Crash();  (*pg)->Freeze();  (*pg)->Thaw();
//
// Thread-safety: test code; one object per test. Errors: Start/Restart return INTERNAL with the
// script's exit status when pgcluster.sh fails.

#ifndef BULWARK_TESTS_FAULTS_PRIVATE_POSTGRES_H_
#define BULWARK_TESTS_FAULTS_PRIVATE_POSTGRES_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulwark::testing {

class PrivatePostgres {
 public:
  static absl::StatusOr<std::unique_ptr<PrivatePostgres>> Start();
  ~PrivatePostgres();

  std::string AdminDsn() const;
  int port() const { return port_; }
  // A fast shutdown (every connection is closed) and a start on the same port.
  absl::Status Restart();
  // SIGKILL to one of the postmaster's server processes: PostgreSQL ends every connection and
  // runs crash recovery (which empties unlogged tables), as after a real crash. Returns once
  // the signal is sent; the server accepts connections again a moment later.
  absl::Status Crash();
  // SIGSTOP / SIGCONT to the postmaster and all its children: a server that answers nothing.
  absl::Status Freeze();
  void Thaw();

 private:
  PrivatePostgres() = default;
  absl::Status Run(const std::string& args) const;
  // The postmaster's pid and its children's.
  absl::StatusOr<std::vector<pid_t>> ServerProcesses() const;

  std::string script_;
  std::string dir_;
  int port_ = 0;
  std::vector<pid_t> frozen_;
};

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_FAULTS_PRIVATE_POSTGRES_H_
