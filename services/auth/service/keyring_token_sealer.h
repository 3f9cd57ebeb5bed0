// File: services/auth/service/keyring_token_sealer.h
//
// KeyringTokenSealer: the production TokenSealer. Access tokens are sealed with AES-256-GCM
// under the newest key of the configured keyring (crypto::Keyring); the key id travels with
// the sealed value, so after a rotation (a new key appended to tokenKeys) old tokens still
// open and new ones use the new key. The associated data "bulwark-auth-client:<clientId>"
// binds each sealed token to its client.
//
// Thread-safety: safe for concurrent use (the keyring is immutable).
// Errors: those of crypto::Keyring (FAILED_PRECONDITION for an unknown key id, DATA_LOSS for
// a value that does not authenticate).

#ifndef BULWARK_SERVICES_AUTH_SERVICE_KEYRING_TOKEN_SEALER_H_
#define BULWARK_SERVICES_AUTH_SERVICE_KEYRING_TOKEN_SEALER_H_

#include "libraries/crypto/keyring.h"
#include "services/auth/service/token_sealer.h"

namespace bulwark::auth {

class KeyringTokenSealer final : public TokenSealer {
 public:
  explicit KeyringTokenSealer(crypto::Keyring keyring) : keyring_(std::move(keyring)) {}
  absl::StatusOr<std::string> Seal(const std::string& token,
                                   const std::string& client_id) override {
    return keyring_.Encrypt(token, "bulwark-auth-client:" + client_id);
  }
  absl::StatusOr<std::string> Unseal(const std::string& sealed,
                                     const std::string& client_id) override {
    return keyring_.Decrypt(sealed, "bulwark-auth-client:" + client_id);
  }

 private:
  const crypto::Keyring keyring_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_KEYRING_TOKEN_SEALER_H_
