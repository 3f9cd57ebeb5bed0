#include "libraries/process/subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/process/cancellation.h"
#include "libraries/process/identity.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::process {
namespace {

struct Line {
  Stream stream;
  std::string text;
  bool complete;
  bool operator==(const Line& o) const {
    return stream == o.stream && text == o.text && complete == o.complete;
  }
};

std::ostream& operator<<(std::ostream& os, const Line& line) {
  return os << StreamName(line.stream) << ":" << line.text << (line.complete ? "" : "(partial)");
}

// A fresh directory, readable and searchable by everyone (the nobody test enters it).
std::string MakeTempDir() {
  std::string pattern = "/tmp/bulwark-subprocess-XXXXXX";
  char* dir = mkdtemp(pattern.data());
  EXPECT_NE(dir, nullptr) << std::strerror(errno);
  chmod(pattern.c_str(), 0755);
  return pattern;
}

class SubprocessTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir(); }
  void TearDown() override {
    std::string command = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }

  RunOptions Shell(const std::string& script) const {
    RunOptions options;
    options.argv = {"/bin/sh", "-c", script};
    options.env = {{"PATH", "/usr/bin:/bin"}};
    options.working_directory = dir_;
    options.time_limit = absl::Seconds(60);
    return options;
  }

  // Runs and records every line.
  absl::StatusOr<RunResult> RunCapturing(const RunOptions& options,
                                         const Cancellation* cancel = nullptr) {
    lines_.clear();
    return process::Run(
        options,
        [this](const OutputLine& line) {
          lines_.push_back({line.stream, std::string(line.text), line.complete});
        },
        cancel);
  }

  std::vector<std::string> Texts() const {
    std::vector<std::string> out;
    for (const Line& line : lines_) out.push_back(line.text);
    return out;
  }

  std::string dir_;
  std::vector<Line> lines_;
};

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

// The children (zombies included) of the calling thread.
std::string ChildrenOfThisThread() {
  std::ifstream in("/proc/thread-self/children");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(SubprocessTest, ReportsExitCodes) {
  absl::StatusOr<RunResult> ok = RunCapturing(Shell("exit 0"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->exit_code, 0);
  EXPECT_FALSE(ok->signal.has_value());
  EXPECT_TRUE(ok->Succeeded());
  EXPECT_EQ(ok->Describe(absl::Seconds(60)), "exited with code 0");

  absl::StatusOr<RunResult> three = RunCapturing(Shell("exit 3"));
  ASSERT_TRUE(three.ok()) << three.status();
  EXPECT_EQ(three->exit_code, 3);
  EXPECT_FALSE(three->Succeeded());
  EXPECT_FALSE(three->timed_out);
  EXPECT_FALSE(three->cancelled);

  absl::StatusOr<RunResult> killed = RunCapturing(Shell("kill -KILL $$"));
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_FALSE(killed->exit_code.has_value());
  EXPECT_EQ(killed->signal, SIGKILL);
  EXPECT_FALSE(killed->Succeeded());
  EXPECT_TRUE(absl::StartsWith(killed->Describe(absl::Seconds(1)), "killed by signal 9"))
      << killed->Describe(absl::Seconds(1));
}

TEST_F(SubprocessTest, EnvironmentIsExactlyTheOneGiven) {
  ASSERT_EQ(setenv("BULWARK_SHOULD_NOT_LEAK", "secret", 1), 0);
  RunOptions options;
  options.argv = {"/usr/bin/env"};
  options.env = {{"A", "1"}, {"B", "two words"}, {"EMPTY", ""}, {"Z_LAST", "x=y"}};
  options.working_directory = dir_;
  options.time_limit = absl::Seconds(60);
  absl::StatusOr<RunResult> result = RunCapturing(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->Succeeded());
  EXPECT_EQ(Texts(), (std::vector<std::string>{"A=1", "B=two words", "EMPTY=", "Z_LAST=x=y"}));
  unsetenv("BULWARK_SHOULD_NOT_LEAK");
}

TEST_F(SubprocessTest, RunsInTheWorkingDirectoryWithStdinFromDevNull) {
  char real[PATH_MAX];
  ASSERT_NE(realpath(dir_.c_str(), real), nullptr);
  absl::StatusOr<RunResult> result =
      RunCapturing(Shell("/bin/pwd; cat; echo \"stdin: $(readlink /proc/self/fd/0)\""));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->Succeeded());
  EXPECT_EQ(Texts(), (std::vector<std::string>{real, "stdin: /dev/null"}));
}

TEST_F(SubprocessTest, DoesNotLeakDescriptors) {
  // Opened without O_CLOEXEC, as careless code in the worker might.
  UniqueFd leaky(open("/dev/null", O_RDONLY));
  ASSERT_TRUE(leaky.valid());
  absl::StatusOr<RunResult> result = RunCapturing(Shell(absl::StrCat(
      "if [ -e /proc/self/fd/", leaky.get(), " ]; then echo leaked; else echo closed; fi")));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Texts(), std::vector<std::string>{"closed"});
}

