#include "libraries/process/identity.h"

#include <grp.h>
#include <pwd.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bulwark::process {
namespace {

// The raw system calls change only the calling thread's credentials (see the header).
int ThreadSetGroups(const std::vector<gid_t>& groups) {
  return static_cast<int>(syscall(SYS_setgroups, groups.size(), groups.data()));
}

// setfsuid/setfsgid return the previous value and never fail visibly; a change took effect iff
// querying (with an invalid id, which changes nothing) returns the requested value.
bool ThreadSetFsUid(uid_t uid) {
  syscall(SYS_setfsuid, uid);
  return static_cast<uid_t>(syscall(SYS_setfsuid, static_cast<uid_t>(-1))) == uid;
}
bool ThreadSetFsGid(gid_t gid) {
  syscall(SYS_setfsgid, gid);
  return static_cast<gid_t>(syscall(SYS_setfsgid, static_cast<gid_t>(-1))) == gid;
}

[[noreturn]] void AbortRestore(const char* what) {
  std::fprintf(stderr, "fatal: cannot restore this thread's %s after WithFsIdentity: %s\n", what,
               std::strerror(errno));
  std::abort();
}

}  // namespace

std::string Identity::Describe() const {
  std::string ids = absl::StrCat("uid ", uid, ", gid ", gid);
  return name.empty() ? ids : absl::StrCat(name, " (", ids, ")");
}

absl::StatusOr<Identity> LookupUser(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("user name is empty");
  long size_hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size_hint > 0 ? static_cast<size_t>(size_hint) : 16384);
  struct passwd pwd;
  struct passwd* found = nullptr;
  uint32_t numeric = 0;
  const bool is_numeric = absl::SimpleAtoi(name, &numeric);
  for (;;) {
    int rc = is_numeric ? getpwuid_r(numeric, &pwd, buffer.data(), buffer.size(), &found)
                        : getpwnam_r(name.c_str(), &pwd, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0) {
      return absl::InternalError(
          absl::StrCat("cannot read the user database for '", name, "': ", std::strerror(rc)));
    }
    break;
  }
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat("no user '", name, "' in the user database"));
  }
  Identity identity;
  identity.uid = pwd.pw_uid;
  identity.gid = pwd.pw_gid;
  identity.name = pwd.pw_name;
  int count = 16;
  for (;;) {
    std::vector<gid_t> groups(static_cast<size_t>(count));
    int n = count;
    if (getgrouplist(pwd.pw_name, pwd.pw_gid, groups.data(), &n) >= 0) {
      groups.resize(static_cast<size_t>(n));
      identity.groups = std::move(groups);
      break;
    }
    if (n <= count) n = count * 2;  // Defensive: getgrouplist must report the size it needs.
    if (static_cast<size_t>(n) > kMaxGroups) {
      return absl::InternalError(
          absl::StrCat("user '", name, "' has more than ", kMaxGroups, " supplementary groups"));
    }
    count = n;
  }
  return identity;
}

Identity CurrentIdentity() {
  Identity identity;
  identity.uid = geteuid();
  identity.gid = getegid();
  int n = getgroups(0, nullptr);
  if (n > 0) {
    identity.groups.resize(static_cast<size_t>(n));
    n = getgroups(n, identity.groups.data());
    identity.groups.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  return identity;
}

bool IsRoot() { return geteuid() == 0; }

absl::Status WithFsIdentity(const Identity& identity, absl::FunctionRef<absl::Status()> fn) {
  if (!IsRoot()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "acting as ", identity.Describe(), " requires root; this process runs as uid ", geteuid()));
  }
  if (identity.groups.size() > kMaxGroups) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxGroups, " supplementary groups"));
  }
  // Save this thread's groups (the raw call: glibc's getgroups is per-process but reads the
  // calling thread's credentials, which is what we want to restore).
  std::vector<gid_t> saved_groups;
  for (;;) {
    long count = syscall(SYS_getgroups, 0, nullptr);
    if (count < 0) return absl::InternalError(absl::StrCat("getgroups: ", std::strerror(errno)));
    saved_groups.resize(static_cast<size_t>(count));
    long n = syscall(SYS_getgroups, saved_groups.size(), saved_groups.data());
    if (n >= 0) {
      saved_groups.resize(static_cast<size_t>(n));
      break;
    }
    if (errno != EINVAL) {  // EINVAL: the list grew between the two calls; ask again.
      return absl::InternalError(absl::StrCat("getgroups: ", std::strerror(errno)));
    }
  }
  const uid_t saved_fsuid = static_cast<uid_t>(syscall(SYS_setfsuid, static_cast<uid_t>(-1)));
  const gid_t saved_fsgid = static_cast<gid_t>(syscall(SYS_setfsgid, static_cast<gid_t>(-1)));

  // Groups and gid first: once the fsuid is not 0 nothing else about files may change, but
  // setgroups needs CAP_SETGID, which setfsuid keeps.
  absl::Status status;
  if (ThreadSetGroups(identity.groups) != 0) {
    status = absl::InternalError(absl::StrCat("setgroups: ", std::strerror(errno)));
  } else if (!ThreadSetFsGid(identity.gid)) {
    status = absl::InternalError(absl::StrCat("setfsgid(", identity.gid, ") did not take effect"));
  } else if (!ThreadSetFsUid(identity.uid)) {
    status = absl::InternalError(absl::StrCat("setfsuid(", identity.uid, ") did not take effect"));
  } else {
    status = fn();
  }

  if (!ThreadSetFsUid(saved_fsuid)) AbortRestore("fsuid");
  if (!ThreadSetFsGid(saved_fsgid)) AbortRestore("fsgid");
  if (ThreadSetGroups(saved_groups) != 0) AbortRestore("supplementary groups");
  return status;
}

}  // namespace bulwark::process
