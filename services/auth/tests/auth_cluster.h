// File: services/auth/tests/auth_cluster.h
//
// AuthCluster (testonly): real auth server processes (one or more replicas) on a fresh,
// migrated PostgreSQL database, with a generated configuration: the four platform static
// clients with fresh tokens, a token keyring, an audit keyring, a signing key, and an allowlist
// holding "uploader". For integration tests of auth and of the services that call it.
//
// Thread-safety: test code; one cluster per test.

#ifndef BULWARK_SERVICES_AUTH_TESTS_AUTH_CLUSTER_H_
#define BULWARK_SERVICES_AUTH_TESTS_AUTH_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/hawk/credentials.h"
#include "libraries/pg/pg_test_database.h"
#include "libraries/testing/service_process.h"
#include "nlohmann/json.hpp"

namespace bulwark::auth {

class AuthCluster {
 public:
  // A complete auth configuration with fresh secrets: the four platform static clients, a
  // token keyring, an audit keyring (id "test-audit-1"), a signing key, and an allowlist
  // holding "uploader".
  static absl::StatusOr<nlohmann::json> GenerateConfig();
  // Writes `config` to a new file in the test's output directory; returns its path.
  static std::string WriteConfig(const nlohmann::json& config);

  // `extra_config` is merged into the generated configuration (e.g. {"clockSkewSeconds": 60}).
  // `extra_services`: more services whose database roles the test database should have.
  static absl::StatusOr<std::unique_ptr<AuthCluster>> Start(
      int replicas, const nlohmann::json& extra_config = nlohmann::json::object(),
      const std::vector<const pg::MigrationSet*>& extra_sets = {});

  int replicas() const { return static_cast<int>(processes_.size()); }
  testing::ServiceProcess& process(int i) { return *processes_[i]; }
  // Kills replica `i` if it still runs (SIGKILL: a crash) and starts it again on the same
  // port, with the same database and configuration; returns once it serves.
  absl::Status Restart(int replica);
  std::unique_ptr<v1::Auth::Stub> Stub(int replica = 0) const;
  // Credentials of static/bulwark/<name> (root, queue, hooks, verifier).
  hawk::Credentials Static(const std::string& name) const;
  pg::PgTestDatabase& database() { return *db_; }
  const std::string& config_path() const { return config_path_; }

 private:
  AuthCluster() = default;
  absl::StatusOr<std::unique_ptr<testing::ServiceProcess>> StartReplica(
      const std::vector<std::string>& extra_args);
  std::unique_ptr<pg::PgTestDatabase> db_;
  std::vector<std::unique_ptr<testing::ServiceProcess>> processes_;
  nlohmann::json config_;
  std::string config_path_;
};

// A ClientContext whose call is signed with `credentials` (or anonymous when null).
std::unique_ptr<grpc::ClientContext> SignedContext(const hawk::Credentials* credentials);

// A call as a service behind auth receives it (what it hands RemoteAuthenticator): `method` on
// 127.0.0.1:50052, signed by `credentials` over `body`, and the hash of `received`, the bytes
// that arrived.
CallInfo SignedCall(const hawk::Credentials& credentials, const std::string& method,
                    const std::string& body = "\n\001x", const std::string& received = "\n\001x");

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_TESTS_AUTH_CLUSTER_H_