TEST_F(SubprocessTest, SeparatesStreamsKeepingEachInOrder) {
  absl::StatusOr<RunResult> result = RunCapturing(
      Shell("i=0; while [ $i -lt 200 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done"));
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<std::string> out, err;
  for (const Line& line : lines_) {
    ASSERT_TRUE(line.complete);
    (line.stream == Stream::kStdout ? out : err).push_back(line.text);
  }
  ASSERT_EQ(out.size(), 200u);
  ASSERT_EQ(err.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(out[i], absl::StrCat("out", i));
    EXPECT_EQ(err[i], absl::StrCat("err", i));
  }
}

TEST_F(SubprocessTest, DeliversInterleavedStreamsInTheOrderTheyWereWritten) {
  // The command waits for each line to reach the callback before writing the next, through a
  // FIFO the callback writes to: each write is then strictly after the previous delivery.
  const std::string fifo = dir_ + "/ack";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  UniqueFd ack(open(fifo.c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(ack.valid());
  RunOptions options = Shell(
      "exec 3< ack; echo out1; read x <&3; echo err1 >&2; read x <&3; echo err2 >&2; "
      "read x <&3; echo out2; read x <&3; echo err3 >&2; read x <&3; printf out3");
  std::vector<Line> lines;
  absl::StatusOr<RunResult> result = process::Run(options, [&](const OutputLine& line) {
    lines.push_back({line.stream, std::string(line.text), line.complete});
    ASSERT_EQ(write(ack.get(), "\n", 1), 1);
  });
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->Succeeded());
  EXPECT_EQ(lines, (std::vector<Line>{{Stream::kStdout, "out1", true},
                                      {Stream::kStderr, "err1", true},
                                      {Stream::kStderr, "err2", true},
                                      {Stream::kStdout, "out2", true},
                                      {Stream::kStderr, "err3", true},
                                      {Stream::kStdout, "out3", false}}));
}

TEST_F(SubprocessTest, CombinedOutputKeepsTheExactInterleaving) {
  RunOptions options =
      Shell("i=0; while [ $i -lt 300 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done");
  options.combine_output = true;
  absl::StatusOr<RunResult> result = RunCapturing(options);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(lines_.size(), 600u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(lines_[size_t{2} * i], (Line{Stream::kCombined, absl::StrCat("out", i), true}));
    EXPECT_EQ(lines_[2 * i + 1], (Line{Stream::kCombined, absl::StrCat("err", i), true}));
  }
}

TEST_F(SubprocessTest, DeliversAPartialLastLineAtEndOfFile) {
  absl::StatusOr<RunResult> result = RunCapturing(Shell("printf 'a\\n\\nb'; printf 'c' >&2"));
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<Line> out, err;
  for (const Line& line : lines_) (line.stream == Stream::kStdout ? out : err).push_back(line);
  EXPECT_EQ(out, (std::vector<Line>{{Stream::kStdout, "a", true},
                                    {Stream::kStdout, "", true},
                                    {Stream::kStdout, "b", false}}));
  EXPECT_EQ(err, (std::vector<Line>{{Stream::kStderr, "c", false}}));
}

TEST_F(SubprocessTest, SplitsLongLinesAtTheBound) {
  RunOptions options = Shell("head -c 2500 /dev/zero | tr '\\0' x; echo; echo short");
  options.max_line_bytes = 1000;
  absl::StatusOr<RunResult> result = RunCapturing(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(lines_, (std::vector<Line>{{Stream::kStdout, std::string(1000, 'x'), false},
                                       {Stream::kStdout, std::string(1000, 'x'), false},
                                       {Stream::kStdout, std::string(500, 'x'), true},
                                       {Stream::kStdout, "short", true}}));
}

TEST_F(SubprocessTest, DoesNotCutAUtf8SequenceWhenSplitting) {
  // "aaaa" then U+00E9 (2 bytes): a cut at 5 bytes would split the character.
  RunOptions options = Shell("printf 'aaaa\\303\\251bb\\n'");
  options.max_line_bytes = 5;
  absl::StatusOr<RunResult> result = RunCapturing(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(lines_, (std::vector<Line>{{Stream::kStdout, "aaaa", false},
                                       {Stream::kStdout, "\303\251bb", true}}));
}

// Reads "<label> <pid>" lines into `pids`.
std::map<std::string, pid_t> PidsFrom(const std::vector<std::string>& texts) {
  std::map<std::string, pid_t> pids;
  for (const std::string& text : texts) {
    std::vector<std::string> parts = absl::StrSplit(text, ' ');
    int pid = 0;
    if (parts.size() == 2 && absl::SimpleAtoi(parts[1], &pid)) pids[parts[0]] = pid;
  }
  return pids;
}

// A tree that tries every way out: a grandchild that ignores SIGTERM, one in its own session
// (setsid), one orphaned by a double fork, and an orphan in a process group of its own.
constexpr char kEscapingTree[] =
    "(trap '' TERM; exec sleep 1000) & echo ignoring $!\n"
    "setsid sleep 1000 & echo setsid $!\n"
    "sh -c 'sleep 1000 & echo orphan $!'\n"
    "sh -c 'set -m; sleep 1000 & echo group $!'\n"
    "echo ready\n";

TEST_F(SubprocessTest, TimeLimitKillsTheWholeTreeIncludingEscapedGrandchildren) {
  RunOptions options = Shell(absl::StrCat(kEscapingTree, "exec sleep 1000\n"));
  options.time_limit = absl::Seconds(3);
  absl::StatusOr<RunResult> result = RunCapturing(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->timed_out);
  EXPECT_FALSE(result->cancelled);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_FALSE(result->Succeeded());
  EXPECT_GE(result->duration, absl::Seconds(3));
  EXPECT_FALSE(result->cleanup_incomplete);
  EXPECT_TRUE(absl::StrContains(result->Describe(options.time_limit), "time limit of 3s"));

  std::map<std::string, pid_t> pids = PidsFrom(Texts());
  ASSERT_EQ(pids.size(), 4u) << "the tree did not start within the time limit: "
                             << absl::StrJoin(Texts(), " | ");
  for (const auto& [label, pid] : pids) {
    EXPECT_FALSE(ProcessExists(pid)) << label << " process " << pid << " survived";
  }
  EXPECT_EQ(ChildrenOfThisThread(), "") << "a zombie was left behind";
}

TEST_F(SubprocessTest, DescendantsDoNotOutliveACommandThatExits) {
  absl::StatusOr<RunResult> result = RunCapturing(Shell(absl::StrCat(kEscapingTree, "exit 0\n")));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_FALSE(result->timed_out);
  std::map<std::string, pid_t> pids = PidsFrom(Texts());
  ASSERT_EQ(pids.size(), 4u) << absl::StrJoin(Texts(), " | ");
  for (const auto& [label, pid] : pids) {
    EXPECT_FALSE(ProcessExists(pid)) << label << " process " << pid << " survived";
  }
  EXPECT_EQ(ChildrenOfThisThread(), "");
}

TEST_F(SubprocessTest, CancellationFromAnotherThreadTerminatesThenKills) {
  absl::StatusOr<std::unique_ptr<Cancellation>> cancel = Cancellation::Create();
  ASSERT_TRUE(cancel.ok()) << cancel.status();
  absl::Notification ready;
  std::thread canceller([&] {
    ready.WaitForNotification();
    (*cancel)->Cancel();
  });
  // The command itself ignores SIGTERM (from before it says "ready"), so only the SIGKILL
  // after the grace period ends it.
  RunOptions options = Shell(absl::StrCat("trap '' TERM\n", kEscapingTree, "exec sleep 1000\n"));
  options.cancel_grace = absl::Milliseconds(500);
  std::vector<std::string> texts;
  absl::StatusOr<RunResult> result = process::Run(
      options,
      [&](const OutputLine& line) {
        texts.emplace_back(line.text);
        if (line.text == "ready") ready.Notify();
      },
      cancel->get());
  canceller.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->cancelled);
  EXPECT_FALSE(result->timed_out);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_TRUE(absl::StrContains(result->Describe(options.time_limit), "after cancellation"));
  std::map<std::string, pid_t> pids = PidsFrom(texts);
  ASSERT_EQ(pids.size(), 4u);
  for (const auto& [label, pid] : pids) {
    EXPECT_FALSE(ProcessExists(pid)) << label << " process " << pid << " survived";
  }
  EXPECT_EQ(ChildrenOfThisThread(), "");
}

TEST_F(SubprocessTest, CancellationLetsACommandThatHonoursSigtermExit) {
  absl::StatusOr<std::unique_ptr<Cancellation>> cancel = Cancellation::Create();
  ASSERT_TRUE(cancel.ok());
  RunOptions options = Shell("trap 'echo terminating; exit 7' TERM; echo ready; sleep 1000 & wait");
  options.cancel_grace = absl::Seconds(60);
  std::vector<std::string> texts;
  absl::StatusOr<RunResult> result = process::Run(
      options,
      [&](const OutputLine& line) {
        texts.emplace_back(line.text);
        if (line.text == "ready") (*cancel)->Cancel();
      },
      cancel->get());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->exit_code, 7);
  // The shell's trap ran ("terminating"); the background child may print it too, when SIGTERM
  // reaches the process group between its fork and its exec of sleep (it still has the trap).
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts.front(), "ready");
  EXPECT_GE(texts.size(), 2u);
  for (size_t i = 1; i < texts.size(); ++i) EXPECT_EQ(texts[i], "terminating") << i;
}

