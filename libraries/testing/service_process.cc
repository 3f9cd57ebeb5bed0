#include "libraries/testing/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

extern char** environ;

namespace bulwark::testing {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string RunfilePath(const std::string& workspace_relative) {
  return Env("TEST_SRCDIR", ".") + "/" + Env("TEST_WORKSPACE", "bulwark") + "/" +
         workspace_relative;
}

std::string OutputDir() { return Env("TEST_UNDECLARED_OUTPUTS_DIR", Env("TEST_TMPDIR", "/tmp")); }

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(
    const std::string& binary, const std::vector<std::string>& args, absl::Duration timeout) {
  static std::atomic<int> counter{0};
  std::unique_ptr<ServiceProcess> p(new ServiceProcess());
  std::string base = binary.substr(binary.rfind('/') + 1);
  std::string tag = absl::StrCat(base, "-", getpid(), "-", counter++);
  p->log_path_ = OutputDir() + "/" + tag + ".log";
  std::string port_file = Env("TEST_TMPDIR", "/tmp") + "/" + tag + ".port";
  unlink(port_file.c_str());

  std::string path = binary[0] == '/' ? binary : RunfilePath(binary);
  std::vector<std::string> argv_storage = {path, "--listen=127.0.0.1:0",
                                           "--port-file=" + port_file};
  // Tests run in plaintext unless they configure TLS themselves.
  bool transport_given = false;
  for (const std::string& a : args) {
    if (a.rfind("--tls-", 0) == 0 || a.rfind("--plaintext", 0) == 0) transport_given = true;
  }
  if (!transport_given) argv_storage.push_back("--plaintext");
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, p->log_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawn(&p->pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot start ", path, ": errno ", rc));
  }
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
      p->pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat(base, " exited before listening:\n", p->LogTail()));
    }
    std::string text = ReadFile(port_file);
    if (!text.empty() && text.back() == '\n') {
      p->port_ = std::atoi(text.c_str());
      return p;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(base, " did not start listening in time:\n", p->LogTail()));
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) (void)Terminate(absl::Seconds(10));
}

std::shared_ptr<grpc::Channel> ServiceProcess::Channel() const {
  return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
}

std::string ServiceProcess::LogTail(size_t bytes) const {
  std::string text = ReadFile(log_path_);
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

void ServiceProcess::Pause() const {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void ServiceProcess::Signal(int signo) const {
  if (pid_ > 0) kill(pid_, signo);
}

void ServiceProcess::Resume() const {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

absl::StatusOr<int> ServiceProcess::Terminate(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("process is not running");
  kill(pid_, SIGTERM);
  kill(pid_, SIGCONT);  // a paused process handles SIGTERM only once it runs again
  absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return absl::DeadlineExceededError("process ignored SIGTERM; killed");
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

absl::Status WaitForServing(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& service, absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer";
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status s = stub->Check(&context, request, &response);
    if (s.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    last = s.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())
                  : s.error_message();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("not SERVING in time; last answer: " + last);
}

}  // namespace bulwark::testing
