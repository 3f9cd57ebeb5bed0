#include "libraries/process/subprocess.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::process {
namespace {

using Steady = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// The protocol between Run (the parent) and the supervisor, over a SOCK_SEQPACKET socketpair:
// one fixed-size message per packet.

enum MessageKind : int32_t {
  // supervisor -> parent
  kSetupFailed = 1,  // a = Stage, b = errno
  kExited = 2,       // a = the command's wait status
  // parent -> supervisor
  kTerminate = 3,  // SIGTERM to the tree
  kKill = 4,       // SIGKILL the tree, reap it, exit
};

enum Stage : int32_t {
  kStageSubreaper = 1,
  kStageSignalFd,
  kStageFork,
  kStageSession,
  kStageGroups,
  kStageGid,
  kStageUid,
  kStageNoNewPrivs,
  kStageDirectory,
  kStageStdin,
  kStageRedirect,
  kStageExec,
};

struct Message {
  int32_t kind;
  int32_t a;
  int32_t b;
};

// Everything the supervisor and the command's child use, prepared before the fork: after it,
// only async-signal-safe system calls on this memory are allowed.
struct Plan {
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* const* exec_paths = nullptr;
  size_t exec_path_count = 0;
  const char* cwd = nullptr;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* groups = nullptr;
  size_t group_count = 0;
  bool no_new_privileges = false;
  int control_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;  // == stdout_fd when output is combined
};

// ---------------------------------------------------------------------------------------------
// Async-signal-safe code: the supervisor and the command's child before execve.

void SafeSend(int fd, int32_t kind, int32_t a, int32_t b) {
  Message message{kind, a, b};
  while (send(fd, &message, sizeof message, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

void ResetSignalDispositions() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(sig, &action, nullptr);  // Fails harmlessly for the C library's reserved signals.
  }
}

[[noreturn]] void ChildFail(const Plan& plan, Stage stage, int error) {
  SafeSend(plan.control_fd, kSetupFailed, stage, error);
  _exit(127);
}

[[noreturn]] void CommandChild(const Plan& plan) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  ResetSignalDispositions();
  if (setsid() < 0) ChildFail(plan, kStageSession, errno);
  if (plan.switch_user) {
    // Raw system calls: this process has one thread, and glibc's wrappers would try to
    // synchronize threads that no longer exist after the fork.
    if (syscall(SYS_setgroups, plan.group_count, plan.groups) != 0) {
      ChildFail(plan, kStageGroups, errno);
    }
    if (syscall(SYS_setgid, plan.gid) != 0) ChildFail(plan, kStageGid, errno);
    if (syscall(SYS_setuid, plan.uid) != 0) ChildFail(plan, kStageUid, errno);
  }
  if (plan.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    ChildFail(plan, kStageNoNewPrivs, errno);
  }
  if (chdir(plan.cwd) != 0) ChildFail(plan, kStageDirectory, errno);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) ChildFail(plan, kStageStdin, errno);
  if (null_fd == 0) {
    if (fcntl(0, F_SETFD, 0) != 0) ChildFail(plan, kStageStdin, errno);
  } else if (dup2(null_fd, 0) < 0) {
    ChildFail(plan, kStageStdin, errno);
  }
  // The pipe ends are >= 3 (Run makes sure), so these never overwrite each other; dup2 clears
  // close-on-exec on the copies. Every other descriptor is close-on-exec.
  if (dup2(plan.stdout_fd, 1) < 0 || dup2(plan.stderr_fd, 2) < 0) {
    ChildFail(plan, kStageRedirect, errno);
  }
  int error = ENOENT;
  bool denied = false;
  for (size_t i = 0; i < plan.exec_path_count; ++i) {
    execve(plan.exec_paths[i], plan.argv, plan.envp);
    error = errno;
    if (error == EACCES) {
      denied = true;
    } else if (error != ENOENT && error != ENOTDIR) {
      break;
    }
  }
  if (denied && (error == ENOENT || error == ENOTDIR || error == EACCES)) error = EACCES;
  ChildFail(plan, kStageExec, error);
}

