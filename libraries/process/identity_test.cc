#include "libraries/process/identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::process {
namespace {

TEST(LookupUserTest, FindsRootByNameAndNumber) {
  absl::StatusOr<Identity> by_name = LookupUser("root");
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  EXPECT_EQ(by_name->uid, 0u);
  EXPECT_EQ(by_name->gid, 0u);
  EXPECT_EQ(by_name->name, "root");
  EXPECT_EQ(by_name->Describe(), "root (uid 0, gid 0)");
  absl::StatusOr<Identity> by_number = LookupUser("0");
  ASSERT_TRUE(by_number.ok()) << by_number.status();
  EXPECT_EQ(by_number->name, "root");
}

TEST(LookupUserTest, UnknownAndEmptyNamesAreErrors) {
  absl::StatusOr<Identity> unknown = LookupUser("bulwark-no-such-user");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "no user 'bulwark-no-such-user' in the user database");
  EXPECT_EQ(LookupUser("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CurrentIdentityTest, IsTheEffectiveIdentity) {
  Identity me = CurrentIdentity();
  EXPECT_EQ(me.uid, geteuid());
  EXPECT_EQ(me.gid, getegid());
  EXPECT_EQ(IsRoot(), geteuid() == 0);
}

class FsIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "WithFsIdentity needs root; this test runs as uid " << geteuid();
    absl::StatusOr<Identity> nobody = LookupUser("nobody");
    if (!nobody.ok()) GTEST_SKIP() << "no user 'nobody': " << nobody.status();
    nobody_ = *nobody;
    char pattern[] = "/tmp/bulwark-identity-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  std::string File(const std::string& name, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << "content\n";
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  // errno of open(path) as `identity`, 0 if it opened.
  int OpenErrnoAs(const Identity& identity, const std::string& path) {
    int error = -1;
    absl::Status status = WithFsIdentity(identity, [&]() -> absl::Status {
      UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
      error = fd.valid() ? 0 : errno;
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return error;
  }

  Identity nobody_;
  std::string dir_;
};

TEST_F(FsIdentityTest, OpensAreCheckedAsTheOtherUserAndRestoredAfterwards) {
  std::string secret = File("secret", 0600);
  std::string shared = File("shared", 0644);
  EXPECT_EQ(OpenErrnoAs(nobody_, secret), EACCES);
  EXPECT_EQ(OpenErrnoAs(nobody_, shared), 0);
  // Back to root: root reads the 0600 file again.
  UniqueFd fd(open(secret.c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(fd.valid());
  EXPECT_EQ(CurrentIdentity().uid, 0u);
}

TEST_F(FsIdentityTest, RootsGroupsDoNotLeakIntoTheOtherUser) {
  // Readable by group root only: root's supplementary groups must not count for nobody.
  std::string group_only = File("group-only", 0640);
  ASSERT_EQ(chown(group_only.c_str(), 0, 0), 0);
  EXPECT_EQ(OpenErrnoAs(nobody_, group_only), EACCES);
}

TEST_F(FsIdentityTest, ReturnsTheFunctionsStatus) {
  absl::Status status =
      WithFsIdentity(nobody_, [] { return absl::NotFoundError("from the function"); });
  EXPECT_EQ(status, absl::NotFoundError("from the function"));
  UniqueFd fd(open(File("after", 0600).c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(fd.valid()) << "identity not restored after a failing function";
}

TEST(WithFsIdentityTest, RefusesWithoutRoot) {
  if (IsRoot()) GTEST_SKIP() << "checks the refusal for non-root processes";
  Identity other;
  other.uid = 12345;
  absl::Status status = WithFsIdentity(other, [] { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(), "requires root"));
}

}  // namespace
}  // namespace bulwark::process
