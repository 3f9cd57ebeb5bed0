// File: libraries/hawk/mac.h
//
// The Hawk 9 request MAC (auth.md §4.1): the normalized string a MAC covers,
// the MAC itself (base64 of HMAC-SHA256 keyed with the access token), and the
// optional payload hash.
//
// The normalized string is these lines, each ending in "\n": hawk.1.header,
// ts, nonce, METHOD (upper-cased), resource (as sent), host (lower-cased),
// port, hash (or empty), ext (with "\" written "\\" and a newline written
// "\n"); then, only when `app` is set, app and dlg (or empty). Taskcluster
// never sets app.
//
//   MacFields fields;
//   fields.ts = "1353832234";
//   fields.nonce = "j4h3g2";
//   fields.method = "POST";
//   fields.resource = "/bulwark.queue.v1.Queue/CreateTask";
//   fields.host = "queue.example.com";
//   fields.port = 443;
//   std::string mac = CalculateMac(access_token, fields);
//
// Thread-safety: pure functions. Errors: none.

#ifndef BULWARK_LIBRARIES_HAWK_MAC_H_
#define BULWARK_LIBRARIES_HAWK_MAC_H_

#include <string>

#include "absl/strings/string_view.h"

namespace bulwark::hawk {

// What a Hawk request MAC covers. The views must outlive the call they are
// passed to.
struct MacFields {
  absl::string_view ts;
  absl::string_view nonce;
  absl::string_view method;
  absl::string_view resource;
  absl::string_view host;
  int port = 0;
  absl::string_view hash;
  absl::string_view ext;
  absl::string_view app;
  absl::string_view dlg;
};

// Hawk's generateNormalizedString('header', fields).
std::string NormalizedString(const MacFields& fields);

// base64(HMAC-SHA256(key, NormalizedString(fields))).
std::string CalculateMac(absl::string_view key, const MacFields& fields);

// Hawk's calculatePayloadHash with sha256: base64(SHA-256("hawk.1.payload\n" +
// content type without parameters, trimmed, lower-cased + "\n" + payload +
// "\n")).
std::string PayloadHash(absl::string_view payload, absl::string_view content_type);

// The content type of a gRPC request's payload hash (what gRPC sends as `content-type`). A
// Bulwark request's `hash` is PayloadHash(<the serialized request message exactly as sent>,
// kGrpcContentType) (protos/README.md).
inline constexpr absl::string_view kGrpcContentType = "application/grpc";

// PayloadHash(message_bytes, kGrpcContentType).
inline std::string GrpcPayloadHash(absl::string_view message_bytes) {
  return PayloadHash(message_bytes, kGrpcContentType);
}

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_MAC_H_