TEST_F(SubprocessTest, RefusesToStartWhenAlreadyCancelled) {
  absl::StatusOr<std::unique_ptr<Cancellation>> cancel = Cancellation::Create();
  ASSERT_TRUE(cancel.ok());
  (*cancel)->Cancel();
  (*cancel)->Cancel();  // Idempotent.
  EXPECT_TRUE((*cancel)->IsCancelled());
  absl::StatusOr<RunResult> result = RunCapturing(Shell("echo hi"), cancel->get());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(lines_.empty());
}

TEST_F(SubprocessTest, ACommandThatDoesNotExistIsAClearError) {
  RunOptions options = Shell("");
  options.argv = {"bulwark-no-such-command", "--flag"};
  absl::StatusOr<RunResult> searched = RunCapturing(options);
  EXPECT_EQ(searched.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(searched.status().message(),
            "command 'bulwark-no-such-command' not found in PATH /usr/bin:/bin");

  options.argv = {"/no/such/program"};
  absl::StatusOr<RunResult> absolute = RunCapturing(options);
  EXPECT_EQ(absolute.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(absolute.status().message(),
            "cannot run '/no/such/program': No such file or directory");

  options.argv = {"sh"};
  options.env.clear();
  absl::StatusOr<RunResult> no_path = RunCapturing(options);
  EXPECT_EQ(no_path.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(no_path.status().message(), "the environment has no PATH"))
      << no_path.status();
  EXPECT_EQ(ChildrenOfThisThread(), "");
}

TEST_F(SubprocessTest, ANonExecutableFileIsPermissionDenied) {
  const std::string file = dir_ + "/not-executable";
  std::ofstream(file) << "#!/bin/sh\necho hi\n";
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  RunOptions options = Shell("");
  options.argv = {file};
  absl::StatusOr<RunResult> result = RunCapturing(options);
  // (Even root may execute only a file with some execute bit set.)
  EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied) << result.status();
  EXPECT_TRUE(absl::StrContains(result.status().message(), "Permission denied"));
}

TEST_F(SubprocessTest, AMissingWorkingDirectoryIsAClearError) {
  RunOptions options = Shell("true");
  options.working_directory = dir_ + "/missing";
  absl::StatusOr<RunResult> result = RunCapturing(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), absl::StrCat("cannot enter the working directory '", dir_,
                                                    "/missing': No such file or directory"));
}