// Closes every descriptor >= 3 except the (up to three) in `keep`.
void CloseOtherDescriptors(int keep0, int keep1, int keep2) {
  int keep[3] = {keep0, keep1, keep2};
  // Sort three values by hand (std::sort is not promised to be async-signal-safe).
  for (int i = 0; i < 3; ++i) {
    for (int j = i + 1; j < 3; ++j) {
      if (keep[j] < keep[i]) {
        int t = keep[i];
        keep[i] = keep[j];
        keep[j] = t;
      }
    }
  }
  unsigned int from = 3;
  bool fallback = false;
  for (int i = 0; i <= 3 && !fallback; ++i) {
    unsigned int to = i < 3 ? static_cast<unsigned int>(keep[i]) : ~0u;
    if (i < 3 && keep[i] < 3) continue;
    if (to > from) {
      unsigned int last = i < 3 ? to - 1 : ~0u;
      if (syscall(SYS_close_range, from, last, 0) != 0) fallback = true;
    }
    if (i < 3) from = to + 1;
  }
  if (!fallback) return;
  // Kernels before 5.9: close one by one up to the descriptor limit.
  struct rlimit limit;
  rlim_t max = 65536;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < max) {
    max = limit.rlim_cur;
  }
  for (int fd = 3; fd < static_cast<int>(max); ++fd) {
    if (fd != keep0 && fd != keep1 && fd != keep2) close(fd);
  }
}

// Parses a non-negative decimal at `s` (up to `end`), advancing `s`; -1 if there is none.
long ParseDecimal(const char*& s, const char* end) {
  if (s >= end || *s < '0' || *s > '9') return -1;
  long value = 0;
  while (s < end && *s >= '0' && *s <= '9') {
    value = value * 10 + (*s - '0');
    ++s;
  }
  return value;
}

// Calls fn(pid) for every child of this (single-threaded) process.
template <typename Fn>
void ForEachChild(Fn fn) {
  int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buffer[512];
    long pid = -1;
    for (;;) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i) {
        char c = buffer[i];
        if (c >= '0' && c <= '9') {
          pid = (pid < 0 ? 0 : pid * 10) + (c - '0');
        } else if (pid > 0) {
          fn(static_cast<pid_t>(pid));
          pid = -1;
        }
      }
    }
    if (pid > 0) fn(static_cast<pid_t>(pid));
    close(fd);
    return;
  }
  // Kernels without CONFIG_PROC_CHILDREN: scan /proc/<pid>/stat for our pid as the parent.
  const pid_t self = getpid();
  int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  alignas(8) char entries[4096];
  for (;;) {
    long n = syscall(SYS_getdents64, dir, entries, sizeof entries);
    if (n <= 0) break;
    for (long offset = 0; offset < n;) {
      struct Entry {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[1];
      };
      const Entry* entry = reinterpret_cast<const Entry*>(entries + offset);
      offset += entry->reclen;
      const char* name = entry->name;
      const char* name_end = name + std::strlen(name);
      const char* p = name;
      long pid = ParseDecimal(p, name_end);
      if (pid <= 0 || p != name_end) continue;
      char path[64] = "/proc/";
      size_t len = 6;
      for (const char* q = name; q < name_end && len < sizeof path - 6; ++q) path[len++] = *q;
      std::memcpy(path + len, "/stat", 6);
      int stat_fd = open(path, O_RDONLY | O_CLOEXEC);
      if (stat_fd < 0) continue;
      char stat[512];
      ssize_t got = read(stat_fd, stat, sizeof stat);
      close(stat_fd);
      if (got <= 0) continue;
      // "pid (comm) S ppid ...": comm may contain anything, so find the last ')'.
      const char* stat_end = stat + got;
      const char* close_paren = nullptr;
      for (const char* q = stat; q < stat_end; ++q) {
        if (*q == ')') close_paren = q;
      }
      if (close_paren == nullptr || stat_end - close_paren < 5) continue;
      const char* q = close_paren + 4;  // past ") S "
      long ppid = ParseDecimal(q, stat_end);
      if (ppid == self) fn(static_cast<pid_t>(pid));
    }
  }
  close(dir);
}

struct SupervisorState {
  int control_fd = -1;
  pid_t command = -1;
  bool command_reaped = false;
};

