// File: libraries/process/subprocess.h
//
// Run: runs one command to completion under a time limit and returns how it ended, with its
// output delivered line by line as it is produced; nothing of the command survives the call.
// Generic (no worker logic): the worker runs each task command through it.
//
//   RunOptions options;
//   options.argv = {"/bin/sh", "-c", "make test"};
//   options.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", task_dir}};
//   options.working_directory = task_dir;
//   options.user = task_user;                 // needs root; see below
//   options.time_limit = absl::Seconds(3600);
//   BULWARK_ASSIGN_OR_RETURN(RunResult result,
//       Run(options, [&](const OutputLine& line) { log.Append(line); }, shutdown.get()));
//   if (!result.Succeeded()) ... result.Describe() ...
//
// What the command gets:
//  - exactly `argv` and exactly `env` (nothing of this process's environment is inherited).
//    argv[0] without a '/' is searched in the PATH of `env` (not this process's PATH); with a
//    '/' it is used as is (relative to the working directory).
//  - a new session and process group (setsid), `working_directory` as its cwd, stdin
//    /dev/null, stdout and stderr on pipes read by Run, every signal at its default action and
//    unblocked, and no other descriptor (everything else is close-on-exec or closed).
//  - with `user` set: that uid, gid and exactly those supplementary groups (setgroups, setgid,
//    setuid, in that order, before the working directory is entered, so the directory is
//    checked as that user). Only root may switch users: Run refuses otherwise, even for the
//    current uid, rather than silently running as itself.
//
// How the command's whole tree is found and killed (no descendant outlives Run):
//   Run forks a small supervisor process, which makes itself a child subreaper
//   (prctl(PR_SET_CHILD_SUBREAPER)) and then forks the command. Every descendant of the command
//   whose parent dies - a double fork, a setsid'd daemon, a grandchild of an exited shell - is
//   re-parented by the kernel to the supervisor instead of init, so the supervisor can always
//   reach the whole tree through its own children (/proc/thread-self/children, or a scan of
//   /proc when the kernel lacks that file). When the command exits, when the time limit
//   passes, or when Run is cancelled, the supervisor SIGKILLs the command's process group and
//   then, until it has no child left, SIGKILLs every child (and any group that child leads)
//   and reaps it; each killed process's own children then become the supervisor's children
//   and are killed in turn. Orphans that exit while the command runs are reaped at once, so
//   no zombie accumulates. The supervisor exits only when the tree is gone, and Run reaps the
//   supervisor. A separate supervisor per Run keeps concurrent runs apart (a process-wide
//   subreaper would mix the orphans of every task), and it cannot be confused by pid reuse:
//   it only signals its own unreaped children and the group of the unreaped command.
//   Limits: a descendant that the supervisor may not signal (a setuid program when this
//   process is not root; use no_new_privileges) or that never dies (uninterruptible sleep)
//   cannot be removed; after `cleanup_timeout` Run kills the supervisor, reaps it, and reports
//   cleanup_incomplete. If this whole process dies, the supervisor sees its control socket
//   close and kills the tree on its own; if the supervisor itself is killed from outside (the
//   OOM killer, a stray kill -9), the tree is no longer tracked and Run reports
//   cleanup_incomplete or an INTERNAL error once its limits pass.
//   The supervisor is created by fork without exec from a possibly multi-threaded process, so
//   it (and the command's child before execve) uses only async-signal-safe system calls and
//   memory prepared before the fork.
//
// Time: the limit and the grace periods are measured on the monotonic clock, not the injected
// Clock: they bound real processes, which a simulated clock cannot speed up, and wall-clock
// jumps must neither extend nor cut a task's run.
//
// Output: stdout and stderr are two pipes. Each stream's bytes are cut into lines at '\n' (the
// newline removed) and passed to the callback on the calling thread, in the order Run reads
// them. A line longer than max_line_bytes is delivered in pieces of at most max_line_bytes
// (cut before a UTF-8 continuation byte where possible), each but the last with complete =
// false; a last line without '\n' is delivered at end of file with complete = false. Memory is
// bounded by max_line_bytes per stream plus one read buffer.
// Order across the two streams: within one stream order is exact; between stdout and stderr it
// is the order in which Run reads the pipes, which equals the order of the writes whenever
// the command's writes are separated in time by Run's reading of them (for example, a command
// that waits for anything between its writes), but not when the command writes to both pipes
// faster than Run reads: two pipes are two kernel queues and nothing records the order of
// writes across them. When exact interleaving matters more than knowing the stream, set
// combine_output: both descriptors then share one pipe, the order is exactly the order of the
// writes, and every line is tagged Stream::kCombined.
//
// Cancellation: when `cancel` fires, the command's process group and the supervisor's other
// children get SIGTERM; after cancel_grace whatever remains gets SIGKILL (as above). Once the
// command itself exits, remaining descendants are killed at once.
//
// Thread-safety: Run may be called from many threads at once (each call has its own
// supervisor). The callback is called only from the thread that called Run, never
// concurrently, and must not throw. The process must not set SIGCHLD to SIG_IGN (which makes
// the kernel reap children itself). Run never waits for children other than its own.
//
// Errors:
//  - INVALID_ARGUMENT: empty argv or argv[0], a NUL byte in an argument, an environment name
//    that is empty or contains '=' or NUL, a relative or empty working directory, a
//    non-positive or infinite time limit, a max_line_bytes of 0 or over kMaxLineBytesLimit.
//  - FAILED_PRECONDITION: `user` set while not root; the working directory cannot be entered
//    (as `user`); the file is not in an executable format.
//  - NOT_FOUND: the program does not exist (the message names it and, for a PATH search, the
//    PATH searched), or argv[0] has no '/' and `env` has no PATH.
//  - PERMISSION_DENIED: the program or a directory on its path is not executable (as `user`).
//  - CANCELLED: `cancel` had fired before the command was started.
//  - RESOURCE_EXHAUSTED: no pipe, socket or process could be created.
//  - INTERNAL: the supervisor could not set itself up (a kernel without child subreapers).
// A command that starts and then fails is not an error: see RunResult.

