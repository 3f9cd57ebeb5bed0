#include "libraries/authn/authenticated_call.h"

#include "libraries/call/call_scope.h"
#include "libraries/grpc_server/deadline.h"
#include "libraries/grpc_server/input_guard.h"
#include "libraries/grpc_server/status.h"

namespace bulwark {

grpc::Status AuthenticatedCall(const RequestAuthenticator& authenticator,
                               grpc::ServerContext* context, absl::string_view service,
                               absl::string_view method,
                               const std::function<absl::Status(const Caller&, absl::Time)>& body,
                               absl::Duration cap) {
  // A request the input guard refused (libraries/grpc_server/input_guard.h) runs nothing.
  absl::Status refused = RejectedInput(context);
  if (!refused.ok()) return ToGrpcStatus(refused);
  CallInfo call = CallInfoFrom(*context, MethodPath(service, method));
  absl::StatusOr<Caller> caller = authenticator.Authenticate(call);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // Everything the body does on this thread knows when its caller has gone (call_scope.h).
  CallScope scope([context] { return context->IsCancelled(); });
  return ToGrpcStatus(body(*caller, DeadlineOf(*context, cap)));
}

}  // namespace bulwark