void NoteReaped(SupervisorState& state, pid_t pid, int status) {
  if (pid != state.command) return;
  state.command_reaped = true;
  SafeSend(state.control_fd, kExited, status, 0);
}

void ReapExited(SupervisorState& state) {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    NoteReaped(state, pid, status);
  }
}

// Sends `sig` to the command's group (while the command is unreaped, so its id cannot have been
// reused) and to every child and any group it leads (our unreaped children hold their ids).
void SignalTree(const SupervisorState& state, int sig) {
  if (!state.command_reaped) kill(-state.command, sig);
  ForEachChild([sig](pid_t pid) {
    kill(pid, sig);
    kill(-pid, sig);
  });
}

// SIGKILLs and reaps until this process has no child left.
void KillTree(SupervisorState& state) {
  if (!state.command_reaped) kill(-state.command, SIGKILL);
  for (;;) {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) NoteReaped(state, pid, status);
    if (pid < 0) {
      if (errno == EINTR) continue;
      return;  // ECHILD: the tree is gone.
    }
    SignalTree(state, SIGKILL);
    pid = waitpid(-1, &status, 0);
    if (pid > 0) NoteReaped(state, pid, status);
  }
}

[[noreturn]] void Supervisor(const Plan& plan) {
  ResetSignalDispositions();
  // Signals aimed at this process's original group (a terminal's ^C, a service manager's
  // SIGTERM) must not kill the supervisor and strand the tree: it leaves only when the tree is
  // gone or its parent is.
  for (int sig :
       {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2}) {
    signal(sig, SIG_IGN);
  }
  sigset_t child_signal;
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  sigprocmask(SIG_SETMASK, &child_signal, nullptr);
  CloseOtherDescriptors(plan.control_fd, plan.stdout_fd, plan.stderr_fd);

  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    SafeSend(plan.control_fd, kSetupFailed, kStageSubreaper, errno);
    _exit(1);
  }
  int signal_fd = signalfd(-1, &child_signal, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) {
    SafeSend(plan.control_fd, kSetupFailed, kStageSignalFd, errno);
    _exit(1);
  }
  pid_t command = _Fork();
  if (command < 0) {
    SafeSend(plan.control_fd, kSetupFailed, kStageFork, errno);
    _exit(1);
  }
  if (command == 0) CommandChild(plan);
  // Only the command writes the output pipes.
  close(plan.stdout_fd);
  if (plan.stderr_fd != plan.stdout_fd) close(plan.stderr_fd);

  SupervisorState state;
  state.control_fd = plan.control_fd;
  state.command = command;
  bool kill_requested = false;
  while (!state.command_reaped && !kill_requested) {
    struct pollfd fds[2] = {{plan.control_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) {
      struct signalfd_siginfo info;
      while (read(signal_fd, &info, sizeof info) > 0) {
      }
      ReapExited(state);
    }
    if (fds[0].revents != 0) {
      Message message;
      ssize_t n = recv(plan.control_fd, &message, sizeof message, MSG_DONTWAIT);
      if (n == static_cast<ssize_t>(sizeof message)) {
        if (message.kind == kTerminate) SignalTree(state, SIGTERM);
        if (message.kind == kKill) kill_requested = true;
      } else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        kill_requested = true;  // Run's end of the socket is gone (its process died).
      }
    }
  }
  KillTree(state);
  _exit(0);
}

// ---------------------------------------------------------------------------------------------
// Run (the parent side).

absl::Status ErrnoStatus(absl::StatusCode code, absl::string_view what, int error) {
  return absl::Status(code, absl::StrCat(what, ": ", std::strerror(error)));
}

// The pipe/socket ends the supervisor keeps must be >= 3 so that the child's dup2 onto 0-2
// never overwrites one of them.
absl::Status MoveAbove2(UniqueFd& fd) {
  if (fd.get() >= 3) return absl::OkStatus();
  int moved = fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return ErrnoStatus(absl::StatusCode::kResourceExhausted, "fcntl", errno);
  fd.Reset(moved);
  return absl::OkStatus();
}

