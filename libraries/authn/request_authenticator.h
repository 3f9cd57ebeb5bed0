// File: libraries/authn/request_authenticator.h
//
// The server side of Bulwark authentication, as every service uses it:
//   CallInfoFrom(context, method)   what a call carried: its method path, the :authority the
//                                   client dialled and the `authorization` metadata
//   RequestAuthenticator            turns a CallInfo into a Caller (clientId + expanded
//                                   scopes), or UNAUTHENTICATED / INVALID_ARGUMENT
//   ScopedReceivedPayload           the payload hash the server computed over the received
//                                   request bytes (payload_hashing_service.h sets it)
// and then Authorize (caller.h) checks a method's scope expression; AuthenticatedCall
// (authenticated_call.h) is the shape every adapter method uses.
// The auth service authenticates locally; every other service uses RemoteAuthenticator
// (remote_authenticator.h), which asks auth.AuthenticateRequest, so only auth ever sees
// access tokens (invariant 1).
//
// Thread-safety: implementations are thread-safe.

#ifndef BULWARK_LIBRARIES_AUTHN_REQUEST_AUTHENTICATOR_H_
#define BULWARK_LIBRARIES_AUTHN_REQUEST_AUTHENTICATOR_H_

#include <optional>
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
  // The Hawk payload hash of the request message bytes the server received (hawk::
  // GrpcPayloadHash), computed before parsing (payload_hashing_service.h); none when the
  // server could not compute it (a streaming method, or a method that was not set up to).
  std::optional<std::string> payload_hash;
  // Whether a header without a `hash` is refused: true unless the method is read-only or
  // streaming (protos/README.md). Fail-closed: a method the server did not set up refuses
  // every signed call.
  bool payload_hash_required = true;
};

// What the server knows of the payload of the call being handled on this thread.
struct ReceivedPayload {
  std::optional<std::string> hash;
  bool hash_required = true;
  // A streaming method: no hash can be checked, and none is required.
  static ReceivedPayload Streaming() { return {std::nullopt, false}; }
};

// Makes `payload` the received payload of `context`'s call for CallInfoFrom, on this thread,
// while it lives (the sync server runs a handler on one thread). Nests.
class ScopedReceivedPayload {
 public:
  ScopedReceivedPayload(const grpc::ServerContext* context, ReceivedPayload payload);
  ~ScopedReceivedPayload();
  ScopedReceivedPayload(const ScopedReceivedPayload&) = delete;
  ScopedReceivedPayload& operator=(const ScopedReceivedPayload&) = delete;

  const grpc::ServerContext* context() const { return context_; }
  const ReceivedPayload& payload() const { return payload_; }

 private:
  const grpc::ServerContext* const context_;
  const ReceivedPayload payload_;
  const ScopedReceivedPayload* const previous_;
};

// Reads the call's metadata, and its received payload (ScopedReceivedPayload) if one is set
// for `context`. `method` is the full method path of the handler.
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
