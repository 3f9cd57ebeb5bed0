#include "services/worker/service/artifact_paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/process/identity.h"

namespace bulwark::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ArtifactSpec File(const std::string& name, const std::string& path) {
  return ArtifactSpec{name, path, ArtifactType::kFile, std::nullopt};
}
ArtifactSpec Directory(const std::string& name, const std::string& path) {
  return ArtifactSpec{name, path, ArtifactType::kDirectory, std::nullopt};
}

std::string ReadAll(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
  return out;
}

// A scratch area holding a task directory ("task") and things outside it ("outside").
class ArtifactPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bulwark-artifacts-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr) << std::strerror(errno);
    base_ = pattern;
    ASSERT_EQ(chmod(base_.c_str(), 0755), 0);
    task_ = base_ + "/task";
    ASSERT_EQ(mkdir(task_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((base_ + "/outside").c_str(), 0755), 0);
    Write(base_ + "/outside/secret", "outside secret");
  }
  void TearDown() override { std::system(("rm -rf '" + base_ + "'").c_str()); }

  static void Write(const std::string& path, const std::string& content) {
    std::ofstream(path) << content;
  }
  void Mkdirs(const std::string& relative) {
    std::string command = "mkdir -p '" + task_ + "/" + relative + "'";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  void TaskFile(const std::string& relative, const std::string& content) {
    Write(task_ + "/" + relative, content);
  }
  void Symlink(const std::string& target, const std::string& relative) {
    ASSERT_EQ(symlink(target.c_str(), (task_ + "/" + relative).c_str()), 0) << std::strerror(errno);
  }

  absl::StatusOr<std::vector<ResolvedArtifact>> Resolve(const std::vector<ArtifactSpec>& specs,
                                                        const ResolveOptions& options = {}) {
    return ResolveArtifacts(task_, specs, options);
  }

  static std::vector<std::string> Names(const std::vector<ResolvedArtifact>& artifacts) {
    std::vector<std::string> names;
    for (const ResolvedArtifact& a : artifacts) names.push_back(a.name);
    return names;
  }

  std::string base_;
  std::string task_;
};

