// File: services/worker/service/task_log.h
//
// TaskLog: the run's live log (uploaded as public/logs/live_backing.log), written to a file in
// the worker's work directory while its SHA-256 is computed on the same bytes, so that the
// chain of trust can list the log's hash without reading it again.
//
//   BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<TaskLog> log,
//                            TaskLog::Create(work_dir + "/live_backing.log", clock));
//   log->Worker("payload invalid: ...");
//   process::Run(options, [&](const process::OutputLine& line) { log->Output(line); });
//   BULWARK_ASSIGN_OR_RETURN(TaskLog::Summary summary, log->Close());
//   chain_of_trust.artifact_sha256[kLiveBackingLogArtifact] = summary.sha256;
//
// Line format (one line per line of input):
//   <RFC 3339 UTC time with milliseconds> [<source>] <text>\n
//   2023-11-14T22:13:20.123Z [stdout] compiling foo.c
//   2023-11-14T22:13:20.124Z [worker] exit code 2
// The time is the injected Clock's when the line is appended; <source> is stdout, stderr,
// output (the two combined) or worker; an empty text gives "<time> [<source>]". Text is
// written as given (bytes, not re-encoded), except that it is cut into lines at '\n' (a final
// '\n' does not make an extra empty line) and a line longer than max_line_bytes is split into
// several log lines. Once the file holds max_bytes (when not 0), one "[worker] log truncated"
// line is written and later lines are counted but dropped.
//
// The file is created new (O_EXCL, O_NOFOLLOW: an existing file or a planted symbolic link is
// an error, never overwritten or followed), mode 0600, and each line is written with one
// write(2) (repeated on a short write) in order, so a reader tailing it sees whole lines.
//
// Thread-safety: Append, Worker, Output and Close may be called from any thread; lines are
// written whole and in the order their calls take the lock. Errors: Create returns
// ALREADY_EXISTS for an existing file and FAILED_PRECONDITION for other open failures (the
// message names the path); Append returns INTERNAL when the file cannot be written (the log is
// then failed: every later call, Close included, returns the same error), FAILED_PRECONDITION
// after Close.

#ifndef BULWARK_SERVICES_WORKER_SERVICE_TASK_LOG_H_
#define BULWARK_SERVICES_WORKER_SERVICE_TASK_LOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/process/subprocess.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::worker {

enum class LogSource { kStdout, kStderr, kOutput, kWorker };

// "stdout", "stderr", "output", "worker".
absl::string_view LogSourceName(LogSource source);

class TaskLog {
 public:
  struct Options {
    // Longer lines are split (the prefix is not counted).
    size_t max_line_bytes = 64 * 1024;
    // Total bytes the file may reach before later lines are dropped; 0: no limit.
    uint64_t max_bytes = 0;
  };

  struct Summary {
    // SHA-256 of the file's bytes, 64 lowercase hex digits.
    std::string sha256;
    uint64_t bytes = 0;
    uint64_t lines = 0;
    // Lines dropped because of max_bytes.
    uint64_t dropped_lines = 0;
  };

  // `clock` must outlive the log.
  static absl::StatusOr<std::unique_ptr<TaskLog>> Create(const std::string& path,
                                                         const Clock& clock, Options options);
  static absl::StatusOr<std::unique_ptr<TaskLog>> Create(const std::string& path,
                                                         const Clock& clock) {
    return Create(path, clock, Options());
  }

  // Appends `text` (one or more lines) from `source`.
  absl::Status Append(LogSource source, absl::string_view text);
  // Append(kWorker, text).
  absl::Status Worker(absl::string_view text) { return Append(LogSource::kWorker, text); }
  // A line of a command's output (process::Run's callback), tagged with its stream.
  absl::Status Output(const process::OutputLine& line);

  // Closes the file and returns its hash and size. Only once.
  absl::StatusOr<Summary> Close();

  const std::string& path() const { return path_; }

 private:
  TaskLog(std::string path, process::UniqueFd fd, const Clock& clock, Options options)
      : path_(std::move(path)), clock_(clock), options_(options), fd_(std::move(fd)) {}

  // Writes one formatted line (already bounded); updates the hash.
  absl::Status WriteLine(absl::string_view stamp, LogSource source, absl::string_view text)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const Clock& clock_;
  const Options options_;

  absl::Mutex mu_;
  process::UniqueFd fd_ ABSL_GUARDED_BY(mu_);
  crypto::Sha256Stream hash_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t lines_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_lines_ ABSL_GUARDED_BY(mu_) = 0;
  bool truncated_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_TASK_LOG_H_
