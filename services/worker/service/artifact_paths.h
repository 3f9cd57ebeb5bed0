// File: services/worker/service/artifact_paths.h
//
// ResolveArtifacts: turns a run's declared artifacts into open, verified files of the task
// directory, ready to hash and upload, refusing anything that would make the worker upload a
// file from outside the task directory or a file the task itself could not read.
//
//   ResolveOptions options;
//   options.open_as = task_user;  // when the worker is root and tasks run as task_user
//   BULWARK_ASSIGN_OR_RETURN(std::vector<ResolvedArtifact> files,
//                            ResolveArtifacts(task_dir, payload.artifacts, options));
//   for (ResolvedArtifact& file : files) Upload(file.name, file.fd.get(), file.size);
//
// Rules, per declared artifact:
//  1. The declared path must be relative and contain no ".." component (INVALID_ARGUMENT);
//     "." components, repeated and trailing '/' are ignored ("./out//a/" is "out/a").
//  2. The path is opened beneath the task directory with openat2(RESOLVE_BENEATH |
//     RESOLVE_NO_MAGICLINKS): the kernel resolves it atomically and fails if any step -
//     through a symbolic link in any component, file or directory - would leave the task
//     directory; absolute symbolic links are refused too (even ones naming a place inside).
//     Symbolic links that stay inside are followed (unless follow_internal_symlinks is false:
//     then any symbolic link is refused). Since the checks and the open are one system call,
//     nothing can swap a link in between; the caller gets the open descriptor, not a path.
//     On kernels without openat2 (before 5.6) the path is walked one component at a time with
//     openat(O_NOFOLLOW), which refuses every symbolic link.
//  3. A `file` artifact must be a regular file; a `directory` artifact a directory, whose
//     regular files are listed recursively (sorted, bounded by max_files and max_depth). Inside
//     a directory artifact each entry is opened relative to its already-open parent with
//     O_NOFOLLOW; a symbolic link entry is resolved as in rule 2 from the task directory
//     (refused if it leaves it, refused if it names a directory: not followed, so no loops),
//     and any other non-regular entry (fifo, socket, device) is refused.
//  4. With open_as, every lookup and open is made with the calling thread's filesystem
//     identity switched to that user (libraries/process/identity.h): a file the task user
//     could not read - a hard link to the worker's signing key, a root-only file - is refused
//     with PERMISSION_DENIED, exactly as the kernel would refuse the task.
//  5. Names: a `file` artifact has its declared name; a file of a `directory` artifact is
//     named "<name>/<its path inside the directory>". Every name must pass CheckArtifactName,
//     must not be reserved (artifact_spec.h), and must be unique across the whole run.
// A missing declared artifact is NOT_FOUND, saying so. Every error names the artifact and the
// reason ("artifact 'public/x': 'out/x' resolves outside the task directory ..."), ready for
// the task log; the first failing artifact ends resolution (already opened files are closed).
//
// Thread-safety: ResolveArtifacts may run on many threads at once; open_as affects only the
// calling thread and only during the call. Errors: as above, plus FAILED_PRECONDITION for a
// wrong type, an escape or a refused link, RESOURCE_EXHAUSTED past max_files or max_depth,
// and the errors of WithFsIdentity (FAILED_PRECONDITION when open_as is set and this process
// is not root).

#ifndef BULWARK_SERVICES_WORKER_SERVICE_ARTIFACT_PATHS_H_
#define BULWARK_SERVICES_WORKER_SERVICE_ARTIFACT_PATHS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/process/identity.h"
#include "libraries/process/unique_fd.h"
#include "services/worker/service/artifact_spec.h"

namespace bulwark::worker {

struct ResolveOptions {
  // Open everything as this user (see rule 4). Requires root.
  std::optional<process::Identity> open_as;
  // Follow symbolic links that stay inside the task directory (rule 2).
  bool follow_internal_symlinks = true;
  // At most this many files in all (directory artifacts included).
  size_t max_files = 100000;
  // At most this many directory levels inside one directory artifact.
  int max_depth = 64;
};

struct ResolvedArtifact {
  // The artifact name to upload under.
  std::string name;
  // Where it is, relative to the task directory, as declared (plus the entry's path inside a
  // directory artifact). For messages only: read through `fd`.
  std::string path;
  // Size in bytes when opened.
  uint64_t size = 0;
  // Open for reading (a regular file), close-on-exec.
  process::UniqueFd fd;
  // The declaration's expiry, if any.
  std::optional<absl::Time> expires;
};

// Resolves every artifact of `artifacts` inside `task_directory` (an absolute path).
absl::StatusOr<std::vector<ResolvedArtifact>> ResolveArtifacts(
    const std::string& task_directory, const std::vector<ArtifactSpec>& artifacts,
    const ResolveOptions& options = {});

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_ARTIFACT_PATHS_H_
