// File: libraries/call/call_scope.h
//
// CallScope: whether the caller of the call this thread is serving has gone away (cancelled the
// call, closed the connection, or let its deadline pass), without the service and store layers
// knowing about gRPC. The gRPC adapter installs one for the length of a handler
// (AuthenticatedCall, libraries/authn/authenticated_call.h, and the few handlers that do not
// authenticate through it); everything below asks CallScope::CallerGone():
//   - pg::RunTransaction checks it when it starts and again just before COMMIT, and rolls back
//     (CANCELLED, logged "caller went away; rolled back") instead of committing for nobody;
//   - the in-memory stores check it before they change anything (CheckCallerPresent), so the
//     fakes and PostgreSQL agree in the conformance suites;
//   - an outgoing call made on the caller's behalf is cancelled with it (FollowCaller,
//     libraries/client/follow_caller.h).
//
//   // adapter, once per call:
//   CallScope scope([context] { return context->IsCancelled(); });
//   return ToGrpcStatus(body(...));
//   // anywhere below, on the same thread:
//   if (CallScope::CallerGone()) return absl::CancelledError("...");
//
// Why ambient, not a parameter: every mutating path already receives the call's deadline; a
// cancellation predicate carried next to it would change hundreds of signatures across four
// services and their conformance suites, and each new method would be one more place to forget
// it. One scope set in the one place every authenticated handler passes through covers every
// path, new ones included, and work that has no caller (sweepers, the hooks scheduler, startup)
// runs on threads that never install a scope, so it can never be "cancelled" by this - it keeps
// its own bounded deadline. The cost is the usual one of thread-local context: work handed to
// another thread does not see the scope unless it is carried there (Current() + a CallScope on
// that thread); no store write in this project is handed off today.
//
// A step that must finish once begun even if the caller leaves (recording the outcome of a hook
// fire whose task may already exist) runs inside `CallScope detached = CallScope::Detached();`,
// still bounded by its deadline.
//
// Thread-safety: a scope belongs to the thread that created it and must be destroyed on it
// (scopes nest; destruction restores the enclosing one). The predicate may be called from that
// thread at any time while the scope lives; it must be thread-safe if handed to another thread.
// Errors: CallerGoneError is CANCELLED with a message naming the operation.

#ifndef BULWARK_LIBRARIES_CALL_CALL_SCOPE_H_
#define BULWARK_LIBRARIES_CALL_CALL_SCOPE_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bulwark {

class CallScope {
 public:
  // Installs `caller_gone` (null: a caller that never goes away) on this thread until the scope
  // is destroyed.
  explicit CallScope(std::function<bool()> caller_gone);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

  // A scope with no caller to lose: inside it, CallerGone() is false.
  static CallScope Detached() { return CallScope(nullptr); }

  // Whether the innermost scope on this thread says its caller has gone (false without one).
  static bool CallerGone();
  // The innermost scope's predicate (null without one), to carry to another thread.
  static std::function<bool()> Current();

 private:
  std::function<bool()> caller_gone_;
  const CallScope* enclosing_;
};

// CANCELLED: "<operation>: the caller went away; nothing was written".
absl::Status CallerGoneError(absl::string_view operation);

// OK while the caller is present; CallerGoneError(operation) once it has gone.
absl::Status CheckCallerPresent(absl::string_view operation);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CALL_CALL_SCOPE_H_
