#include "libraries/hawk/replay_partition.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace bulwark::hawk {
namespace {

std::string Header(absl::string_view id, absl::string_view ts, absl::string_view nonce) {
  return absl::StrCat("Hawk id=\"", id, "\", ts=\"", ts, "\", nonce=\"", nonce, "\", mac=\"bWFj\"");
}

TEST(ReplayPartitionTest, HeaderPartitionIsTheDigestsOfItsTriple) {
  for (int i = 0; i < 200; ++i) {
    const std::string nonce = absl::StrCat("n", i);
    const std::optional<int> p = ReplayPartitionOfHeader(Header("client", "1700000000", nonce));
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(*p, ReplayPartitionOf(InMemoryNonceCache::Digest("client", "1700000000", nonce)));
  }
}

TEST(ReplayPartitionTest, EveryFieldOfTheTripleCounts) {
  // The same nonce under other ids or timestamps lands in other partitions (not all equal).
  std::set<int> seen;
  for (int i = 0; i < 64; ++i) {
    seen.insert(*ReplayPartitionOfHeader(Header(absl::StrCat("c", i), "1700000000", "n")));
    seen.insert(*ReplayPartitionOfHeader(Header("c", absl::StrCat(1700000000 + i), "n")));
  }
  EXPECT_GT(seen.size(), 32u);
  for (int p : seen) {
    EXPECT_GE(p, 0);
    EXPECT_LT(p, kReplayPartitions);
  }
}

TEST(ReplayPartitionTest, SpreadsOverEveryPartition) {
  std::set<int> seen;
  for (int i = 0; i < 4096; ++i) {
    seen.insert(*ReplayPartitionOfHeader(Header("c", "1700000000", absl::StrCat("nonce-", i))));
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kReplayPartitions));
}

TEST(ReplayPartitionTest, NoTripleNoPartition) {
  EXPECT_FALSE(ReplayPartitionOfHeader("").has_value());
  EXPECT_FALSE(ReplayPartitionOfHeader("Bearer abc").has_value());
  EXPECT_FALSE(ReplayPartitionOfHeader("Hawk id=\"c\", ts=\"1\", mac=\"bWFj\"").has_value());
  EXPECT_FALSE(
      ReplayPartitionOfHeader("Hawk id=\"c\", ts=\"1\", nonce=\"n\", id=\"d\"").has_value());
  EXPECT_FALSE(ReplayPartitionOfHeader(std::string(5000, 'x')).has_value());
}

}  // namespace
}  // namespace bulwark::hawk
