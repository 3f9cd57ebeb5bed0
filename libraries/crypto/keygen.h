// File: libraries/crypto/keygen.h
//
// RunKeygen: the logic of the `crypto_keygen` command, which makes the keys
// the rest of the library reads, so deployments and ./dev never hand-roll them:
//
//   crypto_keygen token-key ID     {"id":ID,"key":"<base64 of 32 bytes>"}:
//                                  an entry for the token keyring (keyring.h)
//   crypto_keygen signing-key [ID] {"id":ID,"privateKeyPem":"..."}: an entry
//                                  for the signing keyring (signing_keyring.h);
//                                  the id defaults to the key's thumbprint
//   crypto_keygen private-pem      a new Ed25519 key as PKCS#8 PEM (e.g. a
//                                  worker's chain-of-trust signing key)
//   crypto_keygen public-pem FILE  the SubjectPublicKeyInfo PEM of the private
//                                  key in FILE
//   crypto_keygen public-raw FILE  base64 of the 32 raw bytes of its public key (the
//                                  form the verifier's policy lists worker keys in)
//   crypto_keygen jwk FILE         the public JWK of the private key in FILE,
//                                  with its thumbprint as kid
//
// The output is what the command prints (secrets included: it is a key
// generator). Thread-safety: as safe as `random`. Errors: INVALID_ARGUMENT
// with the usage for bad arguments; the key loaders' errors for FILE.

#ifndef BULWARK_LIBRARIES_CRYPTO_KEYGEN_H_
#define BULWARK_LIBRARIES_CRYPTO_KEYGEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libraries/crypto/random.h"

namespace bulwark::crypto {

// `args` excludes the program name.
absl::StatusOr<std::string> RunKeygen(const std::vector<std::string>& args, Random& random);

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_KEYGEN_H_
