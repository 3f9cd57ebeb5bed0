// File: libraries/client/follow_caller.h
//
// FollowCaller: makes an outgoing unary call on behalf of the call this thread is serving and
// cancels it (ClientContext::TryCancel) as soon as that call's caller has gone
// (CallScope::CallerGone, libraries/call/call_scope.h), so that a dependency does not go on to
// commit work for a client nobody is answering. The dependency sees its call cancelled and rolls
// back what it had not committed (every service checks its own CallScope before COMMIT).
//
//   grpc::ClientContext context;
//   SetDeadline(context, deadline);
//   grpc::Status s = FollowCaller(context, [&](std::function<void(grpc::Status)> done) {
//     stub->async()->CreateTask(&context, &request, &response, std::move(done));
//   });
//
// `start` must start exactly one call with the callback API and hand it `done`. Without a
// CallScope (background work) the call is never cancelled by this; its deadline still bounds it.
// A cancellation that races the dependency's COMMIT can still find it committed: the answer is
// CANCELLED either way, which callers must treat as "outcome unknown" (as they treat
// DEADLINE_EXCEEDED).
//
// Thread-safety: call from the thread that serves the call (the one holding its CallScope); it
// blocks until the outgoing call has finished. Errors: the outgoing call's own status.

#ifndef BULWARK_LIBRARIES_CLIENT_FOLLOW_CALLER_H_
#define BULWARK_LIBRARIES_CLIENT_FOLLOW_CALLER_H_

#include <functional>

#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace bulwark {

// How often the caller's presence is looked at while the outgoing call runs.
inline constexpr absl::Duration kFollowCallerPoll = absl::Milliseconds(50);

grpc::Status FollowCaller(grpc::ClientContext& context,
                          const std::function<void(std::function<void(grpc::Status)>)>& start);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CLIENT_FOLLOW_CALLER_H_
