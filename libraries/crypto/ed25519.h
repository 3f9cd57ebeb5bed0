// File: libraries/crypto/ed25519.h
//
// Ed25519 keys (RFC 8032, through OpenSSL's EVP_PKEY): generation, PEM (PKCS#8
// private keys, SubjectPublicKeyInfo public keys), raw 32-byte public keys,
// JWKs (RFC 8037: {"kty":"OKP", "crv":"Ed25519","x":...}), RFC 7638
// thumbprints, and raw 64-byte signatures over arbitrary bytes. Used for
// service-account JWTs (jwt.h) and for chain-of-trust signatures (a worker
// signs the exact bytes of chain-of-trust.json; the verifier checks them with
// the pool's public keys).
//
//   BULWARK_ASSIGN_OR_RETURN(Ed25519PrivateKey key,
//                            Ed25519PrivateKey::FromPemFile(path));
//   BULWARK_ASSIGN_OR_RETURN(std::string signature, key.Sign(bytes));
//   bool ok = key.PublicKey().Verify(bytes, signature);  // 64-byte signature
//
// Thread-safety: keys are immutable values (copies share one OpenSSL key);
// every method is const and may be called from any thread.
//
// Errors (messages never contain key material): INVALID_ARGUMENT for input that
// is not an Ed25519 key in the expected form (wrong PEM type, another
// algorithm, an encrypted private key, wrong length, bad JWK fields); NOT_FOUND
// when a key file cannot be read; INTERNAL when OpenSSL fails on valid input
// (memory exhaustion). Verify returns false rather than an error: a signature
// either verifies or it does not.

#ifndef BULWARK_LIBRARIES_CRYPTO_ED25519_H_
#define BULWARK_LIBRARIES_CRYPTO_ED25519_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace bulwark::crypto {

inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

class Ed25519PublicKey {
 public:
  // From the 32-byte encoding of RFC 8032.
  static absl::StatusOr<Ed25519PublicKey> FromRaw(absl::string_view raw);
  // From a "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo) PEM block.
  static absl::StatusOr<Ed25519PublicKey> FromPem(absl::string_view pem);
  static absl::StatusOr<Ed25519PublicKey> FromPemFile(const std::string& path);
  // From a JWK with "kty":"OKP", "crv":"Ed25519" and "x" (base64url of 32
  // bytes). Other members ("kid", "use", "alg", ...) are ignored here; a
  // private member "d" is refused so a private key is never mistaken for a
  // public one.
  static absl::StatusOr<Ed25519PublicKey> FromJwk(const nlohmann::json& jwk);

  // The 32-byte encoding.
  std::string Raw() const;
  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----\n...").
  std::string ToPem() const;
  // The minimal public JWK {"crv":"Ed25519","kty":"OKP","x":...}.
  nlohmann::json ToJwk() const;
  // The RFC 7638 thumbprint: base64url(SHA-256 of
  // {"crv":"Ed25519","kty":"OKP","x":"..."}).
  std::string Thumbprint() const;

  // Whether `signature` is a valid Ed25519 signature of `message` by this key.
  // A signature that is not 64 bytes is simply invalid.
  bool Verify(absl::string_view message, absl::string_view signature) const;

  friend bool operator==(const Ed25519PublicKey& a, const Ed25519PublicKey& b) {
    return a.Raw() == b.Raw();
  }
  friend bool operator!=(const Ed25519PublicKey& a, const Ed25519PublicKey& b) { return !(a == b); }

 private:
  friend class Ed25519PrivateKey;
  explicit Ed25519PublicKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

class Ed25519PrivateKey {
 public:
  // A new key whose 32-byte seed comes from `random` (Random::Secure() in
  // production; a SeededRandom gives reproducible keys in tests).
  static absl::StatusOr<Ed25519PrivateKey> Generate(Random& random);
  // From the 32-byte seed of RFC 8032 (the JWK "d" member, decoded).
  static absl::StatusOr<Ed25519PrivateKey> FromSeed(absl::string_view seed);
  // From an unencrypted "-----BEGIN PRIVATE KEY-----" (PKCS#8) PEM block.
  // Encrypted keys are refused (nothing here prompts for a passphrase).
  static absl::StatusOr<Ed25519PrivateKey> FromPem(absl::string_view pem);
  static absl::StatusOr<Ed25519PrivateKey> FromPemFile(const std::string& path);

  // Unencrypted PKCS#8 PEM. This is the secret: store it only where secrets
  // belong.
  absl::StatusOr<std::string> ToPem() const;
  Ed25519PublicKey PublicKey() const;
  // The 64-byte Ed25519 signature of `message` (deterministic, RFC 8032).
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

 private:
  explicit Ed25519PrivateKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_ED25519_H_
