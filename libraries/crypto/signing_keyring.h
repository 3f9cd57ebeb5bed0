// File: libraries/crypto/signing_keyring.h
//
// SigningKeyring: the Ed25519 keys a service signs JWTs with (auth's
// ServiceAccountToken), one of them current, all of them published (GetJwks) so
// tokens signed before a rotation still verify.
//
// Configuration is a JSON list; the LAST entry is the current key:
//
//   [{"id": "sa-1", "privateKeyPem": "-----BEGIN PRIVATE KEY-----\n..."},
//    {"privateKeyFile": "/etc/bulwark/sa-2.pem"}]
//
// Each entry has exactly one of "privateKeyPem" (unencrypted PKCS#8 PEM text)
// or "privateKeyFile" (a path to such a file), and optionally "id" (1 to 64
// characters of [A-Za-z0-9._:-]); without an id the key's RFC 7638 thumbprint
// is used. Ids are unique and a key may not appear twice. No other fields are
// accepted.
//
// Rotation: append the new key (it becomes current and signs from the next
// restart), keep the old one until every token it signed has expired (at most
// the token lifetime, 1 h for service-account tokens), then remove it.
//
//   BULWARK_ASSIGN_OR_RETURN(SigningKeyring ring,
//                            SigningKeyring::FromJson(config));
//   const SigningKey& key = ring.current();
//   BULWARK_ASSIGN_OR_RETURN(std::string jwt,
//                            SignJwt(claims, key.key, key.id));
//   nlohmann::json jwks = ring.Jwks();
//
// Thread-safety: immutable after construction; share it freely.
// Errors: INVALID_ARGUMENT naming the entry ("signing keyring[1] (id \"sa-2\"):
// ...") and never containing key material; NOT_FOUND when a privateKeyFile
// cannot be read.

#ifndef BULWARK_LIBRARIES_CRYPTO_SIGNING_KEYRING_H_
#define BULWARK_LIBRARIES_CRYPTO_SIGNING_KEYRING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/jwt.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {

// A private key with the id its tokens carry ("kid") and its public key is
// published under.
struct SigningKey {
  std::string id;
  Ed25519PrivateKey key;
};

class SigningKeyring {
 public:
  static absl::StatusOr<SigningKeyring> FromJson(const nlohmann::json& config);
  // One PKCS#8 PEM file per key, ids = thumbprints, the last file current.
  static absl::StatusOr<SigningKeyring> FromPemFiles(const std::vector<std::string>& paths);
  // Keys in hand; the last is current.
  static absl::StatusOr<SigningKeyring> Create(std::vector<SigningKey> keys);

  // The key new tokens are signed with.
  const SigningKey& current() const { return keys_.back(); }
  const std::vector<SigningKey>& keys() const { return keys_; }
  // The key with id `kid`, or nullptr.
  const SigningKey* Find(absl::string_view kid) const;

  // The public JWK Set of every key (ToJwks), for GetJwks.
  nlohmann::json Jwks() const;
  // The same keys, ready for VerifyJwt.
  const JwkSet& public_keys() const { return public_keys_; }

 private:
  SigningKeyring(std::vector<SigningKey> keys, JwkSet public_keys)
      : keys_(std::move(keys)), public_keys_(std::move(public_keys)) {}

  std::vector<SigningKey> keys_;
  JwkSet public_keys_;
};

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_SIGNING_KEYRING_H_
