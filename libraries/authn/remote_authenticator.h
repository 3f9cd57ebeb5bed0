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
// With `dial_replica` (the runtimes pass one), each call goes to the auth replica that owns its
// header's nonce partition once an answer has named it (auth_replica_router.h), else to
// `auth_channel`. The call to auth gets the incoming call's deadline, capped at `timeout`. With a
// HostBinding (host_binding.h), a call signed for a name this service does not answer to is refused
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
#include "grpcpp/channel.h"
#include "libraries/authn/auth_replica_router.h"
#include "libraries/authn/host_binding.h"
#include "libraries/authn/request_authenticator.h"

namespace bulwark {

class RemoteAuthenticator final : public RequestAuthenticator {
 public:
  explicit RemoteAuthenticator(std::shared_ptr<grpc::Channel> auth_channel,
                               absl::Duration timeout = absl::Seconds(5))
      : router_(std::make_unique<AuthReplicaRouter>(std::move(auth_channel), nullptr)),
        timeout_(timeout) {}
  RemoteAuthenticator(std::shared_ptr<grpc::Channel> auth_channel, HostBinding hosts,
                      AuthReplicaRouter::Dial dial_replica = nullptr,
                      absl::Duration timeout = absl::Seconds(5))
      : router_(
            std::make_unique<AuthReplicaRouter>(std::move(auth_channel), std::move(dial_replica))),
        timeout_(timeout),
        hosts_(std::move(hosts)) {}

  absl::StatusOr<Caller> Authenticate(const CallInfo& call) const override;

  const AuthReplicaRouter& router() const { return *router_; }

 private:
  const std::unique_ptr<AuthReplicaRouter> router_;
  const absl::Duration timeout_;
  const HostBinding hosts_;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_REMOTE_AUTHENTICATOR_H_
