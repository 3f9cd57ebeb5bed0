#include "services/worker/service/signing_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/crypto/keygen.h"
#include "libraries/crypto/random.h"
#include "libraries/process/identity.h"

namespace bulwark::worker {
namespace {

class SigningKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bulwark-key-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
    SeededRandom random(42);
    absl::StatusOr<std::string> pem = crypto::RunKeygen({"private-pem"}, random);
    ASSERT_TRUE(pem.ok()) << pem.status();
    pem_ = *pem;
    key_ = Write("key.pem", pem_, 0600);
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Write(const std::string& name, const std::string& content, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  std::string dir_;
  std::string pem_;
  std::string key_;
};

TEST_F(SigningKeyTest, LoadsTheKeyCryptoKeygenWrites) {
  absl::StatusOr<crypto::Ed25519PrivateKey> key = LoadSigningKey(key_, geteuid());
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<crypto::Ed25519PrivateKey> expected = crypto::Ed25519PrivateKey::FromPem(pem_);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(key->PublicKey(), expected->PublicKey());
  // 0400 is fine too.
  ASSERT_EQ(chmod(key_.c_str(), 0400), 0);
  EXPECT_TRUE(LoadSigningKey(key_, geteuid()).ok());
}

TEST_F(SigningKeyTest, RefusesGroupOrOtherPermissions) {
  for (mode_t mode : {0640, 0604, 0644, 0660, 0602, 0620, 0610, 0601}) {
    ASSERT_EQ(chmod(key_.c_str(), mode), 0);
    absl::StatusOr<crypto::Ed25519PrivateKey> key = LoadSigningKey(key_, geteuid());
    EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(key.status().message(),
              absl::StrCat("signing key file '", key_, "' has mode ", octal,
                           ": group and others must have no access, or a task user could read "
                           "it (chmod 600)"));
  }
}

TEST_F(SigningKeyTest, RefusesAnotherOwner) {
  const uid_t someone_else = geteuid() + 1;
  EXPECT_EQ(LoadSigningKey(key_, someone_else).status(),
            absl::FailedPreconditionError(
                absl::StrCat("signing key file '", key_, "' is owned by uid ", geteuid(),
                             ", not by the worker's uid ", someone_else, " (chown it)")));
}

TEST_F(SigningKeyTest, RefusesWhatIsNotARegularKeyFile) {
  EXPECT_EQ(LoadSigningKey(dir_ + "/missing.pem", geteuid()).status(),
            absl::NotFoundError(
                absl::StrCat("signing key file '", dir_, "/missing.pem' does not exist")));
  ASSERT_EQ(mkdir((dir_ + "/adir").c_str(), 0700), 0);
  EXPECT_EQ(LoadSigningKey(dir_ + "/adir", geteuid()).status(),
            absl::FailedPreconditionError(
                absl::StrCat("signing key file '", dir_, "/adir' is not a regular file")));
  std::string not_a_key = Write("not-a-key.pem", "hello\n", 0600);
  absl::StatusOr<crypto::Ed25519PrivateKey> garbage = LoadSigningKey(not_a_key, geteuid());
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(garbage.status().message(), "crypto_keygen private-pem"));
  std::string big = Write("big.pem", std::string(kMaxKeyFileBytes + 1, 'x'), 0600);
  EXPECT_EQ(LoadSigningKey(big, geteuid()).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SigningKeyTest, FollowsALinkButChecksTheFileItNames) {
  ASSERT_EQ(symlink(key_.c_str(), (dir_ + "/link.pem").c_str()), 0);
  EXPECT_TRUE(LoadSigningKey(dir_ + "/link.pem", geteuid()).ok());
  ASSERT_EQ(chmod(key_.c_str(), 0644), 0);  // The link's own mode (0777) is irrelevant.
  EXPECT_EQ(LoadSigningKey(dir_ + "/link.pem", geteuid()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SigningKeyTest, TheTaskUserCannotReadAProperKey) {
  if (!process::IsRoot())
    GTEST_SKIP() << "the check needs root; this test runs as uid " << geteuid();
  absl::StatusOr<process::Identity> nobody = process::LookupUser("nobody");
  if (!nobody.ok()) GTEST_SKIP() << "no user 'nobody': " << nobody.status();
  EXPECT_TRUE(CheckKeyUnreadableByTaskUser(key_, *nobody).ok());
  ASSERT_EQ(chmod(key_.c_str(), 0644), 0);
  EXPECT_EQ(CheckKeyUnreadableByTaskUser(key_, *nobody),
            absl::FailedPreconditionError(
                absl::StrCat("the task user ", nobody->Describe(), " can read signing key file '",
                             key_, "'; make it readable by the worker's user only")));
  // A file owned by the task user is refused whatever its mode.
  ASSERT_EQ(chmod(key_.c_str(), 0600), 0);
  ASSERT_EQ(chown(key_.c_str(), nobody->uid, nobody->gid), 0);
  EXPECT_EQ(CheckKeyUnreadableByTaskUser(key_, *nobody).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckKeyUnreadableByTaskUser(dir_ + "/missing", *nobody).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SigningKeyTest, WithoutRootTheTaskUserCannotBeChecked) {
  if (process::IsRoot()) GTEST_SKIP() << "checks the refusal for non-root processes";
  process::Identity other;
  other.uid = geteuid() + 1;
  EXPECT_EQ(CheckKeyUnreadableByTaskUser(key_, other).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace bulwark::worker
