#include "libraries/crypto/key_id.h"

#include "absl/strings/ascii.h"

namespace bulwark::crypto {

bool IsValidKeyId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdLength) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-') return false;
  }
  return true;
}

}  // namespace bulwark::crypto
