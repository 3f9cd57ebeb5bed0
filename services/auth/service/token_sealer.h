// File: services/auth/service/token_sealer.h
//
// TokenSealer: how the auth service protects access tokens at rest. Only auth holds the keys
// (invariant 1). The production sealer is KeyringTokenSealer (keyring_token_sealer.h,
// AES-256-GCM with a rotating keyring); the client id is bound in as associated data, so a
// sealed token copied onto another client's row does not open.
//
// Thread-safety: implementations must be safe for concurrent use.
// Errors: Unseal returns FAILED_PRECONDITION for an unknown key id and DATA_LOSS for a value
// that does not authenticate.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_TOKEN_SEALER_H_
#define BULWARK_SERVICES_AUTH_SERVICE_TOKEN_SEALER_H_

#include <string>

#include "absl/status/statusor.h"

namespace bulwark::auth {

class TokenSealer {
 public:
  virtual ~TokenSealer() = default;
  virtual absl::StatusOr<std::string> Seal(const std::string& token,
                                           const std::string& client_id) = 0;
  virtual absl::StatusOr<std::string> Unseal(const std::string& sealed,
                                             const std::string& client_id) = 0;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_TOKEN_SEALER_H_
