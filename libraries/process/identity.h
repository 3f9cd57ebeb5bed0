// File: libraries/process/identity.h
//
// Unix identities for running work as another user:
//   Identity          uid, primary gid and supplementary groups.
//   LookupUser        the identity of a user name (or numeric uid) from the user database,
//                     with the supplementary groups the system gives that user.
//   CurrentIdentity   the effective identity of this process.
//   WithFsIdentity    runs a function on the calling thread with the thread's filesystem
//                     identity (fsuid, fsgid, supplementary groups) switched to another user,
//                     so that every open(2)/openat2(2) inside is permission-checked exactly as
//                     if that user made it (the fs capabilities such as CAP_DAC_OVERRIDE are
//                     dropped by the kernel while the fsuid is not 0). The worker uses it to
//                     open artifacts and probe its signing key "as the task user".
//
//   BULWARK_ASSIGN_OR_RETURN(Identity task_user, LookupUser("nobody"));
//   absl::Status opened = WithFsIdentity(task_user, [&]() -> absl::Status {
//     fd.Reset(open(path, O_RDONLY | O_CLOEXEC));  // EACCES if `nobody` could not read it
//     return absl::OkStatus();
//   });
//
// How WithFsIdentity stays thread-local: Linux keeps credentials per thread, and glibc's
// setuid/setgid/setgroups wrappers broadcast a change to every thread of the process. This code
// calls the raw setfsuid/setfsgid/setgroups system calls, which change the calling thread only,
// and restores the previous values before returning (also when `fn` fails). Other threads
// (gRPC, other tasks) are never affected.
//
// Thread-safety: all functions may be called from any thread; WithFsIdentity affects only the
// calling thread, for the duration of `fn` (which must not switch threads or block on work that
// another thread does as this thread's identity).
//
// Errors: LookupUser returns NOT_FOUND for an unknown user, INVALID_ARGUMENT for an empty name,
// INTERNAL when the user database cannot be read. WithFsIdentity returns FAILED_PRECONDITION
// when the process is not root (only root may switch), INVALID_ARGUMENT for more than
// kMaxGroups groups, and otherwise whatever `fn` returns. If the previous identity cannot be
// restored the process aborts: continuing with a thread that has another user's identity would
// be unsound (this cannot happen while the process keeps CAP_SETUID/CAP_SETGID).

#ifndef BULWARK_LIBRARIES_PROCESS_IDENTITY_H_
#define BULWARK_LIBRARIES_PROCESS_IDENTITY_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulwark::process {

// At most this many supplementary groups are applied (Linux allows 65536; a task user needs few).
inline constexpr size_t kMaxGroups = 1024;

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  // Supplementary groups (the primary gid may appear here too, as getgrouplist returns it).
  std::vector<gid_t> groups;
  // The user name when known (for messages); empty otherwise.
  std::string name;

  // "nobody (uid 65534, gid 65534)" or "uid 1000, gid 1000".
  std::string Describe() const;
};

// The identity of user `name` (a name, or a decimal uid that exists in the user database).
absl::StatusOr<Identity> LookupUser(const std::string& name);

// This process's effective uid, gid and supplementary groups.
Identity CurrentIdentity();

// Whether the effective uid is 0.
bool IsRoot();

// Runs `fn` with the calling thread's filesystem identity switched to `identity` (see above).
absl::Status WithFsIdentity(const Identity& identity, absl::FunctionRef<absl::Status()> fn);

}  // namespace bulwark::process

#endif  // BULWARK_LIBRARIES_PROCESS_IDENTITY_H_
