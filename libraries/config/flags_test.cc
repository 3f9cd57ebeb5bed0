#include "libraries/config/flags.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace bulwark {
namespace {

TEST(FlagsTest, ParsesBothForms) {
  const char* argv[] = {"bin", "--listen=127.0.0.1:1", "--config", "c.json", "pos"};
  auto flags = Flags::Parse(5, argv, {"listen", "config"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->Get("listen"), "127.0.0.1:1");
  EXPECT_EQ(flags->Get("config"), "c.json");
  EXPECT_EQ(flags->positional(), std::vector<std::string>{"pos"});
  EXPECT_EQ(flags->Get("missing", "dflt"), "dflt");
}

TEST(FlagsTest, RejectsUnknownAndValueless) {
  const char* unknown[] = {"bin", "--nope=1"};
  EXPECT_EQ(Flags::Parse(2, unknown, {"listen"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const char* valueless[] = {"bin", "--listen"};
  EXPECT_EQ(Flags::Parse(2, valueless, {"listen"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FlagsTest, EnvironmentIsOverriddenByCommandLine) {
  setenv("BULWARK_DRAIN_DEADLINE", "7s", 1);
  const char* argv[] = {"bin"};
  auto flags = Flags::Parse(1, argv, {"drain-deadline"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags->GetDuration("drain-deadline", absl::Seconds(1)), absl::Seconds(7));
  const char* argv2[] = {"bin", "--drain-deadline=3s"};
  flags = Flags::Parse(2, argv2, {"drain-deadline"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags->GetDuration("drain-deadline", absl::Seconds(1)), absl::Seconds(3));
  const char* bad[] = {"bin", "--drain-deadline=soon"};
  flags = Flags::Parse(2, bad, {"drain-deadline"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->GetDuration("drain-deadline", absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  unsetenv("BULWARK_DRAIN_DEADLINE");
}

TEST(FlagsTest, SwitchesTakeNoValue) {
  const char* argv[] = {"bin", "--plaintext", "--listen", "127.0.0.1:1"};
  auto flags = Flags::Parse(4, argv, {"listen"}, {"plaintext"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(*flags->GetBool("plaintext"), true);
  EXPECT_EQ(flags->Get("listen"), "127.0.0.1:1");
  const char* off[] = {"bin", "--plaintext=false"};
  flags = Flags::Parse(2, off, {}, {"plaintext"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags->GetBool("plaintext"), false);
  EXPECT_EQ(*flags->GetBool("absent"), false);
  const char* bad[] = {"bin", "--plaintext=maybe"};
  flags = Flags::Parse(2, bad, {}, {"plaintext"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->GetBool("plaintext").status().code(), absl::StatusCode::kInvalidArgument);
  const char* last[] = {"bin", "--plaintext"};
  EXPECT_TRUE(Flags::Parse(2, last, {}, {"plaintext"}).ok());
}

}  // namespace
}  // namespace bulwark
