// File: libraries/crypto/jwt.h
//
// JSON Web Tokens signed with Ed25519 (RFC 7519 + RFC 7515 compact
// serialization, "alg": "EdDSA" of RFC 8037), and JWK Sets (RFC 7517) of
// Ed25519 public keys. Policy-free: what to issue to whom is the caller's
// business (see jwt_issuer.h for the iss/sub/aud/iat/exp helper).
//
//   BULWARK_ASSIGN_OR_RETURN(std::string token,
//                            SignJwt(claims, private_key, "sa-1"));
//   nlohmann::json jwks = ToJwks({{"sa-1", private_key.PublicKey()}});
//   BULWARK_ASSIGN_OR_RETURN(JwkSet keys, JwkSet::FromJson(jwks));
//   BULWARK_ASSIGN_OR_RETURN(VerifiedJwt jwt,
//                            VerifyJwt(token, keys, clock, "sts.example"));
//
// Tokens are header.payload.signature, each base64url without padding; the
// header is {"alg":"EdDSA","kid":<key id>,"typ":"JWT"}. VerifyJwt accepts that
// shape of token and nothing weaker: alg must be "EdDSA" (or its RFC 9864
// name "Ed25519"; never "none" or HMAC), the kid must name a key of the set,
// the signature must verify before the payload is even parsed, "crit" is
// refused, "exp" is required, and iat/nbf are checked when present, all with a
// small leeway for clock skew.
//
// Thread-safety: a JwkSet is immutable and may be shared between threads; the
// functions are pure apart from reading the clock.
//
// Errors: SignJwt returns INVALID_ARGUMENT for claims that are not a JSON
// object or not valid UTF-8. JwkSet::FromJson returns INVALID_ARGUMENT naming
// the offending key. VerifyJwt returns INVALID_ARGUMENT for an empty expected
// audience (a caller bug) and UNAUTHENTICATED for every way a token can fail,
// with a message saying which check failed (never echoing the token).

#ifndef BULWARK_LIBRARIES_CRYPTO_JWT_H_
#define BULWARK_LIBRARIES_CRYPTO_JWT_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {

// A public key with the id it is published under.
struct PublicJwk {
  std::string kid;
  Ed25519PublicKey key;
};

// {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"use":"sig","alg":"EdDSA"},
// ...]}, in the order given.
nlohmann::json ToJwks(const std::vector<PublicJwk>& keys);

// The Ed25519 keys of a JWK Set, by kid.
class JwkSet {
 public:
  // Reads {"keys":[...]}. Keys a verifier cannot use are skipped: other types
  // (kty/crv), "use" other than "sig", "alg" other than "EdDSA"/"Ed25519", and
  // keys without a kid (our tokens always name their key). A usable-looking
  // key with a malformed "x", a private member "d", an empty or non-string
  // kid, or a kid already seen is an error.
  static absl::StatusOr<JwkSet> FromJson(const nlohmann::json& jwks);
  // From keys in hand. INVALID_ARGUMENT on an empty or duplicate kid.
  static absl::StatusOr<JwkSet> FromKeys(std::vector<PublicJwk> keys);

  // The key published under `kid`, or nullptr.
  const Ed25519PublicKey* Find(absl::string_view kid) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Ed25519PublicKey, std::less<>> keys_;
};

// header.payload.signature for `claims` (a JSON object) with header
// {"alg":"EdDSA","kid":kid,"typ":"JWT"}.
absl::StatusOr<std::string> SignJwt(const nlohmann::json& claims, const Ed25519PrivateKey& key,
                                    absl::string_view kid);

struct JwtVerifyOptions {
  // Required: the token's "aud" (a string, or a list of strings) must contain
  // it.
  std::string audience;
  // When non-empty, "iss" must equal it.
  std::string issuer;
  // Allowed clock skew for exp, nbf and iat.
  absl::Duration leeway = absl::Seconds(30);
  // When set, "iat" is required and exp - iat must not exceed it.
  absl::Duration max_lifetime = absl::InfiniteDuration();
};

// A token that passed every check.
struct VerifiedJwt {
  nlohmann::json header;
  nlohmann::json claims;
};

inline constexpr size_t kMaxJwtBytes = 16 * 1024;

absl::StatusOr<VerifiedJwt> VerifyJwt(absl::string_view token, const JwkSet& keys,
                                      const Clock& clock, const JwtVerifyOptions& options);
// Shorthand with default options and the given audience.
absl::StatusOr<VerifiedJwt> VerifyJwt(absl::string_view token, const JwkSet& keys,
                                      const Clock& clock, absl::string_view audience);

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_JWT_H_
