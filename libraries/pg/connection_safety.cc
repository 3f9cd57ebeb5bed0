#include "libraries/pg/connection_safety.h"

#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace bulwark::pg {
namespace {

bool HasOption(const std::string& dsn, const std::string& key) {
  size_t pos = 0;
  while ((pos = dsn.find(key + "=", pos)) != std::string::npos) {
    if (pos == 0 || dsn[pos - 1] == ' ' || dsn[pos - 1] == '?' || dsn[pos - 1] == '&') return true;
    pos += key.size();
  }
  return false;
}

// One thread for the process: entries ordered by when they fire.
class Watchdog {
 public:
  static Watchdog& Get() {
    static Watchdog* watchdog = new Watchdog();  // never destroyed: outlives every guard
    return *watchdog;
  }

  uint64_t Arm(int fd, absl::Time when) {
    absl::MutexLock lock(&mu_);
    uint64_t id = ++next_id_;
    entries_[id] = {fd, when};
    queue_.insert({when, id});
    return id;
  }

  // Removes the entry; returns whether it had fired. Holding mu_ while firing means that once
  // this returns, the socket is not touched again.
  bool Disarm(uint64_t id) {
    absl::MutexLock lock(&mu_);
    bool fired = fired_.erase(id) > 0;
    auto it = entries_.find(id);
    if (it != entries_.end()) {
      queue_.erase({it->second.when, id});
      entries_.erase(it);
    }
    return fired;
  }

  bool Fired(uint64_t id) {
    absl::MutexLock lock(&mu_);
    return fired_.count(id) > 0;
  }

 private:
  struct Entry {
    int fd;
    absl::Time when;
  };

  Watchdog() {
    std::thread([this] { Loop(); }).detach();
  }

  void Loop() {
    absl::MutexLock lock(&mu_);
    while (true) {
      absl::Time next = queue_.empty() ? absl::InfiniteFuture() : queue_.begin()->first;
      // Woken only when an entry armed meanwhile fires before `next`: arming one that fires
      // later (almost every transaction's) costs this thread no wake-up.
      auto earlier = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() && queue_.begin()->first < next;
      };
      mu_.AwaitWithDeadline(absl::Condition(&earlier),
                            std::min(next, absl::Now() + absl::Seconds(1)));
      absl::Time now = absl::Now();
      while (!queue_.empty() && queue_.begin()->first <= now) {
        uint64_t id = queue_.begin()->second;
        queue_.erase(queue_.begin());
        auto it = entries_.find(id);
        if (it == entries_.end()) continue;
        ::shutdown(it->second.fd, SHUT_RDWR);
        fired_.insert(id);
        entries_.erase(it);
      }
    }
  }

  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<absl::Time, uint64_t>> queue_ ABSL_GUARDED_BY(mu_);
  std::set<uint64_t> fired_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::string AppendDsnOption(const std::string& dsn, const std::string& key,
                            const std::string& value) {
  if (dsn.find("://") != std::string::npos) {
    return absl::StrCat(dsn, dsn.find('?') == std::string::npos ? "?" : "&", key, "=", value);
  }
  return absl::StrCat(dsn, dsn.empty() ? "" : " ", key, "=", value);
}

std::string WithConnectionSafety(const std::string& dsn) {
  std::string out = dsn;
  const std::pair<const char*, const char*> options[] = {{"keepalives", "1"},
                                                         {"keepalives_idle", "10"},
                                                         {"keepalives_interval", "5"},
                                                         {"keepalives_count", "3"},
                                                         {"tcp_user_timeout", "30000"}};
  for (const auto& [key, value] : options) {
    if (!HasOption(dsn, key)) out = AppendDsnOption(out, key, value);
  }
  return out;
}

SocketDeadline::SocketDeadline(pqxx::connection_base& connection, absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return;
  int fd = -1;
  try {
    fd = connection.sock();
  } catch (const std::exception&) {
    fd = -1;
  }
  if (fd < 0) return;
  id_ = Watchdog::Get().Arm(fd, deadline + kSocketDeadlineGrace);
}

SocketDeadline::~SocketDeadline() {
  if (id_ != 0) Watchdog::Get().Disarm(id_);
}

bool SocketDeadline::fired() const { return id_ != 0 && Watchdog::Get().Fired(id_); }

}  // namespace bulwark::pg
