#include "libraries/testing/pseudo_random_bytes.h"

#include <set>

#include "gtest/gtest.h"

namespace bulwark::testing {
namespace {

TEST(PseudoRandomBytesTest, RepeatableBySeedAndPrefixStable) {
  EXPECT_EQ(PseudoRandomBytes(1000, 7), PseudoRandomBytes(1000, 7));
  EXPECT_NE(PseudoRandomBytes(1000, 7), PseudoRandomBytes(1000, 8));
  EXPECT_EQ(PseudoRandomBytes(10, 7), PseudoRandomBytes(1000, 7).substr(0, 10));
  EXPECT_EQ(PseudoRandomBytes(0, 7), "");
  EXPECT_EQ(PseudoRandomBytes(1 << 20, 3).size(), 1u << 20);
}

TEST(PseudoRandomBytesTest, UsesManyByteValues) {
  std::string bytes = PseudoRandomBytes(1 << 16, 1);
  std::set<char> seen(bytes.begin(), bytes.end());
  EXPECT_EQ(seen.size(), 256u);
}

}  // namespace
}  // namespace bulwark::testing
