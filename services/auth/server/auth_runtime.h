// File: services/auth/server/auth_runtime.h
//
// AuthRuntime: everything the auth process runs besides the gRPC server, wired from the
// configuration: the store, the keyrings, AuthService, the static-client sync at start, the
// change listener that keeps this replica in step with the others, and a background loop that
// purges expired clients and periodically reloads every role.
//
// Thread-safety: Create and Stop from the main thread; the parts are thread-safe.
// Errors: Create fails (and the process exits) on a bad configuration or when the database
// cannot be read at start.

#ifndef BULWARK_SERVICES_AUTH_SERVER_AUTH_RUNTIME_H_
#define BULWARK_SERVICES_AUTH_SERVER_AUTH_RUNTIME_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "libraries/crypto/signing_keyring.h"
#include "libraries/pg/pool.h"
#include "services/auth/server/auth_config.h"
#include "services/auth/service/auth_service.h"
#include "services/auth/service/keyring_token_sealer.h"
#include "services/auth/store/change_listener.h"
#include "services/auth/store/postgres_auth_store.h"

namespace bulwark::auth {

class AuthRuntime {
 public:
  static absl::StatusOr<std::unique_ptr<AuthRuntime>> Create(const AuthConfig& config,
                                                             pg::ConnectionPool& pool,
                                                             const std::string& database_dsn,
                                                             Clock& clock);
  ~AuthRuntime() { Stop(); }
  AuthService& service() { return *service_; }
  void Stop();

 private:
  AuthRuntime() = default;
  void BackgroundLoop(AuthConfig config);

  std::unique_ptr<PostgresAuthStore> store_;
  std::unique_ptr<KeyringTokenSealer> sealer_;
  std::unique_ptr<crypto::SigningKeyring> signing_keys_;
  std::unique_ptr<AuthService> service_;
  std::unique_ptr<ChangeListener> listener_;
  Clock* clock_ = nullptr;
  absl::Notification stop_;
  std::thread background_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_AUTH_RUNTIME_H_
