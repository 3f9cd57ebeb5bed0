// File: libraries/hawk/request.h
//
// Request: the parts of a call that a Hawk MAC covers, as Bulwark maps gRPC
// onto Hawk (ARCHITECTURE §2): method "POST", resource = the full gRPC method
// path ("/bulwark.queue.v1.Queue/CreateTask"), host and port = the
// `:authority` the client dialled, and the `authorization` metadata value.
// ParseAuthority splits an authority the same way on the signing and the
// verifying side, as Node's url.parse does for the URL a Hawk client signs:
// "Host:50051" gives host "Host", port 50051; "[::1]:50051" gives host "::1";
// an authority without a port gets `default_port`.
//
// Thread-safety: Request is a value; ParseAuthority is a pure function.
// Errors: ParseAuthority returns INVALID_ARGUMENT for an empty host, a bad
// port (not 0..65535 in decimal), a '/', '@', whitespace or control
// character, or unbalanced IPv6 brackets.

#ifndef BULWARK_LIBRARIES_HAWK_REQUEST_H_
#define BULWARK_LIBRARIES_HAWK_REQUEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulwark::hawk {

// gRPC calls are always signed as POST.
inline constexpr absl::string_view kGrpcMethod = "POST";

struct Request {
  std::string method = std::string(kGrpcMethod);
  // Path (and query, if any) exactly as sent; for gRPC the method path.
  std::string resource;
  // Compared lower-cased.
  std::string host;
  int port = 443;
  // The `Authorization: Hawk ...` value; empty when the call carried none.
  std::string authorization;
  // Not part of the signature: bounds the work of authenticating it (the client lookup). The
  // incoming call's deadline.
  absl::Time deadline = absl::InfiniteFuture();
};

struct HostPort {
  std::string host;
  int port = 0;
};

// Splits a gRPC `:authority` into Hawk's host and port.
absl::StatusOr<HostPort> ParseAuthority(absl::string_view authority, int default_port = 443);

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_REQUEST_H_
