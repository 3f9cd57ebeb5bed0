// File: libraries/authn/request_authenticator.h
//
// The server side of Bulwark authentication, as every service uses it:
//   CallInfoFrom(context, method)   what a call carried: its method path, the :authority the
//                                   client dialled and the `authorization` metadata
//   RequestAuthenticator            turns a CallInfo into a Caller (clientId + expanded
//                                   scopes), or UNAUTHENTICATED / INVALID_ARGUMENT
// and then Authorize (caller.h) checks a method's scope expression; AuthenticatedCall
// (authenticated_call.h) is the shape every adapter method uses.
// The auth service authenticates locally; every other service uses RemoteAuthenticator
// (remote_authenticator.h), which asks auth.AuthenticateRequest, so only auth ever sees
// access tokens (invariant 1).
//
// Thread-safety: implementations are thread-safe.

#ifndef BULWARK_LIBRARIES_AUTHN_REQUEST_AUTHENTICATOR_H_
#define BULWARK_LIBRARIES_AUTHN_REQUEST_AUTHENTICATOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "libraries/authn/caller.h"
#include "libraries/scopes/expression.h"

namespace bulwark {

struct CallInfo {
  std::string method;         // "/bulwark.queue.v1.Queue/CreateTask"
  std::string authority;      // "127.0.0.1:50052"
  std::string authorization;  // empty when the call carried none
  std::string peer;
  absl::Time deadline = absl::InfiniteFuture();
};

// Reads the call's metadata. `method` is the full method path of the handler.
CallInfo CallInfoFrom(const grpc::ServerContext& context, absl::string_view method);

// The full method path of `method` in service `service_full_name`.
std::string MethodPath(absl::string_view service_full_name, absl::string_view method);

class RequestAuthenticator {
 public:
  virtual ~RequestAuthenticator() = default;
  // The caller (anonymous when the call carried no credentials), or UNAUTHENTICATED with the
  // reason, INVALID_ARGUMENT for a malformed request (e.g. an over-long header), or
  // UNAVAILABLE when authentication itself could not be done.
  virtual absl::StatusOr<Caller> Authenticate(const CallInfo& call) const = 0;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_REQUEST_AUTHENTICATOR_H_
