#include "services/worker/service/task_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace bulwark::worker {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// How many bytes of `text` (longer than `max`) to put in the next piece: `max`, or less so as
// not to cut a UTF-8 sequence (when its lead byte is within the last three bytes).
size_t PieceLength(absl::string_view text, size_t max) {
  if (!IsContinuationByte(text[max])) return max;
  for (size_t back = 1; back <= 3 && back < max; ++back) {
    if (!IsContinuationByte(text[max - back])) return max - back;
  }
  return max;
}

}  // namespace

absl::string_view LogSourceName(LogSource source) {
  switch (source) {
    case LogSource::kStdout:
      return "stdout";
    case LogSource::kStderr:
      return "stderr";
    case LogSource::kOutput:
      return "output";
    case LogSource::kWorker:
      return "worker";
  }
  return "worker";
}

absl::StatusOr<std::unique_ptr<TaskLog>> TaskLog::Create(const std::string& path,
                                                         const Clock& clock, Options options) {
  if (options.max_line_bytes == 0) {
    return absl::InvalidArgumentError("the task log's max_line_bytes must be positive");
  }
  process::UniqueFd fd(
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    const int error = errno;
    if (error == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat("the task log '", path, "' already exists; each run needs a new file"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the task log '", path, "': ", std::strerror(error)));
  }
  return std::unique_ptr<TaskLog>(new TaskLog(path, std::move(fd), clock, options));
}

absl::Status TaskLog::Append(LogSource source, absl::string_view text) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("the task log is closed");
  if (!failure_.ok()) return failure_;
  const std::string stamp =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_.Now(), absl::UTCTimeZone());
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    do {
      const size_t length = line.size() > options_.max_line_bytes
                                ? PieceLength(line, options_.max_line_bytes)
                                : line.size();
      if (absl::Status s = WriteLine(stamp, source, line.substr(0, length)); !s.ok()) return s;
      line.remove_prefix(length);
    } while (!line.empty());
  }
  return absl::OkStatus();
}

absl::Status TaskLog::Output(const process::OutputLine& line) {
  LogSource source = LogSource::kOutput;
  if (line.stream == process::Stream::kStdout) source = LogSource::kStdout;
  if (line.stream == process::Stream::kStderr) source = LogSource::kStderr;
  return Append(source, line.text);
}

absl::Status TaskLog::WriteLine(absl::string_view stamp, LogSource source, absl::string_view text) {
  if (truncated_) {
    ++dropped_lines_;
    return absl::OkStatus();
  }
  std::string line =
      absl::StrCat(stamp, " [", LogSourceName(source), "]", text.empty() ? "" : " ", text, "\n");
  if (options_.max_bytes != 0 && bytes_ + line.size() > options_.max_bytes) {
    truncated_ = true;
    ++dropped_lines_;
    line = absl::StrCat(stamp, " [worker] log truncated: it reached its limit of ",
                        options_.max_bytes, " bytes; later lines are dropped\n");
  }
  absl::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = write(fd_.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failure_ = absl::InternalError(absl::StrCat("cannot write the task log '", path_,
                                                  "': ", std::strerror(n < 0 ? errno : EIO)));
      return failure_;
    }
    // The hash covers exactly the bytes in the file.
    hash_.Update(rest.substr(0, static_cast<size_t>(n)));
    bytes_ += static_cast<uint64_t>(n);
    rest.remove_prefix(static_cast<size_t>(n));
  }
  ++lines_;
  return absl::OkStatus();
}

absl::StatusOr<TaskLog::Summary> TaskLog::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("the task log is already closed");
  closed_ = true;
  if (!failure_.ok()) return failure_;
  if (close(fd_.Release()) != 0) {
    failure_ = absl::InternalError(
        absl::StrCat("cannot close the task log '", path_, "': ", std::strerror(errno)));
    return failure_;
  }
  Summary summary;
  summary.sha256 = hash_.FinishHex();
  summary.bytes = bytes_;
  summary.lines = lines_;
  summary.dropped_lines = dropped_lines_;
  return summary;
}

}  // namespace bulwark::worker
