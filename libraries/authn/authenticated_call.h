// File: libraries/authn/authenticated_call.h
//
// AuthenticatedCall: the common shape of every authenticated gRPC method of a Bulwark
// service. It returns the input guard's refusal if the request was refused
// (libraries/grpc_server/input_guard.h: nothing runs), reads the call (CallInfoFrom), authenticates
// it, runs `body` with the caller and the call's deadline (capped, see
// libraries/grpc_server/deadline.h) inside a CallScope that says when the client has gone
// (libraries/call/call_scope.h: no transaction commits after that, and outgoing calls made
// through FollowCaller are cancelled), and converts the result with ToGrpcStatus.
//
//   return AuthenticatedCall(authenticator_, context, v1::Queue::service_full_name(),
//                            "GetTask", [&](const Caller& caller, absl::Time deadline) {
//                              return Into(service_.GetTask(caller, id, deadline), response);
//                            });
//
// Thread-safety: a pure function of its arguments.

#ifndef BULWARK_LIBRARIES_AUTHN_AUTHENTICATED_CALL_H_
#define BULWARK_LIBRARIES_AUTHN_AUTHENTICATED_CALL_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/grpc_server/deadline.h"

namespace bulwark {

// `cap` bounds the deadline the body gets (DeadlineOf); long operations (a chain verification
// streaming hundreds of MB) pass a larger one.
grpc::Status AuthenticatedCall(const RequestAuthenticator& authenticator,
                               grpc::ServerContext* context, absl::string_view service,
                               absl::string_view method,
                               const std::function<absl::Status(const Caller&, absl::Time)>& body,
                               absl::Duration cap = kMaxCallDuration);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_AUTHENTICATED_CALL_H_
