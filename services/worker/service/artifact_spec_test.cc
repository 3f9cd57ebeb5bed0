#include "services/worker/service/artifact_spec.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace bulwark::worker {
namespace {

TEST(ArtifactNamesTest, ReservesTheWorkersOwnArtifacts) {
  for (absl::string_view name :
       {"public/chain-of-trust.json", "public/chain-of-trust.json.sig",
        "public/logs/live_backing.log", "public/logs/live.log", "public/logs/chain_of_trust.log"}) {
    EXPECT_TRUE(IsReservedArtifactName(name)) << name;
    EXPECT_TRUE(CheckArtifactName(name).ok()) << name;  // Valid, merely reserved.
  }
  for (absl::string_view name : {"public/chain-of-trust.json.asc", "public/logs/live_backing",
                                 "Public/chain-of-trust.json", "public/logs"}) {
    EXPECT_FALSE(IsReservedArtifactName(name)) << name;
  }
}

TEST(ArtifactNamesTest, ChecksTheSpelling) {
  EXPECT_TRUE(CheckArtifactName("public/build/target.tar.gz").ok());
  EXPECT_TRUE(CheckArtifactName("a").ok());
  EXPECT_TRUE(CheckArtifactName("with space/..x/x..").ok());
  EXPECT_TRUE(CheckArtifactName(std::string(1024, 'a')).ok());
  EXPECT_EQ(CheckArtifactName(std::string(1025, 'a')),
            absl::InvalidArgumentError("artifact name must be 1 to 1024 characters long"));
  EXPECT_EQ(CheckArtifactName("").code(), absl::StatusCode::kInvalidArgument);
  for (absl::string_view name : {"/a", "a/", "a//b", "./a", "a/./b", "a/..", "../a"}) {
    EXPECT_EQ(
        CheckArtifactName(name),
        absl::InvalidArgumentError(absl::StrCat(
            "artifact name '", name, "' must be '/'-separated segments, none empty, '.' or '..'")))
        << name;
  }
  EXPECT_EQ(CheckArtifactName("a\nb"),
            absl::InvalidArgumentError("artifact name 'a\\nb' must be printable ASCII"));
  EXPECT_EQ(CheckArtifactName("caf\xc3\xa9").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::worker
