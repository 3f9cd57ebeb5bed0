#include "services/worker/service/task_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/encoding.h"
#include "libraries/process/subprocess.h"

namespace bulwark::worker {
namespace {

class TaskLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bulwark-log-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/live_backing.log";
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Contents() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::unique_ptr<TaskLog> Open(TaskLog::Options options = {}) {
    absl::StatusOr<std::unique_ptr<TaskLog>> log = TaskLog::Create(path_, clock_, options);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Closes and checks the summary against the file.
  TaskLog::Summary CloseAndCheck(TaskLog& log) {
    absl::StatusOr<TaskLog::Summary> summary = log.Close();
    EXPECT_TRUE(summary.ok()) << summary.status();
    const std::string contents = Contents();
    EXPECT_EQ(summary->sha256, absl::BytesToHexString(crypto::Sha256(contents)));
    EXPECT_EQ(summary->bytes, contents.size());
    return *summary;
  }

  SimulatedClock clock_{absl::FromUnixMillis(1700000000123)};  // 2023-11-14T22:13:20.123Z
  std::string dir_;
  std::string path_;
};

TEST_F(TaskLogTest, PrefixesEachLineWithTheTimeAndSource) {
  std::unique_ptr<TaskLog> log = Open();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Worker("payload invalid: /maxRunTime: must be <= 86400").ok());
  clock_.Advance(absl::Milliseconds(877));
  ASSERT_TRUE(log->Append(LogSource::kStdout, "compiling").ok());
  ASSERT_TRUE(log->Append(LogSource::kStderr, "warning: x").ok());
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(log->Append(LogSource::kOutput, "").ok());
  ASSERT_TRUE(log->Append(LogSource::kOutput, "combined").ok());
  TaskLog::Summary summary = CloseAndCheck(*log);
  EXPECT_EQ(Contents(),
            "2023-11-14T22:13:20.123Z [worker] payload invalid: /maxRunTime: must be <= 86400\n"
            "2023-11-14T22:13:21.000Z [stdout] compiling\n"
            "2023-11-14T22:13:21.000Z [stderr] warning: x\n"
            "2023-11-14T23:13:21.000Z [output]\n"
            "2023-11-14T23:13:21.000Z [output] combined\n");
  EXPECT_EQ(summary.lines, 5u);
  EXPECT_EQ(summary.dropped_lines, 0u);
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TaskLogTest, CutsTextIntoLines) {
  std::unique_ptr<TaskLog> log = Open();
  ASSERT_TRUE(log->Worker("first\nsecond\n").ok());
  ASSERT_TRUE(log->Worker("\n").ok());
  ASSERT_TRUE(log->Worker("a\n\nb").ok());
  CloseAndCheck(*log);
  EXPECT_EQ(Contents(),
            "2023-11-14T22:13:20.123Z [worker] first\n"
            "2023-11-14T22:13:20.123Z [worker] second\n"
            "2023-11-14T22:13:20.123Z [worker]\n"
            "2023-11-14T22:13:20.123Z [worker] a\n"
            "2023-11-14T22:13:20.123Z [worker]\n"
            "2023-11-14T22:13:20.123Z [worker] b\n");
}

TEST_F(TaskLogTest, BoundsLineLengthWithoutCuttingUtf8) {
  TaskLog::Options options;
  options.max_line_bytes = 4;
  std::unique_ptr<TaskLog> log = Open(options);
  ASSERT_TRUE(log->Append(LogSource::kStdout, "abcdefghij").ok());
  ASSERT_TRUE(log->Append(LogSource::kStdout, "abc\xc3\xa9z").ok());  // "abcéz"
  CloseAndCheck(*log);
  EXPECT_EQ(Contents(),
            "2023-11-14T22:13:20.123Z [stdout] abcd\n"
            "2023-11-14T22:13:20.123Z [stdout] efgh\n"
            "2023-11-14T22:13:20.123Z [stdout] ij\n"
            "2023-11-14T22:13:20.123Z [stdout] abc\n"
            "2023-11-14T22:13:20.123Z [stdout] \xc3\xa9z\n");
}

TEST_F(TaskLogTest, StopsAtMaxBytesWithOneNotice) {
  TaskLog::Options options;
  options.max_bytes = 100;
  std::unique_ptr<TaskLog> log = Open(options);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(LogSource::kStdout, "0123456789").ok());
  TaskLog::Summary summary = CloseAndCheck(*log);
  // Each line is 24 + 9 + 10 + 1 = 44 bytes: two fit, the third triggers the notice.
  EXPECT_EQ(Contents(),
            "2023-11-14T22:13:20.123Z [stdout] 0123456789\n"
            "2023-11-14T22:13:20.123Z [stdout] 0123456789\n"
            "2023-11-14T22:13:20.123Z [worker] log truncated: it reached its limit of 100 "
            "bytes; later lines are dropped\n");
  EXPECT_EQ(summary.lines, 3u);
  EXPECT_EQ(summary.dropped_lines, 8u);
}

