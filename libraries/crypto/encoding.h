// File: libraries/crypto/encoding.h
//
// Small helpers shared by the crypto library: the two base64 forms it reads and
// writes, with strict (canonical) decoding so that one value has exactly one
// spelling, SHA-256 (OpenSSL), and wiping of secret buffers.
//
//   std::string text = Base64UrlEncode(bytes);  // RFC 4648 §5, no padding
//   std::string raw;
//   if (!Base64UrlDecode(text, &raw)) { /* not canonical base64url */ }
//
// Thread-safety: pure functions. Errors: decoders return false on anything that
// is not the canonical encoding of some bytes (wrong alphabet, whitespace, bad
// padding, stray bits).

#ifndef BULWARK_LIBRARIES_CRYPTO_ENCODING_H_
#define BULWARK_LIBRARIES_CRYPTO_ENCODING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace bulwark::crypto {

// URL-safe base64 without padding (RFC 4648 §5), as JOSE writes it.
std::string Base64UrlEncode(absl::string_view bytes);

// Decodes canonical URL-safe base64 without padding into `*out`. Returns false
// (and leaves
// `*out` empty) for padding, characters outside [A-Za-z0-9_-], or non-zero
// trailing bits.
bool Base64UrlDecode(absl::string_view text, std::string* out);

// Standard base64 with padding (RFC 4648 §4).
std::string Base64Encode(absl::string_view bytes);

// Decodes canonical standard base64 into `*out`; the trailing '=' padding may
// be present or omitted, nothing else is tolerated (no whitespace, no URL-safe
// characters).
bool Base64Decode(absl::string_view text, std::string* out);

// The 32 raw bytes of SHA-256(data).
std::string Sha256(absl::string_view data);

// Overwrites the contents of `*secret` (OPENSSL_cleanse) and empties it.
void Wipe(std::string* secret);

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_ENCODING_H_