absl::Status MakePipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return ErrnoStatus(absl::StatusCode::kResourceExhausted, "cannot create a pipe", errno);
  }
  read_end.Reset(fds[0]);
  write_end.Reset(fds[1]);
  if (fcntl(read_end.get(), F_SETFL, O_NONBLOCK) != 0) {
    return ErrnoStatus(absl::StatusCode::kInternal, "fcntl(O_NONBLOCK)", errno);
  }
  return MoveAbove2(write_end);
}

bool HasNul(absl::string_view s) { return s.find('\0') != absl::string_view::npos; }

absl::Status Validate(const RunOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return absl::InvalidArgumentError("the command is empty: argv needs at least a program");
  }
  for (size_t i = 0; i < options.argv.size(); ++i) {
    if (HasNul(options.argv[i])) {
      return absl::InvalidArgumentError(absl::StrCat("argv[", i, "] contains a NUL byte"));
    }
  }
  for (const auto& [name, value] : options.env) {
    if (name.empty() || absl::StrContains(name, '=') || HasNul(name)) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable name '", name,
                                                     "' is empty or contains '=' or a NUL byte"));
    }
    if (HasNul(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", name, " contains a NUL byte"));
    }
  }
  if (options.working_directory.empty() || options.working_directory[0] != '/' ||
      HasNul(options.working_directory)) {
    return absl::InvalidArgumentError(absl::StrCat("the working directory must be an absolute path",
                                                   ", not '", options.working_directory, "'"));
  }
  if (options.time_limit <= absl::ZeroDuration() ||
      options.time_limit == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("the time limit must be positive and finite");
  }
  if (options.cancel_grace < absl::ZeroDuration() ||
      options.cancel_grace == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("the cancellation grace period must be finite, not negative");
  }
  if (options.cleanup_timeout <= absl::ZeroDuration() ||
      options.cleanup_timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("the cleanup timeout must be positive and finite");
  }
  if (options.max_line_bytes == 0 || options.max_line_bytes > kMaxLineBytesLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_line_bytes must be 1 to ", kMaxLineBytesLimit));
  }
  if (options.user.has_value()) {
    if (!IsRoot()) {
      return absl::FailedPreconditionError(
          absl::StrCat("running a command as ", options.user->Describe(),
                       " requires this process to run as root; it runs as uid ", geteuid()));
    }
    if (options.user->groups.size() > kMaxGroups) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than ", kMaxGroups, " supplementary groups"));
    }
  }
  return absl::OkStatus();
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Cuts one stream's bytes into lines for the callback.
class LineSplitter {
 public:
  LineSplitter(Stream stream, size_t max, const OutputCallback& callback)
      : stream_(stream), max_(max), callback_(callback) {}

  void Feed(absl::string_view data) {
    while (!data.empty()) {
      size_t newline = data.find('\n');
      absl::string_view piece = data.substr(0, newline);
      while (pending_.size() + piece.size() > max_) {
        size_t take = max_ - pending_.size();
        pending_.append(piece.data(), take);
        piece.remove_prefix(take);
        // piece is not empty here; if it continues a UTF-8 sequence, cut before that
        // sequence's lead byte (within the last three bytes) instead.
        size_t cut = max_;
        if (IsContinuationByte(piece.front())) {
          for (size_t back = 1; back <= 3 && back < max_; ++back) {
            if (!IsContinuationByte(pending_[max_ - back])) {
              cut = max_ - back;
              break;
            }
          }
        }
        Emit(absl::string_view(pending_).substr(0, cut), false);
        pending_.erase(0, cut);
      }
      pending_.append(piece.data(), piece.size());
      if (newline == absl::string_view::npos) return;
      Emit(pending_, true);
      pending_.clear();
      data.remove_prefix(newline + 1);
    }
  }

  void Finish() {
    if (!pending_.empty()) Emit(pending_, false);
    pending_.clear();
  }

 private:
  void Emit(absl::string_view text, bool complete) {
    if (callback_) callback_(OutputLine{stream_, text, complete});
  }

  const Stream stream_;
  const size_t max_;
  const OutputCallback& callback_;
  std::string pending_;
};

