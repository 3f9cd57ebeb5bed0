// File: libraries/crypto/sha256_stream.h
//
// Sha256Stream: SHA-256 (OpenSSL EVP) over data that arrives in pieces - the task log as it is
// written, an artifact as it is read for upload - so that nothing has to be held in memory.
// Sha256HexOfFile hashes an open file from its current offset to its end.
//
//   Sha256Stream hash;
//   hash.Update(piece1);
//   hash.Update(piece2);
//   std::string hex = hash.FinishHex();  // 64 lowercase hex digits
//
// Thread-safety: a Sha256Stream is not thread-safe (callers lock); distinct objects are
// independent. Errors: a Sha256Stream aborts the process if OpenSSL cannot allocate its
// context (memory exhaustion; nothing sensible can continue); Update after Finish* is a
// programming error and is ignored. Sha256HexOfFile returns FAILED_PRECONDITION naming the
// read error.

#ifndef BULWARK_LIBRARIES_CRYPTO_SHA256_STREAM_H_
#define BULWARK_LIBRARIES_CRYPTO_SHA256_STREAM_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace bulwark::crypto {

class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(absl::string_view data);
  // The 32-byte digest; the stream is finished afterwards.
  std::string Finish();
  // The digest as 64 lowercase hexadecimal digits; the stream is finished afterwards.
  std::string FinishHex();

 private:
  evp_md_ctx_st* context_;
  bool finished_ = false;
};

// The SHA-256 (lowercase hex) of everything readable from `fd`, from its current offset.
absl::StatusOr<std::string> Sha256HexOfFile(int fd);

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_SHA256_STREAM_H_
