// Issue 14 item 5: internal channels carry a reconnect backoff capped at 1-2 s (gRPC's default
// grows to two minutes). (A behavioural test — stop a server, restart it, time the reconnect —
// did not tell the capped channel from a default one reliably here, and was left out.)
#include "libraries/client/internal_channel.h"

#include <string>

#include "gtest/gtest.h"

namespace bulwark {
namespace {

TEST(InternalChannelTest, CapsTheReconnectBackoff) {
  grpc::ChannelArguments args = InternalChannelArguments();
  grpc_channel_args c = args.c_channel_args();
  int max_ms = -1;
  for (size_t i = 0; i < c.num_args; ++i) {
    if (std::string(c.args[i].key) == GRPC_ARG_MAX_RECONNECT_BACKOFF_MS) {
      max_ms = c.args[i].value.integer;
    }
  }
  EXPECT_GT(max_ms, 0);
  EXPECT_LE(max_ms, 2000);
}

}  // namespace
}  // namespace bulwark
