// File: libraries/client/internal_channel.h
//
// InternalChannel: the gRPC channel one Bulwark service uses to call another (queue → auth,
// hooks → queue, ...). gRPC's default reconnect backoff grows exponentially up to two minutes,
// so a dependency that was down for a while was used again only seconds after it came back;
// here reconnect attempts start after kInitialReconnectBackoff and never wait more than
// kMaxReconnectBackoff, so callers recover within about a second of the dependency.
//
//   auto channel = InternalChannel("auth:50051");
//
// Thread-safety: a channel is thread-safe. Errors: none here; calls fail UNAVAILABLE while the
// dependency is unreachable, as with any channel.

#ifndef BULWARK_LIBRARIES_CLIENT_INTERNAL_CHANNEL_H_
#define BULWARK_LIBRARIES_CLIENT_INTERNAL_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace bulwark {

inline constexpr absl::Duration kInitialReconnectBackoff = absl::Milliseconds(250);
inline constexpr absl::Duration kMaxReconnectBackoff = absl::Seconds(1);

// The channel arguments InternalChannel uses (exposed for tests).
grpc::ChannelArguments InternalChannelArguments();

std::shared_ptr<grpc::Channel> InternalChannel(const std::string& address);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CLIENT_INTERNAL_CHANNEL_H_