TEST_F(SubprocessTest, RejectsInvalidOptions) {
  auto code_of = [&](const RunOptions& options) { return RunCapturing(options).status().code(); };
  RunOptions empty = Shell("true");
  empty.argv.clear();
  EXPECT_EQ(code_of(empty), absl::StatusCode::kInvalidArgument);
  RunOptions nul = Shell("true");
  nul.argv.push_back(std::string("a\0b", 3));
  EXPECT_EQ(code_of(nul), absl::StatusCode::kInvalidArgument);
  RunOptions bad_env = Shell("true");
  bad_env.env["A=B"] = "x";
  EXPECT_EQ(code_of(bad_env), absl::StatusCode::kInvalidArgument);
  RunOptions relative = Shell("true");
  relative.working_directory = "relative/dir";
  EXPECT_EQ(code_of(relative), absl::StatusCode::kInvalidArgument);
  RunOptions no_limit = Shell("true");
  no_limit.time_limit = absl::ZeroDuration();
  EXPECT_EQ(code_of(no_limit), absl::StatusCode::kInvalidArgument);
  RunOptions infinite = Shell("true");
  infinite.time_limit = absl::InfiniteDuration();
  EXPECT_EQ(code_of(infinite), absl::StatusCode::kInvalidArgument);
  RunOptions no_lines = Shell("true");
  no_lines.max_line_bytes = 0;
  EXPECT_EQ(code_of(no_lines), absl::StatusCode::kInvalidArgument);
}

