// File: services/auth/server/grpc_replay_forwarder.h
//
// GrpcReplayForwarder: the ReplayForwarder (services/auth/service/replay_forwarder.h) over gRPC.
// Forward calls bulwark.auth.v1.AuthReplicas/RecordNonce (replicas.proto) on the auth replica at
// `address`, through a channel from `dial` (the runtime passes ServiceContext::Channel, so the
// call presents auth's own client certificate over mutual TLS; no Hawk header is sent). It uses
// gRPC's callback client API: no thread waits for the answer, and `done` runs once, on a gRPC
// thread (or on the calling thread when the call is refused before it starts).
//
//   GrpcReplayForwarder forwarder([&context](const std::string& address) {
//     return context.Channel(address);
//   });
//   forwarder.Forward("10.0.0.7:50051", id, ts, nonce, forget_after, deadline,
//                     [](absl::Status recorded) { ... });
//
// The call carries `deadline` (at most kMaxForwardDuration from now, so that an infinite one
// cannot leave a call pending forever). One stub (and channel) is kept per address; the cache is
// dropped whole when it would exceed max_cached_addresses (partition owners change rarely, so
// it only refills after a reshuffle). Calls in flight keep their own stub.
//
// Answers (replay_forwarder.h's contract):
//   OK                                   the owner recorded the triple
//   ALREADY_EXISTS, RESOURCE_EXHAUSTED   the owner's answer, code and message unchanged
//   FAILED_PRECONDITION from the owner   UNAVAILABLE: the partition is moving; retry
//   DEADLINE_EXCEEDED                    DEADLINE_EXCEEDED (also at once, without a call, when
//                                        `deadline` has already passed)
//   anything else (UNAVAILABLE, PERMISSION_DENIED, UNAUTHENTICATED, INVALID_ARGUMENT,
//   INTERNAL, CANCELLED, ...)            UNAVAILABLE naming the address and the owner's code and
//                                        message; retry
// Never OK unless the owner answered OK.
//
// Thread-safety: thread-safe; `dial` may be called from any thread that calls Forward (under
// the cache's lock, so it must not call back into the forwarder). The forwarder may be
// destroyed while calls are in flight: their callbacks use nothing of it.

#ifndef BULWARK_SERVICES_AUTH_SERVER_GRPC_REPLAY_FORWARDER_H_
#define BULWARK_SERVICES_AUTH_SERVER_GRPC_REPLAY_FORWARDER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bulwark/auth/v1/replicas.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "libraries/hawk/nonce_cache.h"
#include "services/auth/service/replay_forwarder.h"

namespace bulwark::auth {

// The longest a forwarded call may take, whatever the deadline it was given.
inline constexpr absl::Duration kMaxForwardDuration = absl::Seconds(30);

class GrpcReplayForwarder final : public ReplayForwarder {
 public:
  using Dial = std::function<std::shared_ptr<grpc::Channel>(const std::string& address)>;

  explicit GrpcReplayForwarder(Dial dial, size_t max_cached_addresses = 64)
      : dial_(std::move(dial)), max_cached_addresses_(max_cached_addresses) {}

  void Forward(absl::string_view address, absl::string_view id, absl::string_view ts,
               absl::string_view nonce, absl::Time forget_after, absl::Time deadline,
               hawk::NonceCache::RecordDone done) override;

  // Forward's answer for the owner's `status` (exposed for tests).
  static absl::Status ForwardedStatus(absl::string_view address, const grpc::Status& status);

 private:
  using Stub = v1::AuthReplicas::Stub;
  // The cached stub for `address`, dialling it if needed; null when `dial` gave no channel.
  std::shared_ptr<Stub> StubFor(const std::string& address) ABSL_LOCKS_EXCLUDED(mu_);

  const Dial dial_;
  const size_t max_cached_addresses_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Stub>> stubs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_GRPC_REPLAY_FORWARDER_H_
