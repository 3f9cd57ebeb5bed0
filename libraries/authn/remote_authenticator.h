// File: libraries/authn/remote_authenticator.h
//
// RemoteAuthenticator: the RequestAuthenticator of every service but auth. It forwards the
// call's method path, authority and authorization metadata to auth.AuthenticateRequest
// (without credentials of its own, as Taskcluster services call authenticateHawk) and turns
// the answer into a Caller. The service never sees an access token (invariant 1).
//
//   RemoteAuthenticator authenticator(grpc::CreateChannel("127.0.0.1:50051", …));
//   BULWARK_ASSIGN_OR_RETURN(Caller caller,
//       authenticator.Authenticate(CallInfoFrom(*context, kCreateTaskPath)));
//
// The call to auth gets the incoming call's deadline, capped at `timeout`. With a HostBinding
// (host_binding.h), a call signed for a name this service does not answer to is refused
// (UNAUTHENTICATED) before auth is asked. The channel to auth is made by the runtime with
// client/channel.h, over mutual TLS unless the stack runs --plaintext.
//
// Thread-safety: thread-safe. Errors: UNAUTHENTICATED with auth's reason for bad
// credentials, INVALID_ARGUMENT for malformed ones; auth's own failures as
// client/dependency.h passes them on: DEADLINE_EXCEEDED when the deadline ran out, UNAVAILABLE
// when auth cannot be reached (the caller may retry; it never turns into an anonymous call), and
// UNAVAILABLE (logged as a configuration error) when auth refuses this service's own call
// (its TLS client certificate is not one auth accepts).

#ifndef BULWARK_LIBRARIES_AUTHN_REMOTE_AUTHENTICATOR_H_
#define BULWARK_LIBRARIES_AUTHN_REMOTE_AUTHENTICATOR_H_

#include <memory>

#include "absl/time/time.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "grpcpp/channel.h"
#include "libraries/authn/host_binding.h"
#include "libraries/authn/request_authenticator.h"

namespace bulwark {

class RemoteAuthenticator final : public RequestAuthenticator {
 public:
  explicit RemoteAuthenticator(std::shared_ptr<grpc::Channel> auth_channel,
                               absl::Duration timeout = absl::Seconds(5))
      : stub_(auth::v1::Auth::NewStub(auth_channel)), timeout_(timeout) {}
  RemoteAuthenticator(std::shared_ptr<grpc::Channel> auth_channel, HostBinding hosts,
                      absl::Duration timeout = absl::Seconds(5))
      : stub_(auth::v1::Auth::NewStub(auth_channel)), timeout_(timeout), hosts_(std::move(hosts)) {}

  absl::StatusOr<Caller> Authenticate(const CallInfo& call) const override;

 private:
  std::unique_ptr<auth::v1::Auth::Stub> stub_;
  const absl::Duration timeout_;
  const HostBinding hosts_;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_REMOTE_AUTHENTICATOR_H_