absl::Status SetupFailureStatus(const RunOptions& options, int stage, int error,
                                const std::string& searched_path) {
  const std::string& program = options.argv[0];
  const std::string as_user =
      options.user.has_value() ? absl::StrCat(" as ", options.user->Describe()) : "";
  const char* reason = std::strerror(error);
  switch (stage) {
    case kStageExec:
      if (error == ENOENT || error == ENOTDIR) {
        if (!searched_path.empty()) {
          return absl::NotFoundError(
              absl::StrCat("command '", program, "' not found in PATH ", searched_path));
        }
        return absl::NotFoundError(absl::StrCat("cannot run '", program, "': ", reason));
      }
      if (error == EACCES || error == EPERM) {
        return absl::PermissionDeniedError(
            absl::StrCat("cannot run '", program, "'", as_user, ": ", reason));
      }
      if (error == ENOEXEC) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cannot run '", program, "': not an executable format (a script needs a #! line)"));
      }
      return absl::FailedPreconditionError(absl::StrCat("cannot run '", program, "': ", reason));
    case kStageDirectory:
      return absl::FailedPreconditionError(absl::StrCat("cannot enter the working directory '",
                                                        options.working_directory, "'", as_user,
                                                        ": ", reason));
    case kStageGroups:
    case kStageGid:
    case kStageUid:
      return absl::FailedPreconditionError(
          absl::StrCat("cannot switch to ", options.user->Describe(), ": ", reason));
    case kStageFork:
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot start the command (fork): ", reason));
    case kStageSubreaper:
      return absl::InternalError(absl::StrCat(
          "the process supervisor cannot become a child subreaper (needs Linux 3.4+): ", reason));
    default:
      return absl::InternalError(
          absl::StrCat("cannot set up the command (step ", stage, "): ", reason));
  }
}

int MillisecondsUntil(Steady::time_point now, Steady::time_point when) {
  if (when <= now) return 0;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when - now).count() + 1;
  return static_cast<int>(std::min<int64_t>(ms, 1 << 30));
}

}  // namespace

absl::string_view StreamName(Stream stream) {
  switch (stream) {
    case Stream::kStdout:
      return "stdout";
    case Stream::kStderr:
      return "stderr";
    case Stream::kCombined:
      return "output";
  }
  return "output";
}

bool RunResult::Succeeded() const {
  return exit_code.has_value() && *exit_code == 0 && !timed_out && !cancelled;
}

std::string RunResult::Describe(absl::Duration time_limit) const {
  std::string text;
  if (exit_code.has_value()) {
    text = absl::StrCat("exited with code ", *exit_code);
  } else if (signal.has_value()) {
    text = absl::StrCat("killed by signal ", *signal, " (", strsignal(*signal), ")");
  } else {
    text = "did not report how it ended";
  }
  if (timed_out) {
    absl::StrAppend(&text, " after exceeding the time limit of ", absl::FormatDuration(time_limit));
  } else if (cancelled) {
    absl::StrAppend(&text, " after cancellation");
  }
  if (cleanup_incomplete) absl::StrAppend(&text, "; some of its processes could not be killed");
  return text;
}

