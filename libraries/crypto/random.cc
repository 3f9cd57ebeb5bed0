#include "libraries/crypto/random.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <regex>

#include "absl/strings/escaping.h"

namespace bulwark {
namespace {

class SecureRandom final : public Random {
 public:
  std::string Bytes(size_t n) override {
    std::string out(n, '\0');
    if (n > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
      std::abort();
    }
    return out;
  }
};

std::string Slugid(Random& random, bool nice) {
  std::string b = random.Bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  if (nice) b[0] = static_cast<char>(b[0] & 0x7f);
  std::string s = absl::WebSafeBase64Escape(b);  // 22 characters, no padding
  return s;
}

}  // namespace

Random& Random::Secure() {
  static SecureRandom* const random = new SecureRandom();
  return *random;
}

std::string SeededRandom::Bytes(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(engine_() & 0xff);
  return out;
}

std::string NiceSlugid(Random& random) { return Slugid(random, true); }

std::string NewAccessToken(Random& random) { return Slugid(random, false) + Slugid(random, false); }

bool IsSlugid(const std::string& s) {
  static const std::regex* const pattern = new std::regex(
      "^[A-Za-z0-9_-]{8}[Q-T][A-Za-z0-9_-][CGKOSWaeimquy26-][A-Za-z0-9_-]{10}[AQgw]$");
  return std::regex_match(s, *pattern);
}

}  // namespace bulwark
