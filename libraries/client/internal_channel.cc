#include "libraries/client/internal_channel.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace bulwark {

grpc::ChannelArguments InternalChannelArguments() {
  grpc::ChannelArguments args;
  const int initial = static_cast<int>(absl::ToInt64Milliseconds(kInitialReconnectBackoff));
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, initial);
  // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also uses it as the connect timeout (20 s by
  // default); lowering it makes a call to a frozen dependency fail UNAVAILABLE before its
  // deadline instead of DEADLINE_EXCEEDED at it (tests/deadlines).
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(absl::ToInt64Milliseconds(kMaxReconnectBackoff)));
  return args;
}

std::shared_ptr<grpc::Channel> InternalChannel(const std::string& address) {
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   InternalChannelArguments());
}

}  // namespace bulwark