TEST_F(SubprocessTest, RunsAsAnotherUserWhenRoot) {
  if (!IsRoot()) GTEST_SKIP() << "switching users needs root; this test runs as uid " << geteuid();
  absl::StatusOr<Identity> nobody = LookupUser("nobody");
  if (!nobody.ok()) GTEST_SKIP() << "no user 'nobody' here: " << nobody.status();
  RunOptions options = Shell("id -u; id -g; id -G; touch mine 2>/dev/null || echo 'cannot write'");
  options.user = *nobody;
  absl::StatusOr<RunResult> result = RunCapturing(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->Succeeded()) << result->Describe(options.time_limit);
  std::vector<std::string> groups;
  for (gid_t g : nobody->groups) groups.push_back(absl::StrCat(g));
  ASSERT_EQ(lines_.size(), 4u) << absl::StrJoin(Texts(), " | ");
  EXPECT_EQ(lines_[0].text, absl::StrCat(nobody->uid));
  EXPECT_EQ(lines_[1].text, absl::StrCat(nobody->gid));
  EXPECT_EQ(lines_[2].text, absl::StrJoin(groups, " "));
  // The directory is root's and 0755: the command really lacks root's rights.
  EXPECT_EQ(lines_[3].text, "cannot write");
}

TEST_F(SubprocessTest, AWorkingDirectoryTheUserCannotEnterIsRefused) {
  if (!IsRoot()) GTEST_SKIP() << "switching users needs root; this test runs as uid " << geteuid();
  absl::StatusOr<Identity> nobody = LookupUser("nobody");
  if (!nobody.ok()) GTEST_SKIP() << "no user 'nobody' here: " << nobody.status();
  const std::string closed = dir_ + "/closed";
  ASSERT_EQ(mkdir(closed.c_str(), 0700), 0);
  RunOptions options = Shell("true");
  options.working_directory = closed;
  options.user = *nobody;
  absl::StatusOr<RunResult> result = RunCapturing(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(result.status().message(), "as nobody (uid")) << result.status();
  EXPECT_TRUE(absl::StrContains(result.status().message(), "Permission denied"));
}

