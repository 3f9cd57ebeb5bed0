// File: libraries/testing/service_process.h
//
// ServiceProcess (testonly): runs a real service binary as a child process for integration
// tests, on a port it picks itself (--listen=127.0.0.1:0 --port-file=…), and stops it with
// SIGTERM. It runs in plaintext (--plaintext is added) unless `args` give a --tls-* or
// --plaintext flag; Channel() is a plaintext channel. Its stderr goes to a file in
// TEST_UNDECLARED_OUTPUTS_DIR (or TEST_TMPDIR), kept by Bazel for debugging.
//
//   auto auth = ServiceProcess::Start("services/auth/server/auth_server",
//                                     {"--database=" + db->RuntimeDsn("auth")});
//   ASSERT_TRUE(auth.ok()) << auth.status();
//   auto channel = (*auth)->Channel();
//
// Also: RunfilePath (a workspace-relative path inside the test's runfiles), ReadFile and
// WaitForServing.
//
// Thread-safety: one object per process; not shared between threads.
// Errors: Start returns DEADLINE_EXCEEDED if the process does not report a port in time (the
// message includes the end of its log) and FAILED_PRECONDITION if it exits first.

#ifndef BULWARK_LIBRARIES_TESTING_SERVICE_PROCESS_H_
#define BULWARK_LIBRARIES_TESTING_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace bulwark::testing {

// Absolute path of a file of this workspace in the test's runfiles.
std::string RunfilePath(const std::string& workspace_relative);

// A directory for test outputs that Bazel keeps.
std::string OutputDir();

// The whole content of the file at `path` ("" when it cannot be read).
std::string ReadFile(const std::string& path);

class ServiceProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      absl::Duration timeout = absl::Seconds(30));
  ~ServiceProcess();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::shared_ptr<grpc::Channel> Channel() const;
  const std::string& log_path() const { return log_path_; }
  std::string LogTail(size_t bytes = 4000) const;

  // Freezes (SIGSTOP) and thaws (SIGCONT) the process: a dependency that stops answering.
  void Pause() const;
  void Resume() const;
  // Sends `signo` (e.g. SIGHUP: a service that reloads its configuration).
  void Signal(int signo) const;
  // SIGKILL, then reaps it: a crash.
  void Kill();

  // Sends SIGTERM and waits; returns the exit code (or -signal if killed by a signal).
  // After `timeout` the process is killed and DEADLINE_EXCEEDED returned.
  absl::StatusOr<int> Terminate(absl::Duration timeout = absl::Seconds(20));

 private:
  ServiceProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// Polls grpc.health.v1.Health/Check on `channel` until `service` is SERVING (bounded).
absl::Status WaitForServing(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& service = "",
                            absl::Duration timeout = absl::Seconds(30));

}  // namespace bulwark::testing

#endif  // BULWARK_LIBRARIES_TESTING_SERVICE_PROCESS_H_