absl::StatusOr<RunResult> Run(const RunOptions& options, const OutputCallback& on_output,
                              const Cancellation* cancel) {
  if (absl::Status valid = Validate(options); !valid.ok()) return valid;
  if (cancel != nullptr && cancel->IsCancelled()) {
    return absl::CancelledError("cancelled before the command was started");
  }

  // Where execve looks for the program.
  std::vector<std::string> exec_paths;
  std::string searched_path;
  const std::string& program = options.argv[0];
  if (absl::StrContains(program, '/')) {
    exec_paths.push_back(program);
  } else {
    auto path = options.env.find("PATH");
    if (path == options.env.end()) {
      return absl::NotFoundError(absl::StrCat("cannot find command '", program,
                                              "': the environment has no PATH (give a path "
                                              "containing '/')"));
    }
    searched_path = path->second;
    for (absl::string_view dir : absl::StrSplit(path->second, ':', absl::SkipEmpty())) {
      exec_paths.push_back(absl::StrCat(dir, absl::EndsWith(dir, "/") ? "" : "/", program));
    }
    if (exec_paths.empty()) {
      return absl::NotFoundError(absl::StrCat("cannot find command '", program, "': PATH '",
                                              searched_path, "' names no directory"));
    }
  }

  // The arrays execve needs, built now: the children cannot allocate.
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  env_strings.reserve(options.env.size());
  for (const auto& [name, value] : options.env)
    env_strings.push_back(absl::StrCat(name, "=", value));
  std::vector<char*> envp;
  for (const std::string& entry : env_strings) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  std::vector<const char*> exec_path_ptrs;
  for (const std::string& path : exec_paths) exec_path_ptrs.push_back(path.c_str());

  UniqueFd out_read, out_write, err_read, err_write;
  if (absl::Status s = MakePipe(out_read, out_write); !s.ok()) return s;
  if (!options.combine_output) {
    if (absl::Status s = MakePipe(err_read, err_write); !s.ok()) return s;
  }
  int sockets[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
    return ErrnoStatus(absl::StatusCode::kResourceExhausted, "cannot create a socket pair", errno);
  }
  UniqueFd control(sockets[0]);
  UniqueFd supervisor_control(sockets[1]);
  if (absl::Status s = MoveAbove2(supervisor_control); !s.ok()) return s;
  if (fcntl(control.get(), F_SETFL, O_NONBLOCK) != 0) {
    return ErrnoStatus(absl::StatusCode::kInternal, "fcntl(O_NONBLOCK)", errno);
  }

  Plan plan;
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.exec_paths = exec_path_ptrs.data();
  plan.exec_path_count = exec_path_ptrs.size();
  plan.cwd = options.working_directory.c_str();
  if (options.user.has_value()) {
    plan.switch_user = true;
    plan.uid = options.user->uid;
    plan.gid = options.user->gid;
    plan.groups = options.user->groups.data();
    plan.group_count = options.user->groups.size();
  }
  plan.no_new_privileges = options.no_new_privileges;
  plan.control_fd = supervisor_control.get();
  plan.stdout_fd = out_write.get();
  plan.stderr_fd = options.combine_output ? out_write.get() : err_write.get();

  const Steady::time_point start = Steady::now();
  // _Fork, not fork: no pthread_atfork handlers of other libraries run in a child that will
  // never exec into them, and the child touches no lock those handlers would protect.
  const pid_t supervisor = _Fork();
  if (supervisor < 0) {
    return ErrnoStatus(absl::StatusCode::kResourceExhausted, "cannot start a process (fork)",
                       errno);
  }
  if (supervisor == 0) Supervisor(plan);

  supervisor_control.Reset();
  out_write.Reset();
  err_write.Reset();

  RunResult result;
  LineSplitter out_lines(options.combine_output ? Stream::kCombined : Stream::kStdout,
                         options.max_line_bytes, on_output);
  LineSplitter err_lines(Stream::kStderr, options.max_line_bytes, on_output);
  std::vector<char> buffer(size_t{64} * 1024);

  const Steady::time_point deadline = start + absl::ToChronoNanoseconds(options.time_limit);
  bool exited = false;
  int wait_status = 0;
  Steady::time_point exit_time;
  int failed_stage = 0;
  int failed_errno = 0;
  bool cancel_seen = false;
  bool terminate_sent = false;
  Steady::time_point kill_at;
  bool kill_sent = false;
  bool cleanup_started = false;
  Steady::time_point cleanup_deadline;

  auto start_cleanup = [&](Steady::time_point now) {
    if (cleanup_started) return;
    cleanup_started = true;
    cleanup_deadline = now + absl::ToChronoNanoseconds(options.cleanup_timeout);
  };
  auto send_to_supervisor = [&](int32_t kind) {
    Message message{kind, 0, 0};
    // Failure means the supervisor is already gone, which the loop sees as end of file.
    send(control.get(), &message, sizeof message, MSG_NOSIGNAL | MSG_DONTWAIT);
  };
  auto send_kill = [&](Steady::time_point now) {
    if (!kill_sent) send_to_supervisor(kKill);
    kill_sent = true;
    start_cleanup(now);
  };

  bool out_open = true;
  bool err_open = !options.combine_output;
  bool control_open = true;
  while (out_open || err_open || control_open) {
    Steady::time_point now = Steady::now();
    if (!exited && !kill_sent && now >= deadline) {
      result.timed_out = true;
      send_kill(now);
    }
    if (terminate_sent && !kill_sent && now >= kill_at) send_kill(now);
    if (cleanup_started && now >= cleanup_deadline) {
      result.cleanup_incomplete = true;
      break;
    }
    Steady::time_point next = Steady::time_point::max();
    if (!exited && !kill_sent) next = std::min(next, deadline);
    if (terminate_sent && !kill_sent) next = std::min(next, kill_at);
    if (cleanup_started) next = std::min(next, cleanup_deadline);
    const int timeout = next == Steady::time_point::max() ? -1 : MillisecondsUntil(now, next);

    struct pollfd fds[4];
    int count = 0;
    int out_index = -1, err_index = -1, control_index = -1, cancel_index = -1;
    if (out_open) {
      out_index = count;
      fds[count++] = {out_read.get(), POLLIN, 0};
    }
    if (err_open) {
      err_index = count;
      fds[count++] = {err_read.get(), POLLIN, 0};
    }
    if (control_open) {
      control_index = count;
      fds[count++] = {control.get(), POLLIN, 0};
    }
    if (cancel != nullptr && !cancel_seen && !exited) {
      cancel_index = count;
      fds[count++] = {cancel->fd(), POLLIN, 0};
    }
    int ready = poll(fds, static_cast<nfds_t>(count), timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      // Cannot happen with valid descriptors; give up on the tree as on a cleanup timeout.
      result.cleanup_incomplete = true;
      break;
    }
    now = Steady::now();

    if (control_index >= 0 && fds[control_index].revents != 0) {
      for (;;) {
        Message message;
        ssize_t n = recv(control.get(), &message, sizeof message, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {
          control_open = false;
          break;
        }
        if (n != static_cast<ssize_t>(sizeof message)) continue;
        if (message.kind == kSetupFailed && failed_stage == 0) {
          failed_stage = message.a;
          failed_errno = message.b;
        } else if (message.kind == kExited && !exited) {
          exited = true;
          wait_status = message.a;
          exit_time = now;
          start_cleanup(now);
        }
      }
    }
    for (auto [index, open, lines, fd] :
         {std::make_tuple(out_index, &out_open, &out_lines, out_read.get()),
          std::make_tuple(err_index, &err_open, &err_lines, err_read.get())}) {
      if (index < 0 || fds[index].revents == 0) continue;
      for (;;) {
        ssize_t n = read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {
          lines->Finish();
          *open = false;
          break;
        }
        lines->Feed(absl::string_view(buffer.data(), static_cast<size_t>(n)));
        if (static_cast<size_t>(n) < buffer.size()) break;  // Drained; let the other stream in.
      }
    }
    if (cancel_index >= 0 && fds[cancel_index].revents != 0) {
      cancel_seen = true;
      if (!exited && !kill_sent) {
        result.cancelled = true;
        send_to_supervisor(kTerminate);
        terminate_sent = true;
        kill_at = now + absl::ToChronoNanoseconds(options.cancel_grace);
      }
    }
  }

  if (result.cleanup_incomplete) {
    // The tree would not die in time: stop the supervisor itself so it can be reaped; what it
    // could not kill is left to init.
    kill(supervisor, SIGKILL);
    if (out_open) out_lines.Finish();
    if (err_open) err_lines.Finish();
  }
  int supervisor_status = 0;
  while (waitpid(supervisor, &supervisor_status, 0) < 0 && errno == EINTR) {
  }

  if (failed_stage != 0) {
    return SetupFailureStatus(options, failed_stage, failed_errno, searched_path);
  }
  if (exited) {
    if (WIFEXITED(wait_status)) result.exit_code = WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) result.signal = WTERMSIG(wait_status);
    result.duration = absl::FromChrono(exit_time - start);
  } else {
    result.duration = absl::FromChrono(Steady::now() - start);
    if (!result.cleanup_incomplete) {
      return absl::InternalError(absl::StrCat(
          "the process supervisor ended without reporting the command's exit (wait status ",
          supervisor_status, ")"));
    }
  }
  return result;
}

}  // namespace bulwark::process
