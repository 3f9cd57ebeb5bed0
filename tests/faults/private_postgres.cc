#include "tests/faults/private_postgres.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libraries/testing/service_process.h"

namespace bulwark::testing {
namespace {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// The parent pid of `pid` from /proc (0 if unreadable).
pid_t ParentOf(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string state;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PrivatePostgres>> PrivatePostgres::Start() {
  std::unique_ptr<PrivatePostgres> pg(new PrivatePostgres());
  pg->script_ = RunfilePath("deploy/local/pgcluster.sh");
  char tmpl[] = "/tmp/bulwark-faults-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  ::chmod(tmpl, 0755);
  pg->dir_ = tmpl;
  pg->port_ = FreePort();
  if (pg->port_ == 0) return absl::InternalError("no free loopback port");
  if (absl::Status s = pg->Run(absl::StrCat("init '", pg->dir_, "/pg'")); !s.ok()) return s;
  if (absl::Status s = pg->Run(absl::StrCat("start '", pg->dir_, "/pg' ", pg->port_)); !s.ok()) {
    return s;
  }
  return pg;
}

PrivatePostgres::~PrivatePostgres() {
  Thaw();
  if (!dir_.empty()) {
    Run(absl::StrCat("stop '", dir_, "/pg'")).IgnoreError();
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
}

absl::Status PrivatePostgres::Run(const std::string& args) const {
  std::string command = absl::StrCat("BULWARK_PG_FAST=1 '", script_, "' ", args, " >&2");
  int rc = std::system(command.c_str());
  if (rc != 0) return absl::InternalError(absl::StrCat("pgcluster.sh ", args, " exited ", rc));
  return absl::OkStatus();
}

std::string PrivatePostgres::AdminDsn() const {
  std::ifstream in(dir_ + "/pg.password");
  std::string password;
  std::getline(in, password);
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=postgres password=", password,
                      " dbname=postgres");
}

absl::Status PrivatePostgres::Restart() {
  if (absl::Status s = Run(absl::StrCat("stop '", dir_, "/pg'")); !s.ok()) return s;
  return Run(absl::StrCat("start '", dir_, "/pg' ", port_));
}

absl::StatusOr<std::vector<pid_t>> PrivatePostgres::ServerProcesses() const {
  std::ifstream pidfile(dir_ + "/pg/postmaster.pid");
  std::string first;
  std::getline(pidfile, first);
  pid_t postmaster = 0;
  if (!absl::SimpleAtoi(first, &postmaster) || postmaster <= 0) {
    return absl::FailedPreconditionError("no postmaster.pid: is the cluster running?");
  }
  std::vector<pid_t> pids = {postmaster};
  if (DIR* proc = ::opendir("/proc")) {
    while (dirent* e = ::readdir(proc)) {
      pid_t pid = 0;
      if (absl::SimpleAtoi(e->d_name, &pid) && ParentOf(pid) == postmaster) pids.push_back(pid);
    }
    ::closedir(proc);
  }
  return pids;
}

absl::Status PrivatePostgres::Crash() {
  absl::StatusOr<std::vector<pid_t>> pids = ServerProcesses();
  if (!pids.ok()) return pids.status();
  if (pids->size() < 2) return absl::FailedPreconditionError("no server process to kill");
  if (::kill((*pids)[1], SIGKILL) != 0) return absl::InternalError("kill failed");
  return absl::OkStatus();
}

absl::Status PrivatePostgres::Freeze() {
  absl::StatusOr<std::vector<pid_t>> pids = ServerProcesses();
  if (!pids.ok()) return pids.status();
  frozen_ = *std::move(pids);
  for (pid_t pid : frozen_) ::kill(pid, SIGSTOP);
  return absl::OkStatus();
}

void PrivatePostgres::Thaw() {
  for (pid_t pid : frozen_) ::kill(pid, SIGCONT);
  frozen_.clear();
}

}  // namespace bulwark::testing
