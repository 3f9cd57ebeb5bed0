// File: libraries/crypto/random.h
//
// Random: the injected source of randomness for secrets, nonces and identifiers. Production
// code takes a `Random&` and main passes Random::Secure() (OpenSSL's RAND_bytes); tests pass a
// SeededRandom, which is deterministic and must never be used for real secrets.
//
// Also: Slugid, Taskcluster's identifier format (22 characters of URL-safe base64 without
// padding of a random v4 UUID; "nice" slugids start with a letter-or-digit-ish character:
// their first byte's top bit is clear so the first character is in [A-Za-f]), and
// AccessToken (two slugids: 44 characters).
//
// Thread-safety: Secure() is thread-safe; a SeededRandom must not be shared between threads
// without external locking. Errors: Secure() aborts the process if the system generator fails
// (nothing sensible can continue without randomness).

#ifndef BULWARK_LIBRARIES_CRYPTO_RANDOM_H_
#define BULWARK_LIBRARIES_CRYPTO_RANDOM_H_

#include <cstdint>
#include <random>
#include <string>

namespace bulwark {

class Random {
 public:
  virtual ~Random() = default;
  // `n` random bytes.
  virtual std::string Bytes(size_t n) = 0;

  // The process-wide cryptographically secure generator.
  static Random& Secure();
};

// Deterministic bytes from a seed; for tests only.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  std::string Bytes(size_t n) override;

 private:
  std::mt19937_64 engine_;
};

// A v4 slugid whose first character is in [A-Za-f] (Taskcluster's "nice" slugid).
std::string NiceSlugid(Random& random);

// A 44-character access token: two v4 slugids, as Taskcluster issues them.
std::string NewAccessToken(Random& random);

// Whether `s` has the form of a v4 slugid (Taskcluster's taskId pattern).
bool IsSlugid(const std::string& s);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CRYPTO_RANDOM_H_
