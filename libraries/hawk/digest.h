// File: libraries/hawk/digest.h
//
// The cryptographic building blocks of Hawk and of Taskcluster's temporary
// credentials: HMAC-SHA256 and SHA-256 (OpenSSL), the two base64 forms they are
// written in (standard with padding, and URL-safe without padding), and a
// constant-time comparison for secrets and MACs.
//
//   std::string mac = Base64(HmacSha256(access_token, normalized));
//   bool same = ConstantTimeEquals(mac, attributes.mac);
//
// Thread-safety: pure functions. Errors: none (OpenSSL failures on these fixed
// algorithms cannot happen short of memory exhaustion, and abort the process).

#ifndef BULWARK_LIBRARIES_HAWK_DIGEST_H_
#define BULWARK_LIBRARIES_HAWK_DIGEST_H_

#include <string>

#include "absl/strings/string_view.h"

namespace bulwark::hawk {

// The 32 raw bytes of HMAC-SHA256(key, data).
std::string HmacSha256(absl::string_view key, absl::string_view data);

// The 32 raw bytes of SHA-256(data).
std::string Sha256(absl::string_view data);

// Standard base64 with padding (Node's `digest('base64')`).
std::string Base64(absl::string_view bytes);

// URL-safe base64 without padding (RFC 4648 §5; Taskcluster's temporary access
// tokens).
std::string Base64UrlNoPadding(absl::string_view bytes);

// True when `a` and `b` are equal. The time taken depends only on the lengths,
// never on the contents (CRYPTO_memcmp), so it is safe for MACs and signatures
// whose length is public.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_DIGEST_H_
