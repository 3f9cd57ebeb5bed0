#include "libraries/hawk/request.h"

#include "gtest/gtest.h"

namespace bulwark::hawk {
namespace {

TEST(ParseAuthorityTest, HostAndPort) {
  absl::StatusOr<HostPort> parsed = ParseAuthority("Queue.Example.com:50052");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->host, "Queue.Example.com");  // lower-cased only in the MAC
  EXPECT_EQ(parsed->port, 50052);
}

TEST(ParseAuthorityTest, DefaultPort) {
  EXPECT_EQ(ParseAuthority("auth.example.com")->port, 443);
  EXPECT_EQ(ParseAuthority("auth.example.com", 80)->port, 80);
}

TEST(ParseAuthorityTest, Ipv6InBrackets) {
  absl::StatusOr<HostPort> parsed = ParseAuthority("[::1]:50051");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->host, "::1");  // as Node's url.parse(...).hostname
  EXPECT_EQ(parsed->port, 50051);
  EXPECT_EQ(ParseAuthority("[fe80::1]")->port, 443);
}

TEST(ParseAuthorityTest, RejectsMalformed) {
  for (const char* bad : {"", ":50051", "host:", "host:port", "host:65536", "host:-1",
                          "host:123456", "a:b:c", "::1", "[::1", "[::1]x", "[::1]:", "[]:1",
                          "ho st:1", "host/x:1", "user@host:1", "host\n:1", "h\x7f:1"}) {
    EXPECT_FALSE(ParseAuthority(bad).ok()) << bad;
    EXPECT_EQ(ParseAuthority(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseAuthority("h:65535")->port, 65535);
  EXPECT_EQ(ParseAuthority("h:0")->port, 0);
}

}  // namespace
}  // namespace bulwark::hawk
