#include "libraries/pg/pool.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/pg/connection_safety.h"
#include "libraries/pg/errors.h"

namespace bulwark::pg {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> c,
                             uint64_t serial)
    : pool_(pool), connection_(std::move(c)), serial_(serial) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      connection_(std::move(other.connection_)),
      serial_(other.serial_),
      discard_(other.discard_) {
  other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_), serial_, discard_);
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(const Options& options) {
  if (options.dsn.empty()) {
    return absl::InvalidArgumentError("database connection string is empty");
  }
  if (options.size < 1) {
    return absl::InvalidArgumentError("pool size must be at least 1");
  }
  return std::unique_ptr<ConnectionPool>(new ConnectionPool(options));
}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire(absl::Time deadline) {
  uint64_t serial = 0;
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.size;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
      return absl::DeadlineExceededError("no database connection became free before the deadline");
    }
    if (!idle_.empty()) {
      Idle c = std::move(idle_.back());
      idle_.pop_back();
      if (c.connection->is_open()) return Lease(this, std::move(c.connection), c.serial);
      --open_;
    }
    ++open_;  // Reserve a slot, then connect without holding the lock.
    serial = ++next_serial_;
  }
  try {
    int seconds = std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout));
    std::string dsn = AppendDsnOption(WithConnectionSafety(options_.dsn), "connect_timeout",
                                      std::to_string(seconds));
    return Lease(this, std::make_unique<pqxx::connection>(dsn), serial);
  } catch (const std::exception& e) {
    absl::MutexLock lock(&mu_);
    --open_;
    // Connection errors carry no SQLSTATE; say what a user can act on, not the password.
    return absl::UnavailableError(
        absl::StrCat("cannot connect to the database: ", std::string(e.what()).substr(0, 300)));
  }
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> c, uint64_t serial, bool discard) {
  std::vector<Idle> stale;  // closed outside the lock
  {
    absl::MutexLock lock(&mu_);
    if (c != nullptr && !discard && c->is_open()) {
      idle_.push_back({std::move(c), serial});
      return;
    }
    --open_;
    // Idle connections opened before this broken one most likely broke with it (a database
    // restart, a failover): drop them now rather than hand them to the next callers.
    auto older = std::stable_partition(idle_.begin(), idle_.end(),
                                       [serial](const Idle& i) { return i.serial > serial; });
    for (auto it = older; it != idle_.end(); ++it) stale.push_back(std::move(*it));
    open_ -= static_cast<int>(idle_.end() - older);
    idle_.erase(older, idle_.end());
  }
}

int ConnectionPool::open_connections() {
  absl::MutexLock lock(&mu_);
  return open_;
}

int ConnectionPool::idle_connections() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(idle_.size());
}

}  // namespace bulwark::pg
