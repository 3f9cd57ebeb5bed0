#include "services/worker/service/artifact_paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace bulwark::worker {
namespace {

using process::UniqueFd;

// Flags for opening a candidate file: no side effects on a fifo (no blocking) or a terminal.
constexpr int kOpenFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

std::atomic<bool> openat2_missing{false};

// Opens `path` (relative, normalized) beneath `root`; -1 with errno on failure. EXDEV means the
// resolution would leave `root`, ELOOP (without `follow`) that it met a symbolic link.
int OpenBeneath(int root, const std::string& path, int flags, bool follow) {
  if (!openat2_missing.load(std::memory_order_relaxed)) {
    struct open_how how;
    std::memset(&how, 0, sizeof how);
    how.flags = static_cast<uint64_t>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (follow ? 0 : RESOLVE_NO_SYMLINKS);
    for (int attempt = 0; attempt < 16; ++attempt) {
      long fd = syscall(SYS_openat2, root, path.c_str(), &how, sizeof how);
      if (fd >= 0) return static_cast<int>(fd);
      // EAGAIN: a concurrent rename made the kernel unsure; it asks for a retry.
      if (errno != EAGAIN) break;
    }
    if (errno != ENOSYS) return -1;
    openat2_missing.store(true, std::memory_order_relaxed);
  }
  // Kernels before 5.6: walk the components without following any symbolic link.
  std::vector<std::string> components = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (components.empty() || (components.size() == 1 && components[0] == ".")) {
    return openat(root, ".", flags);
  }
  UniqueFd holder;
  int current = root;
  for (size_t i = 0; i + 1 < components.size(); ++i) {
    int fd = openat(current, components[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int error = errno;
      struct stat st;
      if (error == ENOTDIR &&
          fstatat(current, components[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(st.st_mode)) {
        error = ELOOP;
      }
      errno = error;
      return -1;
    }
    holder.Reset(fd);
    current = fd;
  }
  return openat(current, components.back().c_str(), flags | O_NOFOLLOW);
}

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a fifo";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

class Resolver {
 public:
  Resolver(const ResolveOptions& options, int root, std::vector<ResolvedArtifact>& out,
           std::map<std::string, std::string>& names)
      : options_(options), root_(root), out_(out), names_(names) {}

  absl::Status Resolve(const ArtifactSpec& spec) {
    spec_ = &spec;
    absl::StatusOr<std::string> path = Normalize(spec.path);
    if (!path.ok()) return path.status();
    UniqueFd fd(OpenBeneath(root_, *path, kOpenFlags, options_.follow_internal_symlinks));
    if (!fd.valid()) return OpenProblem(*path, errno);
    struct stat st;
    if (fstat(fd.get(), &st) != 0) return OpenProblem(*path, errno);
    if (spec.type == ArtifactType::kFile) {
      if (!S_ISREG(st.st_mode)) {
        return Problem(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("'", *path, "' is ", FileKind(st.st_mode),
                                    ", but the artifact is declared as a file"));
      }
      return Add(spec.name, *path, std::move(fd), st);
    }
    if (!S_ISDIR(st.st_mode)) {
      return Problem(
          absl::StatusCode::kFailedPrecondition,
          absl::StrCat("'", *path, "' is ", S_ISREG(st.st_mode) ? "a file" : FileKind(st.st_mode),
                       ", but the artifact is declared as a directory"));
    }
    return Walk(std::move(fd), *path, "", 1);
  }

 private:
  absl::Status Problem(absl::StatusCode code, absl::string_view what) const {
    return absl::Status(code, absl::StrCat("artifact '", spec_->name, "': ", what));
  }

  // "out//./a/" -> "out/a"; "" for the directory itself is ".".
  absl::StatusOr<std::string> Normalize(const std::string& path) const {
    if (path.empty()) return Problem(absl::StatusCode::kInvalidArgument, "the path is empty");
    if (path.find('\0') != std::string::npos) {
      return Problem(absl::StatusCode::kInvalidArgument, "the path contains a NUL byte");
    }
    if (path[0] == '/') {
      return Problem(absl::StatusCode::kInvalidArgument,
                     absl::StrCat("the path '", path,
                                  "' is absolute; artifact paths are relative to the task "
                                  "directory"));
    }
    std::vector<absl::string_view> kept;
    for (absl::string_view component : absl::StrSplit(path, '/', absl::SkipEmpty())) {
      if (component == ".") continue;
      if (component == "..") {
        return Problem(absl::StatusCode::kInvalidArgument,
                       absl::StrCat("the path '", path,
                                    "' contains a '..' component; artifacts must stay inside the "
                                    "task directory"));
      }
      kept.push_back(component);
    }
    return kept.empty() ? std::string(".") : absl::StrJoin(kept, "/");
  }

  absl::Status OpenProblem(const std::string& path, int error) const {
    switch (error) {
      case ENOENT:
        return Problem(absl::StatusCode::kNotFound,
                       absl::StrCat("'", path, "' does not exist in the task directory"));
      case EXDEV:
        return Problem(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("'", path,
                                    "' resolves outside the task directory (through a symbolic "
                                    "link, or an absolute symbolic link)"));
      case ELOOP:
        return Problem(absl::StatusCode::kFailedPrecondition,
                       options_.follow_internal_symlinks && !openat2_missing.load()
                           ? absl::StrCat("'", path, "' has too many levels of symbolic links")
                           : absl::StrCat("'", path,
                                          "' goes through a symbolic link, which this worker "
                                          "does not follow"));
      case EACCES:
      case EPERM:
        return Problem(absl::StatusCode::kPermissionDenied,
                       options_.open_as.has_value()
                           ? absl::StrCat("'", path, "' is not readable by the task user ",
                                          options_.open_as->Describe())
                           : absl::StrCat("'", path, "': permission denied"));
      case ENOTDIR:
        return Problem(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("a component of '", path, "' is not a directory"));
      default:
        return Problem(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("cannot open '", path, "': ", std::strerror(error)));
    }
  }

  absl::Status Add(const std::string& name, const std::string& path, UniqueFd fd,
                   const struct stat& st) {
    if (absl::Status valid = CheckArtifactName(name); !valid.ok()) {
      return Problem(
          absl::StatusCode::kFailedPrecondition,
          absl::StrCat("'", absl::CHexEscape(path), "' cannot be uploaded: ", valid.message()));
    }
    if (IsReservedArtifactName(name)) {
      return Problem(absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("'", path, "' would be uploaded as '", name,
                                  "', a name reserved for the worker's own artifacts"));
    }
    auto [previous, inserted] = names_.emplace(name, spec_->name);
    if (!inserted) {
      return Problem(absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("'", path, "' would be uploaded as '", name,
                                  "', a name artifact '", previous->second, "' already uses"));
    }
    if (out_.size() >= options_.max_files) {
      return Problem(
          absl::StatusCode::kResourceExhausted,
          absl::StrCat("the run's artifacts have more than ", options_.max_files, " files"));
    }
    // Regular files never block; clear O_NONBLOCK so readers need not care.
    fcntl(fd.get(), F_SETFL, 0);
    ResolvedArtifact artifact;
    artifact.name = name;
    artifact.path = path;
    artifact.size = static_cast<uint64_t>(st.st_size);
    artifact.fd = std::move(fd);
    artifact.expires = spec_->expires;
    out_.push_back(std::move(artifact));
    return absl::OkStatus();
  }

  // Lists `dir` (at `path` from the task directory, `relative` inside the artifact).
  absl::Status Walk(UniqueFd dir, const std::string& path, const std::string& relative, int depth) {
    if (depth > options_.max_depth) {
      return Problem(absl::StatusCode::kResourceExhausted,
                     absl::StrCat("'", path, "' is nested more than ", options_.max_depth,
                                  " directories deep"));
    }
    std::vector<std::string> names;
    {
      int copy = fcntl(dir.get(), F_DUPFD_CLOEXEC, 0);
      DIR* listing = copy >= 0 ? fdopendir(copy) : nullptr;
      if (listing == nullptr) {
        int error = errno;
        if (copy >= 0) close(copy);
        return OpenProblem(path, error);
      }
      errno = 0;
      while (struct dirent* entry = readdir(listing)) {
        absl::string_view name = entry->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
        if (names.size() > options_.max_files) break;
        errno = 0;
      }
      int error = errno;
      closedir(listing);
      if (error != 0) return OpenProblem(path, error);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string entry_path = path == "." ? name : absl::StrCat(path, "/", name);
      const std::string entry_relative =
          relative.empty() ? name : absl::StrCat(relative, "/", name);
      struct stat st;
      if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return OpenProblem(entry_path, errno);
      }
      if (S_ISDIR(st.st_mode)) {
        UniqueFd child(
            openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child.valid()) return OpenProblem(entry_path, errno);
        if (absl::Status s = Walk(std::move(child), entry_path, entry_relative, depth + 1);
            !s.ok()) {
          return s;
        }
        continue;
      }
      UniqueFd file;
      if (S_ISREG(st.st_mode)) {
        file.Reset(openat(dir.get(), name.c_str(), kOpenFlags | O_NOFOLLOW));
      } else if (S_ISLNK(st.st_mode)) {
        if (!options_.follow_internal_symlinks) {
          return Problem(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat("'", entry_path,
                                      "' is a symbolic link, which this worker does not follow"));
        }
        file.Reset(OpenBeneath(root_, entry_path, kOpenFlags, /*follow=*/true));
        if (!file.valid() && errno == EXDEV) {
          return Problem(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat("'", entry_path,
                                      "' is a symbolic link that leads outside the task "
                                      "directory"));
        }
      } else {
        return Problem(
            absl::StatusCode::kFailedPrecondition,
            absl::StrCat("'", entry_path, "' is ", FileKind(st.st_mode), ", not a regular file"));
      }
      if (!file.valid()) return OpenProblem(entry_path, errno);
      struct stat opened;
      if (fstat(file.get(), &opened) != 0) return OpenProblem(entry_path, errno);
      if (!S_ISREG(opened.st_mode)) {
        return Problem(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("'", entry_path, "' ",
                                    S_ISLNK(st.st_mode) ? "is a symbolic link to " : "is now ",
                                    FileKind(opened.st_mode),
                                    S_ISLNK(st.st_mode) && S_ISDIR(opened.st_mode)
                                        ? ", which is not followed inside a directory artifact"
                                        : ", not a regular file"));
      }
      if (absl::Status s = Add(absl::StrCat(spec_->name, "/", entry_relative), entry_path,
                               std::move(file), opened);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  const ResolveOptions& options_;
  const int root_;
  std::vector<ResolvedArtifact>& out_;
  // Artifact name -> the declared artifact that produced it.
  std::map<std::string, std::string>& names_;
  const ArtifactSpec* spec_ = nullptr;
};

}  // namespace

absl::StatusOr<std::vector<ResolvedArtifact>> ResolveArtifacts(
    const std::string& task_directory, const std::vector<ArtifactSpec>& artifacts,
    const ResolveOptions& options) {
  if (task_directory.empty() || task_directory[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("the task directory '", task_directory, "' is not an absolute path"));
  }
  UniqueFd root(open(task_directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot open the task directory '",
                                                      task_directory, "': ", std::strerror(errno)));
  }
  std::vector<ResolvedArtifact> out;
  std::map<std::string, std::string> names;
  Resolver resolver(options, root.get(), out, names);
  for (const ArtifactSpec& spec : artifacts) {
    auto resolve = [&]() -> absl::Status { return resolver.Resolve(spec); };
    absl::Status status = options.open_as.has_value()
                              ? process::WithFsIdentity(*options.open_as, resolve)
                              : resolve();
    if (!status.ok()) return status;
  }
  return out;
}

}  // namespace bulwark::worker
