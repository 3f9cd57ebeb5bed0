// File: libraries/client/dependency.h
//
// How a Bulwark service calls another one and what its own caller then sees.
//
//   grpc::ClientContext context;
//   SetDeadline(context, deadline);   // the incoming call's deadline (or a background round's)
//   grpc::Status s = stub->CreateTask(&context, request, &response);
//   return DependencyStatus("queue", s, Signer::kOwnCredentials);
//
// DependencyStatus passes the dependency's answer on honestly:
//   DEADLINE_EXCEEDED, CANCELLED          unchanged: the caller's deadline ran out
//   UNAVAILABLE                           UNAVAILABLE, "the <dep> service is unavailable ...;
//   retry" UNAUTHENTICATED on a call signed with this service's own credentials: the service is
//                                         misconfigured, not the caller. Logged as an error for
//                                         the operator; the caller gets UNAVAILABLE.
//   INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED   INTERNAL (logged; the caller sees a generic text)
//   anything else (INVALID_ARGUMENT, PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS,
//   FAILED_PRECONDITION, RESOURCE_EXHAUSTED, ...) unchanged, message included: it is about the
//                                         request the caller made.
//
// Thread-safety: pure functions (logging is thread-safe).

#ifndef BULWARK_LIBRARIES_CLIENT_DEPENDENCY_H_
#define BULWARK_LIBRARIES_CLIENT_DEPENDENCY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace bulwark {

// Whose credentials signed the outgoing call.
enum class Signer {
  kNone,            // unsigned (e.g. auth.AuthenticateRequest, which carries the caller's header)
  kOwnCredentials,  // this service's own static client
};

// Sets `deadline` on the outgoing call (an infinite deadline is left unset).
void SetDeadline(grpc::ClientContext& context, absl::Time deadline);

absl::Status DependencyStatus(absl::string_view dependency, const grpc::Status& status,
                              Signer signer);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CLIENT_DEPENDENCY_H_
