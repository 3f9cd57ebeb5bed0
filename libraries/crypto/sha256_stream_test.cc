#include "libraries/crypto/sha256_stream.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::crypto {
namespace {

TEST(Sha256StreamTest, KnownVectors) {
  EXPECT_EQ(Sha256Stream().FinishHex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256Stream abc;
  abc.Update("abc");
  EXPECT_EQ(abc.FinishHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256StreamTest, PiecesHashLikeTheWhole) {
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  Sha256Stream pieces;
  for (char c : text) pieces.Update(std::string(1, c));
  EXPECT_EQ(pieces.FinishHex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256StreamTest, FinishTwiceGivesNothingMore) {
  Sha256Stream hash;
  EXPECT_EQ(hash.Finish().size(), 32u);
  hash.Update("ignored");
  EXPECT_EQ(hash.Finish(), "");
}

TEST(Sha256StreamTest, HashesAnOpenFileFromItsOffset) {
  char path[] = "/tmp/bulwark-sha256-XXXXXX";
  process::UniqueFd fd(mkstemp(path));
  ASSERT_TRUE(fd.valid());
  unlink(path);
  ASSERT_EQ(write(fd.get(), "xxabc", 5), 5);
  ASSERT_EQ(lseek(fd.get(), 2, SEEK_SET), 2);
  absl::StatusOr<std::string> hex = Sha256HexOfFile(fd.get());
  ASSERT_TRUE(hex.ok()) << hex.status();
  EXPECT_EQ(*hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256HexOfFile(-1).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace bulwark::crypto