TEST_F(SubprocessTest, SwitchingUserWithoutRootIsRefused) {
  Identity someone;
  someone.uid = 12345;
  someone.gid = 12345;
  RunOptions options = Shell("true");
  options.user = someone;
  if (!IsRoot()) {
    absl::StatusOr<RunResult> result = RunCapturing(options);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(
        absl::StrContains(result.status().message(), "requires this process to run as root"));
    return;
  }
  // As root: check it in a child that gives up root first.
  absl::StatusOr<Identity> nobody = LookupUser("nobody");
  if (!nobody.ok()) GTEST_SKIP() << "no user 'nobody' to drop to: " << nobody.status();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(nobody->gid) != 0 || setuid(nobody->uid) != 0) {
      _exit(10);
    }
    absl::StatusOr<RunResult> result = process::Run(options, nullptr);
    bool refused =
        result.status().code() == absl::StatusCode::kFailedPrecondition &&
        absl::StrContains(result.status().message(), "requires this process to run as root");
    _exit(refused ? 0 : 11);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: could not drop root; 11: not refused";
}

TEST_F(SubprocessTest, NoNewPrivilegesIsSetWhenAsked) {
  RunOptions options = Shell("grep NoNewPrivs /proc/self/status");
  options.no_new_privileges = true;
  ASSERT_TRUE(RunCapturing(options).ok());
  EXPECT_EQ(Texts(), std::vector<std::string>{"NoNewPrivs:\t1"});
  options.no_new_privileges = false;
  ASSERT_TRUE(RunCapturing(options).ok());
  EXPECT_EQ(Texts(), std::vector<std::string>{"NoNewPrivs:\t0"});
}

// Waits until process `pid` (not necessarily our child) has ended, up to `deadline`.
bool WaitForExit(pid_t pid, absl::Duration deadline) {
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) return errno == ESRCH;  // Already gone.
  struct pollfd fd = {pidfd.get(), POLLIN, 0};
  return poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(deadline))) == 1;
}

TEST_F(SubprocessTest, TheTreeDiesWithTheProcessThatRanIt) {
  // A stand-in for the worker: a child process that runs a command and is then SIGKILLed
  // without any chance to clean up. Its supervisor must notice and kill the command's tree.
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  UniqueFd report_read(report[0]);
  UniqueFd report_write(report[1]);
  RunOptions options = Shell("setsid sleep 1000 & echo $!; echo $$; exec sleep 1000");
  pid_t worker = fork();
  ASSERT_GE(worker, 0);
  if (worker == 0) {
    absl::StatusOr<RunResult> ignored = process::Run(options, [&](const OutputLine& line) {
      std::string text = absl::StrCat(line.text, "\n");
      if (write(report_write.get(), text.data(), text.size()) < 0) _exit(3);
    });
    _exit(2);  // Not reached: the worker is killed while the command runs.
  }
  report_write.Reset();
  // Read the two pids (the pipe is the condition; poll bounds the wait).
  std::string text;
  while (std::count(text.begin(), text.end(), '\n') < 2) {
    struct pollfd fd = {report_read.get(), POLLIN, 0};
    ASSERT_EQ(poll(&fd, 1, 30000), 1) << "the command did not report its pids";
    char buffer[256];
    ssize_t n = read(report_read.get(), buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    text.append(buffer, static_cast<size_t>(n));
  }
  std::vector<std::string> pids = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(pids.size(), 2u);
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(worker, &status, 0), worker);
  for (const std::string& pid_text : pids) {
    int pid = 0;
    ASSERT_TRUE(absl::SimpleAtoi(pid_text, &pid)) << pid_text;
    EXPECT_TRUE(WaitForExit(pid, absl::Seconds(30))) << "process " << pid << " survived";
  }
}

TEST_F(SubprocessTest, ConcurrentRunsStayApart) {
  constexpr int kRuns = 4;
  std::vector<std::vector<std::string>> outputs(kRuns);
  std::vector<absl::StatusOr<RunResult>> results(kRuns, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kRuns; ++i) {
    threads.emplace_back([&, i] {
      RunOptions options =
          Shell(absl::StrCat("j=0; while [ $j -lt 50 ]; do echo run", i,
                             "-$j; j=$((j+1)); done; sh -c 'sleep 1000 &'; exit ", i));
      results[i] = process::Run(
          options, [&outputs, i](const OutputLine& line) { outputs[i].emplace_back(line.text); });
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kRuns; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status();
    EXPECT_EQ(results[i]->exit_code, i);
    ASSERT_EQ(outputs[i].size(), 50u);
    for (int j = 0; j < 50; ++j) EXPECT_EQ(outputs[i][j], absl::StrCat("run", i, "-", j));
  }
}

}  // namespace
}  // namespace bulwark::process
