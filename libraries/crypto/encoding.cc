#include "libraries/crypto/encoding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "absl/strings/escaping.h"

namespace bulwark::crypto {

std::string Base64UrlEncode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

bool Base64UrlDecode(absl::string_view text, std::string* out) {
  out->clear();
  std::string decoded;
  // absl accepts padding and non-canonical trailing bits; the round trip
  // rejects both.
  if (!absl::WebSafeBase64Unescape(text, &decoded) || absl::WebSafeBase64Escape(decoded) != text) {
    Wipe(&decoded);
    return false;
  }
  *out = std::move(decoded);
  return true;
}

std::string Base64Encode(absl::string_view bytes) { return absl::Base64Escape(bytes); }

bool Base64Decode(absl::string_view text, std::string* out) {
  out->clear();
  std::string decoded;
  bool ok = absl::Base64Unescape(text, &decoded);
  if (ok) {
    std::string canonical = absl::Base64Escape(decoded);
    absl::string_view unpadded = canonical;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.remove_suffix(1);
    ok = text == canonical || text == unpadded;
  }
  if (!ok) {
    Wipe(&decoded);
    return false;
  }
  *out = std::move(decoded);
  return true;
}

std::string Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    std::abort();  // SHA-256 cannot fail short of memory exhaustion.
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

void Wipe(std::string* secret) {
  if (!secret->empty()) OPENSSL_cleanse(secret->data(), secret->size());
  secret->clear();
}

}  // namespace bulwark::crypto
