#include "services/worker/service/upstream_artifacts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::worker {
namespace {

absl::Status Own(int fd, const std::string& path, const std::optional<process::Identity>& owner) {
  if (owner && fchown(fd, owner->uid, owner->gid) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot give ", path, " to the task user: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Makes `dir` (a real directory, never a link) if it does not exist.
absl::Status EnsureDirectory(const std::string& dir,
                             const std::optional<process::Identity>& owner) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", dir, ": ", std::strerror(errno)));
  }
  process::UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, " is needed as a directory for an upstream artifact, but is not one"));
  }
  if (fchmod(fd.get(), 0755) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot set the mode of ", dir, ": ", std::strerror(errno)));
  }
  return Own(fd.get(), dir, owner);
}

absl::Status CheckPath(const std::string& path) {
  if (path.empty() || path[0] == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream artifact path \"", path, "\" must be relative"));
  }
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    if (segment.empty() || segment == "." || segment == "..") {
      return absl::InvalidArgumentError(absl::StrCat("upstream artifact path \"", path,
                                                     "\" has an empty, \".\" or \"..\" segment"));
    }
  }
  return absl::OkStatus();
}

absl::Status FetchOne(WorkerQueue& queue, const std::string& task_id, const std::string& path,
                      const UpstreamFetch& fetch) {
  if (absl::Status s = CheckPath(path); !s.ok()) return s;
  std::string target = absl::StrCat(fetch.task_directory, "/cot");
  if (absl::Status s = EnsureDirectory(target, fetch.owner); !s.ok()) return s;
  absl::StrAppend(&target, "/", task_id);
  if (absl::Status s = EnsureDirectory(target, fetch.owner); !s.ok()) return s;
  std::vector<std::string> segments = absl::StrSplit(path, '/');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    absl::StrAppend(&target, "/", segments[i]);
    if (absl::Status s = EnsureDirectory(target, fetch.owner); !s.ok()) return s;
  }
  absl::StrAppend(&target, "/", segments.back());
  process::UniqueFd fd(
      open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot create ", target, ": ",
                                                   std::strerror(errno),
                                                   " (is the path named twice, or a prefix of "
                                                   "another?)"));
  }
  absl::StatusOr<queue::v1::Artifact> got = queue.DownloadArtifact(
      task_id, path,
      [&](absl::string_view chunk) -> absl::Status {
        while (!chunk.empty()) {
          ssize_t n = write(fd.get(), chunk.data(), chunk.size());
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) {
            return absl::FailedPreconditionError(
                absl::StrCat("cannot write ", target, ": ", std::strerror(errno)));
          }
          chunk.remove_prefix(static_cast<size_t>(n));
        }
        return absl::OkStatus();
      },
      fetch.credentials, absl::Now() + fetch.timeout);
  if (!got.ok()) {
    unlink(target.c_str());
    return absl::Status(got.status().code(), absl::StrCat("upstream artifact ", path, " of task ",
                                                          task_id, ": ", got.status().message()));
  }
  if (absl::Status s = Own(fd.get(), target, fetch.owner); !s.ok()) return s;
  if (fetch.log) {
    fetch.log(absl::StrCat("fetched upstream artifact ", path, " of task ", task_id, " (",
                           got->size(), " bytes, sha256 ", got->sha256(), ") to cot/", task_id, "/",
                           path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FetchUpstreamArtifacts(WorkerQueue& queue,
                                    const std::vector<UpstreamArtifact>& upstream,
                                    const UpstreamFetch& fetch) {
  for (const UpstreamArtifact& u : upstream) {
    for (const std::string& path : u.paths) {
      absl::Status s = FetchOne(queue, u.task_id, path, fetch);
      if (s.code() == absl::StatusCode::kNotFound && u.optional) {
        if (fetch.log) fetch.log(absl::StrCat("skipped optional ", s.message()));
        continue;
      }
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace bulwark::worker