#ifndef BULWARK_LIBRARIES_PROCESS_SUBPROCESS_H_
#define BULWARK_LIBRARIES_PROCESS_SUBPROCESS_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/process/cancellation.h"
#include "libraries/process/identity.h"

namespace bulwark::process {

inline constexpr size_t kMaxLineBytesLimit = 16 * 1024 * 1024;

enum class Stream { kStdout, kStderr, kCombined };

// "stdout", "stderr", "output".
absl::string_view StreamName(Stream stream);

struct OutputLine {
  Stream stream = Stream::kStdout;
  // Without the newline. Valid only during the callback.
  absl::string_view text;
  // False for a piece of an over-long line other than its last, and for a last line that had
  // no newline at end of file.
  bool complete = true;
};

using OutputCallback = std::function<void(const OutputLine& line)>;

struct RunOptions {
  // The program and its arguments; argv[0] is also the program path (see above).
  std::vector<std::string> argv;
  // The command's entire environment.
  std::map<std::string, std::string> env;
  // Absolute path of the command's working directory.
  std::string working_directory;
  // Run as this user (requires root). Unset: as this process's user.
  std::optional<Identity> user;
  // The command (and its tree) is killed with SIGKILL this long after it started.
  absl::Duration time_limit = absl::Hours(1);
  // After cancellation, how long the command has between SIGTERM and SIGKILL.
  absl::Duration cancel_grace = absl::Seconds(10);
  // How long Run waits, once it has asked for the tree to be killed, before it gives up on
  // descendants that will not die (see "Limits" above).
  absl::Duration cleanup_timeout = absl::Seconds(30);
  // One pipe for stdout and stderr (exact interleaving, lines tagged kCombined).
  bool combine_output = false;
  // Lines longer than this are delivered in pieces.
  size_t max_line_bytes = 64 * 1024;
  // prctl(PR_SET_NO_NEW_PRIVS) for the command: setuid/setgid binaries and file capabilities
  // grant nothing to it or its descendants.
  bool no_new_privileges = false;
};

struct RunResult {
  // Set when the command exited normally: its exit status (0-255).
  std::optional<int> exit_code;
  // Set when the command was ended by a signal: the signal number.
  std::optional<int> signal;
  // The time limit passed before the command exited (it was then killed).
  bool timed_out = false;
  // The cancellation fired before the command exited.
  bool cancelled = false;
  // From the start of the command until its exit was observed.
  absl::Duration duration;
  // Some descendant could not be killed within cleanup_timeout (see "Limits").
  bool cleanup_incomplete = false;

  // Exit code 0, not timed out, not cancelled.
  bool Succeeded() const;
  // "exited with code 0", "killed by signal 9 (Killed) after exceeding the time limit of
  // 30s", "exited with code 143 after cancellation", ...
  std::string Describe(absl::Duration time_limit) const;
};

// Runs `options.argv` (see the file comment). `on_output` may be empty. `cancel` may be null.
absl::StatusOr<RunResult> Run(const RunOptions& options, const OutputCallback& on_output,
                              const Cancellation* cancel = nullptr);

}  // namespace bulwark::process

#endif  // BULWARK_LIBRARIES_PROCESS_SUBPROCESS_H_
