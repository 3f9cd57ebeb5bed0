#include "libraries/crypto/sha256_stream.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace bulwark::crypto {

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
    std::fprintf(stderr, "fatal: OpenSSL cannot start a SHA-256 digest\n");
    std::abort();
  }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(context_); }

void Sha256Stream::Update(absl::string_view data) {
  if (finished_ || data.empty()) return;
  EVP_DigestUpdate(context_, data.data(), data.size());
}

std::string Sha256Stream::Finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (finished_) return "";
  finished_ = true;
  EVP_DigestFinal_ex(context_, digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Sha256Stream::FinishHex() { return absl::BytesToHexString(Finish()); }

absl::StatusOr<std::string> Sha256HexOfFile(int fd) {
  Sha256Stream hash;
  std::vector<char> buffer(size_t{64} * 1024);
  for (;;) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read the file to hash it: ", std::strerror(errno)));
    }
    if (n == 0) break;
    hash.Update(absl::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  return hash.FinishHex();
}

}  // namespace bulwark::crypto
