// File: libraries/crypto/keyring.h
//
// Keyring: authenticated encryption of small secrets at rest (the auth
// service's access tokens) with AES-256-GCM (OpenSSL) under a rotating list of
// keys.
//
// Configuration is a JSON list; the LAST entry is the current key:
//
//   [{"id": "2026-05", "key": "<standard base64 of 32 random bytes>"},
//    {"id": "2026-11", "key": "..."}]
//
// Ids are 1 to 64 characters of [A-Za-z0-9._:-] and unique; keys decode to
// exactly 32 bytes; no other fields are accepted (a misspelt field is an error,
// not a silent default). `GenerateKeyringEntry` makes a new entry.
//
// Sealed value (one line of ASCII, fits a text column):
//
//   v1.<kid>.<iv>.<ciphertext>.<tag>
//
// where iv (12 bytes, fresh from the injected Random for every Encrypt),
// ciphertext (as long as the plaintext) and tag (16 bytes) are base64url
// without padding. The authenticated data given to GCM is "bulwark-keyring-v1"
// NUL kid NUL associated_data, so neither the key id nor the caller's
// associated data (e.g. "client:" + clientId, which stops a sealed token being
// copied onto another row) can be changed without Decrypt failing.
//
// Rotation: append a new key to the configuration and restart. Old values still
// decrypt (the key is chosen by the kid inside the value); new values use the
// new key; NeedsReencrypt and Reencrypt let a background job move old values
// forward; once none remain, drop the old key. Random 96-bit IVs are safe for
// 2^32 encryptions per key (NIST SP 800-38D); rotate well before.
//
// Thread-safety: a Keyring is immutable; all methods are const and may be
// called concurrently provided the Random it was given is thread-safe
// (Random::Secure() is; a SeededRandom is not). Copies share the key material,
// which is wiped when the last copy goes away.
//
// Errors (never containing key material or plaintext):
// - FromJson / Create: INVALID_ARGUMENT naming the offending entry
//   ("keyring[1] (id \"k2\"): ...").
// - Encrypt: INVALID_ARGUMENT for a plaintext or associated data over
//   kMaxInputBytes; INTERNAL if OpenSSL fails.
// - Decrypt: DATA_LOSS for a value that is not a v1 sealed value or does not
//   authenticate (tampered, truncated, or sealed with other associated data);
//   FAILED_PRECONDITION naming the kid when the value was sealed with a key
//   that is not in the keyring.
//
//   BULWARK_ASSIGN_OR_RETURN(
//       Keyring ring, Keyring::FromJson(config, Random::Secure()));
//   BULWARK_ASSIGN_OR_RETURN(
//       std::string sealed, ring.Encrypt(token, "client:" + client_id));
//   BULWARK_ASSIGN_OR_RETURN(
//       std::string token, ring.Decrypt(sealed, "client:" + client_id));

#ifndef BULWARK_LIBRARIES_CRYPTO_KEYRING_H_
#define BULWARK_LIBRARIES_CRYPTO_KEYRING_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/crypto/key_id.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {

// One key of a keyring: its id and its 32 raw bytes.
struct KeyringKey {
  std::string id;
  std::string key;
};

class Keyring {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kIvBytes = 12;
  static constexpr size_t kTagBytes = 16;
  static constexpr size_t kMaxInputBytes = 1 << 20;

  // Parses and validates the JSON configuration described above. `random`
  // supplies the IVs and must outlive the keyring.
  static absl::StatusOr<Keyring> FromJson(const nlohmann::json& config, Random& random);
  // The same, from a file holding that JSON. INVALID_ARGUMENT names the file when it cannot be
  // read or is not JSON.
  static absl::StatusOr<Keyring> FromFile(const std::string& path, Random& random);
  // The same checks for keys given directly (raw 32-byte keys); the last one is
  // current.
  static absl::StatusOr<Keyring> Create(std::vector<KeyringKey> keys, Random& random);

  // Seals `plaintext` with the current key, binding `associated_data`.
  absl::StatusOr<std::string> Encrypt(absl::string_view plaintext,
                                      absl::string_view associated_data) const;
  // Opens a value made by Encrypt with the same `associated_data`.
  absl::StatusOr<std::string> Decrypt(absl::string_view sealed,
                                      absl::string_view associated_data) const;
  // Whether `sealed` names a key other than the current one (no decryption is
  // attempted). DATA_LOSS if it is not a sealed value at all.
  absl::StatusOr<bool> NeedsReencrypt(absl::string_view sealed) const;
  // Decrypt, then Encrypt with the current key (a fresh IV even if the key is
  // unchanged).
  absl::StatusOr<std::string> Reencrypt(absl::string_view sealed,
                                        absl::string_view associated_data) const;

  // The id of the current (last) key.
  const std::string& current_key_id() const;
  // All key ids, in configuration order.
  std::vector<std::string> key_ids() const;

 private:
  struct State;
  Keyring(std::shared_ptr<const State> state, Random* random)
      : state_(std::move(state)), random_(random) {}

  std::shared_ptr<const State> state_;
  Random* random_;
};

// A new configuration entry {"id": id, "key": base64 of 32 bytes from
// `random`}, for tooling and tests. INVALID_ARGUMENT if `id` is not a valid key
// id.
absl::StatusOr<nlohmann::json> GenerateKeyringEntry(absl::string_view id, Random& random);

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_KEYRING_H_