TEST_F(ArtifactPathsTest, OpensAFileThatIsFine) {
  Mkdirs("out");
  TaskFile("out/a.txt", "hello");
  ArtifactSpec spec = File("public/build/a.txt", "./out//a.txt");
  spec.expires = absl::FromUnixSeconds(2000000000);
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({spec});
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 1u);
  const ResolvedArtifact& file = (*files)[0];
  EXPECT_EQ(file.name, "public/build/a.txt");
  EXPECT_EQ(file.path, "out/a.txt");
  EXPECT_EQ(file.size, 5u);
  EXPECT_EQ(file.expires, absl::FromUnixSeconds(2000000000));
  EXPECT_EQ(fcntl(file.fd.get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(file.fd.get(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(ReadAll(file.fd.get()), "hello");
}

TEST_F(ArtifactPathsTest, RefusesAbsolutePaths) {
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({File("public/p", "/etc/passwd")});
  EXPECT_EQ(files.status(),
            absl::InvalidArgumentError("artifact 'public/p': the path '/etc/passwd' is absolute; "
                                       "artifact paths are relative to the task directory"));
}

TEST_F(ArtifactPathsTest, RefusesDotDotComponents) {
  Mkdirs("a");
  for (const char* path : {"..", "../outside/secret", "a/../../outside/secret", "a/..", "a/../a"}) {
    absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({File("public/x", path)});
    EXPECT_EQ(files.status(), absl::InvalidArgumentError(absl::StrCat(
                                  "artifact 'public/x': the path '", path,
                                  "' contains a '..' component; artifacts must stay inside the "
                                  "task directory")));
  }
}

TEST_F(ArtifactPathsTest, RefusesASymlinkToEtcPasswd) {
  Symlink("/etc/passwd", "passwd");
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({File("public/passwd", "passwd")});
  EXPECT_EQ(files.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(files.status().message(),
            "artifact 'public/passwd': 'passwd' resolves outside the task directory (through a "
            "symbolic link, or an absolute symbolic link)");
}

TEST_F(ArtifactPathsTest, RefusesARelativeSymlinkThatClimbsOut) {
  Mkdirs("out");
  Symlink("../../outside/secret", "out/secret");
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({File("public/s", "out/secret")});
  EXPECT_EQ(files.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(files.status().message()), HasSubstr("resolves outside the task"));
}

TEST_F(ArtifactPathsTest, RefusesASymlinkedDirectoryPointingOut) {
  Symlink(base_ + "/outside", "out");
  absl::StatusOr<std::vector<ResolvedArtifact>> file = Resolve({File("public/s", "out/secret")});
  EXPECT_EQ(file.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(file.status().message()),
              HasSubstr("'out/secret' resolves outside the task directory"));
  absl::StatusOr<std::vector<ResolvedArtifact>> directory = Resolve({Directory("public/o", "out")});
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(directory.status().message()),
              HasSubstr("'out' resolves outside the task directory"));
  // Relative, climbing out.
  Symlink("../outside", "up");
  EXPECT_EQ(Resolve({File("public/s", "up/secret")}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ArtifactPathsTest, FollowsSymlinksThatStayInside) {
  Mkdirs("dist/v1");
  TaskFile("dist/v1/app.tar", "v1 contents");
  Symlink("v1", "dist/latest");
  Symlink("dist/latest/app.tar", "app-latest.tar");
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve(
      {File("public/app.tar", "app-latest.tar"), File("public/v1.tar", "dist/latest/app.tar")});
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ(ReadAll((*files)[0].fd.get()), "v1 contents");
  EXPECT_EQ(ReadAll((*files)[1].fd.get()), "v1 contents");
}

TEST_F(ArtifactPathsTest, CanRefuseEverySymlink) {
  Mkdirs("dist/v1");
  TaskFile("dist/v1/app.tar", "v1 contents");
  Symlink("v1", "dist/latest");
  ResolveOptions strict;
  strict.follow_internal_symlinks = false;
  absl::StatusOr<std::vector<ResolvedArtifact>> files =
      Resolve({File("public/app.tar", "dist/latest/app.tar")}, strict);
  EXPECT_EQ(files.status(), absl::FailedPreconditionError(
                                "artifact 'public/app.tar': 'dist/latest/app.tar' goes through a "
                                "symbolic link, which this worker does not follow"));
  EXPECT_TRUE(Resolve({File("public/app.tar", "dist/v1/app.tar")}, strict).ok());
}

TEST_F(ArtifactPathsTest, AMissingArtifactSaysSo) {
  Mkdirs("out");
  absl::StatusOr<std::vector<ResolvedArtifact>> file = Resolve({File("public/a.zip", "out/a.zip")});
  EXPECT_EQ(file.status(), absl::NotFoundError("artifact 'public/a.zip': 'out/a.zip' does not "
                                               "exist in the task directory"));
  absl::StatusOr<std::vector<ResolvedArtifact>> deep = Resolve({Directory("public/d", "no/such")});
  EXPECT_EQ(deep.status(), absl::NotFoundError("artifact 'public/d': 'no/such' does not exist in "
                                               "the task directory"));
  // A dangling link is missing too.
  Symlink("nowhere", "dangling");
  EXPECT_EQ(Resolve({File("public/x", "dangling")}).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ArtifactPathsTest, TheDeclaredTypeMustMatch) {
  Mkdirs("dir");
  TaskFile("file", "x");
  EXPECT_EQ(
      Resolve({File("public/d", "dir")}).status(),
      absl::FailedPreconditionError(
          "artifact 'public/d': 'dir' is a directory, but the artifact is declared as a file"));
  EXPECT_EQ(Resolve({Directory("public/f", "file")}).status(),
            absl::FailedPreconditionError("artifact 'public/f': 'file' is a file, but the artifact "
                                          "is declared as a directory"));
  ASSERT_EQ(mkfifo((task_ + "/fifo").c_str(), 0644), 0);
  // Opening a fifo must not block (nobody writes to it).
  EXPECT_EQ(
      Resolve({File("public/fifo", "fifo")}).status(),
      absl::FailedPreconditionError(
          "artifact 'public/fifo': 'fifo' is a fifo, but the artifact is declared as a file"));
  EXPECT_EQ(Resolve({File("public/x", "file/below")}).status(),
            absl::FailedPreconditionError(
                "artifact 'public/x': a component of 'file/below' is not a directory"));
}

TEST_F(ArtifactPathsTest, ListsNestedDirectoriesUnderTheArtifactName) {
  Mkdirs("site/a/b");
  Mkdirs("site/empty");
  TaskFile("site/index.html", "<html>");
  TaskFile("site/a/d.txt", "d");
  TaskFile("site/a/b/c.txt", "c");
  TaskFile("site/a/b/.hidden", "h");
  absl::StatusOr<std::vector<ResolvedArtifact>> files =
      Resolve({Directory("public/docs", "site/")});
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(Names(*files), ElementsAre("public/docs/a/b/.hidden", "public/docs/a/b/c.txt",
                                         "public/docs/a/d.txt", "public/docs/index.html"));
  EXPECT_EQ((*files)[1].path, "site/a/b/c.txt");
  EXPECT_EQ(ReadAll((*files)[1].fd.get()), "c");
  EXPECT_EQ((*files)[3].size, 6u);
}

TEST_F(ArtifactPathsTest, TheWholeTaskDirectoryCanBeADirectoryArtifact) {
  TaskFile("a", "1");
  Mkdirs("b");
  TaskFile("b/c", "2");
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({Directory("public/all", ".")});
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(Names(*files), ElementsAre("public/all/a", "public/all/b/c"));
  EXPECT_EQ((*files)[1].path, "b/c");
}

TEST_F(ArtifactPathsTest, RefusesASymlinkInsideADirectoryPointingOut) {
  Mkdirs("site");
  TaskFile("site/ok.txt", "ok");
  Symlink("/etc/passwd", "site/passwd");
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({Directory("public/site", "site")});
  EXPECT_EQ(files.status(),
            absl::FailedPreconditionError("artifact 'public/site': 'site/passwd' is a symbolic "
                                          "link that leads outside the task directory"));
  std::remove((task_ + "/site/passwd").c_str());
  Symlink("../../outside/secret", "site/secret");
  EXPECT_EQ(Resolve({Directory("public/site", "site")}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ArtifactPathsTest, InsideADirectoryLinksToFilesAreFollowedAndLinksToDirectoriesRefused) {
  Mkdirs("site/sub");
  TaskFile("site/sub/real.txt", "real");
  TaskFile("top.txt", "top");
  Symlink("../top.txt", "site/top-link.txt");
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({Directory("public/site", "site")});
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(Names(*files), ElementsAre("public/site/sub/real.txt", "public/site/top-link.txt"));
  EXPECT_EQ(ReadAll((*files)[1].fd.get()), "top");

  Symlink("sub", "site/loop");
  EXPECT_EQ(Resolve({Directory("public/site", "site")}).status(),
            absl::FailedPreconditionError(
                "artifact 'public/site': 'site/loop' is a symbolic link to a directory, which is "
                "not followed inside a directory artifact"));

  ResolveOptions strict;
  strict.follow_internal_symlinks = false;
  std::remove((task_ + "/site/loop").c_str());
  EXPECT_EQ(Resolve({Directory("public/site", "site")}, strict).status(),
            absl::FailedPreconditionError("artifact 'public/site': 'site/top-link.txt' is a "
                                          "symbolic link, which this worker does not follow"));
}

TEST_F(ArtifactPathsTest, RefusesSpecialFilesInsideADirectory) {
  Mkdirs("site");
  ASSERT_EQ(mkfifo((task_ + "/site/pipe").c_str(), 0644), 0);
  EXPECT_EQ(Resolve({Directory("public/site", "site")}).status(),
            absl::FailedPreconditionError(
                "artifact 'public/site': 'site/pipe' is a fifo, not a regular file"));
}

TEST_F(ArtifactPathsTest, NamesMustBeValidUniqueAndNotReserved) {
  Mkdirs("out/public");
  TaskFile("out/public/chain-of-trust.json", "{}");
  EXPECT_EQ(Resolve({Directory("public", "out/public")}).status(),
            absl::FailedPreconditionError(
                "artifact 'public': 'out/public/chain-of-trust.json' would be uploaded as "
                "'public/chain-of-trust.json', a name reserved for the worker's own artifacts"));
  EXPECT_EQ(Resolve({File("public/logs/live_backing.log", "out/public/chain-of-trust.json")})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);

  Mkdirs("docs");
  TaskFile("docs/index.html", "a");
  EXPECT_EQ(
      Resolve({File("public/docs/index.html", "docs/index.html"), Directory("public/docs", "docs")})
          .status(),
      absl::FailedPreconditionError(
          "artifact 'public/docs': 'docs/index.html' would be uploaded as "
          "'public/docs/index.html', a name artifact 'public/docs/index.html' already uses"));

  Mkdirs("odd");
  TaskFile("odd/caf\xc3\xa9", "x");
  absl::StatusOr<std::vector<ResolvedArtifact>> odd = Resolve({Directory("public/odd", "odd")});
  EXPECT_EQ(odd.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(odd.status().message()), HasSubstr("must be printable ASCII"));
}

TEST_F(ArtifactPathsTest, AnEmptyDirectoryHasNoFiles) {
  Mkdirs("empty");
  absl::StatusOr<std::vector<ResolvedArtifact>> files = Resolve({Directory("public/e", "empty")});
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_TRUE(files->empty());
}

TEST_F(ArtifactPathsTest, BoundsTheNumberOfFilesAndTheDepth) {
  Mkdirs("many");
  for (int i = 0; i < 5; ++i) TaskFile(absl::StrCat("many/", i), "x");
  ResolveOptions few;
  few.max_files = 4;
  EXPECT_EQ(Resolve({Directory("public/m", "many")}, few).status(),
            absl::ResourceExhaustedError(
                "artifact 'public/m': the run's artifacts have more than 4 files"));
  Mkdirs("deep/1/2/3");
  TaskFile("deep/1/2/3/f", "x");
  ResolveOptions shallow;
  shallow.max_depth = 3;
  EXPECT_EQ(Resolve({Directory("public/d", "deep")}, shallow).status(),
            absl::ResourceExhaustedError(
                "artifact 'public/d': 'deep/1/2/3' is nested more than 3 directories deep"));
  shallow.max_depth = 4;
  EXPECT_TRUE(Resolve({Directory("public/d", "deep")}, shallow).ok());
}

TEST_F(ArtifactPathsTest, OpensAsTheTaskUser) {
  if (!process::IsRoot()) GTEST_SKIP() << "open_as needs root; this test runs as uid " << geteuid();
  absl::StatusOr<process::Identity> nobody = process::LookupUser("nobody");
  if (!nobody.ok()) GTEST_SKIP() << "no user 'nobody': " << nobody.status();
  ResolveOptions as_task;
  as_task.open_as = *nobody;

  // A root-only file outside, hard-linked into the task directory (what a task could do to the
  // signing key where hard links to others' files are allowed).
  const std::string key = base_ + "/outside/signing.key";
  Write(key, "private key");
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  ASSERT_EQ(link(key.c_str(), (task_ + "/key-link").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(Resolve({File("public/key", "key-link")}, as_task).status(),
            absl::PermissionDeniedError(
                absl::StrCat("artifact 'public/key': 'key-link' is not readable by the task user ",
                             nobody->Describe())));
  // Without open_as the worker (root) could read it: that is what open_as prevents.
  EXPECT_TRUE(Resolve({File("public/key", "key-link")}).ok());

  Mkdirs("site");
  TaskFile("site/readable", "r");
  ASSERT_EQ(link(key.c_str(), (task_ + "/site/zz-key").c_str()), 0);
  EXPECT_EQ(Resolve({Directory("public/site", "site")}, as_task).status().code(),
            absl::StatusCode::kPermissionDenied);
  std::remove((task_ + "/site/zz-key").c_str());
  absl::StatusOr<std::vector<ResolvedArtifact>> files =
      Resolve({Directory("public/site", "site")}, as_task);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(Names(*files), ElementsAre("public/site/readable"));
  // The descriptor stays usable after the identity is restored.
  EXPECT_EQ(ReadAll((*files)[0].fd.get()), "r");
}

TEST_F(ArtifactPathsTest, RefusesARelativeTaskDirectory) {
  EXPECT_EQ(ResolveArtifacts("task", {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveArtifacts(base_ + "/missing", {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace bulwark::worker
