#include "libraries/hawk/digest.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>

#include "absl/strings/escaping.h"

namespace bulwark::hawk {

namespace {

// OpenSSL 3 looks algorithms up by name on every one-shot call (a shared,
// locked store), so each thread keeps one HMAC-SHA256 context and one SHA-256
// digest fetched once, and only re-keys or re-initialises them per call.
EVP_MAC_CTX* ThreadHmacContext() {
  static EVP_MAC* const mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  struct Holder {
    EVP_MAC_CTX* ctx = nullptr;
    ~Holder() { EVP_MAC_CTX_free(ctx); }
  };
  thread_local Holder holder;
  if (holder.ctx == nullptr) {
    holder.ctx = EVP_MAC_CTX_new(mac);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    static const unsigned char kNoKey = 0;
    if (holder.ctx == nullptr || EVP_MAC_init(holder.ctx, &kNoKey, 1, params) != 1) {
      std::abort();
    }
  }
  return holder.ctx;
}

const EVP_MD* Sha256Digest() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

}  // namespace

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  EVP_MAC_CTX* ctx = ThreadHmacContext();
  // OpenSSL wants a non-null key pointer even for an empty key.
  static const unsigned char kEmpty = 0;
  const unsigned char* key_data =
      key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t length = 0;
  if (EVP_MAC_init(ctx, key_data, key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out, &length, sizeof(out)) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string Sha256(absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, Sha256Digest(), nullptr) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string Base64(absl::string_view bytes) { return absl::Base64Escape(bytes); }

std::string Base64UrlNoPadding(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bulwark::hawk