TEST_F(TaskLogTest, NeverReusesAnExistingFileOrFollowsALink) {
  std::ofstream(path_) << "old";
  absl::StatusOr<std::unique_ptr<TaskLog>> existing = TaskLog::Create(path_, clock_);
  EXPECT_EQ(existing.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Contents(), "old");

  const std::string target = dir_ + "/target";
  std::ofstream(target) << "target";
  const std::string link = dir_ + "/link.log";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  EXPECT_EQ(TaskLog::Create(link, clock_).status().code(), absl::StatusCode::kAlreadyExists);
  std::ifstream in(target);
  std::string contents;
  std::getline(in, contents);
  EXPECT_EQ(contents, "target");
  EXPECT_EQ(TaskLog::Create(dir_ + "/no/such/dir.log", clock_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TaskLogTest, RefusesUseAfterClose) {
  std::unique_ptr<TaskLog> log = Open();
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(log->Worker("late").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(log->Close().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Contents(), "");
}

TEST_F(TaskLogTest, AnEmptyLogHashesTheEmptyString) {
  std::unique_ptr<TaskLog> log = Open();
  TaskLog::Summary summary = CloseAndCheck(*log);
  EXPECT_EQ(summary.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(TaskLogTest, ConcurrentWritersNeverInterleaveWithinALine) {
  std::unique_ptr<TaskLog> log = Open();
  constexpr int kThreads = 4;
  constexpr int kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) {
        ASSERT_TRUE(log->Append(LogSource::kStdout, absl::StrCat("thread", t, " line", i)).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  TaskLog::Summary summary = CloseAndCheck(*log);
  EXPECT_EQ(summary.lines, static_cast<uint64_t>(kThreads * kLines));
  std::vector<std::string> lines = absl::StrSplit(Contents(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  const std::regex shape("2023-11-14T22:13:20\\.123Z \\[stdout\\] thread([0-9]) line([0-9]+)");
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, shape)) << line;
    const int t = std::stoi(match[1]);
    EXPECT_EQ(std::stoi(match[2]), next[t]++) << "thread " << t << " out of order";
  }
}

TEST_F(TaskLogTest, RecordsACommandsOutputTaggedByStream) {
  std::unique_ptr<TaskLog> log = Open();
  process::RunOptions options;
  options.argv = {"/bin/sh", "-c", "echo out; echo err >&2"};
  options.env = {{"PATH", "/usr/bin:/bin"}};
  options.working_directory = dir_;
  options.time_limit = absl::Seconds(60);
  absl::StatusOr<process::RunResult> result = process::Run(
      options, [&](const process::OutputLine& line) { ASSERT_TRUE(log->Output(line).ok()); });
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(log->Worker(result->Describe(options.time_limit)).ok());
  CloseAndCheck(*log);
  std::vector<std::string> lines = absl::StrSplit(Contents(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  // (The order of the two streams is not guaranteed: see subprocess.h.)
  std::sort(lines.begin(), lines.begin() + 2);
  EXPECT_EQ(lines[0], "2023-11-14T22:13:20.123Z [stderr] err");
  EXPECT_EQ(lines[1], "2023-11-14T22:13:20.123Z [stdout] out");
  EXPECT_EQ(lines[2], "2023-11-14T22:13:20.123Z [worker] exited with code 0");
}

}  // namespace
}  // namespace bulwark::worker
