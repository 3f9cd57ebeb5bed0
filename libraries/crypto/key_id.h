// File: libraries/crypto/key_id.h
//
// The one rule for key ids, shared by the token keyring (keyring.h) and the
// signing keyring (signing_keyring.h): 1 to 64 characters of [A-Za-z0-9._:-].
// Ids travel inside sealed values and JWT headers, so they stay short,
// printable and free of separators other than '.'.
//
// Thread-safety: pure functions. Errors: none.

#ifndef BULWARK_LIBRARIES_CRYPTO_KEY_ID_H_
#define BULWARK_LIBRARIES_CRYPTO_KEY_ID_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace bulwark::crypto {

inline constexpr size_t kMaxKeyIdLength = 64;

// Whether `id` is a valid key id.
bool IsValidKeyId(absl::string_view id);

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_KEY_ID_H_
