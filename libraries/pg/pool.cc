#include "libraries/pg/pool.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libraries/pg/errors.h"

namespace bulwark::pg {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> c)
    : pool_(pool), connection_(std::move(c)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)), discard_(other.discard_) {
  other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_), discard_);
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
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.size;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
      return absl::DeadlineExceededError("no database connection became free before the deadline");
    }
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> c = std::move(idle_.back());
      idle_.pop_back();
      if (c->is_open()) return Lease(this, std::move(c));
      --open_;
    }
    ++open_;  // Reserve a slot, then connect without holding the lock.
  }
  try {
    std::string dsn = options_.dsn;
    int seconds = std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout));
    dsn += (dsn.find("://") != std::string::npos ? (dsn.find('?') == std::string::npos ? "?" : "&")
                                                 : " ");
    dsn += absl::StrCat("connect_timeout=", seconds);
    return Lease(this, std::make_unique<pqxx::connection>(dsn));
  } catch (const std::exception& e) {
    absl::MutexLock lock(&mu_);
    --open_;
    // Connection errors carry no SQLSTATE; say what a user can act on, not the password.
    return absl::UnavailableError(
        absl::StrCat("cannot connect to the database: ", std::string(e.what()).substr(0, 300)));
  }
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> c, bool discard) {
  absl::MutexLock lock(&mu_);
  if (c == nullptr || discard || !c->is_open()) {
    --open_;
    return;
  }
  idle_.push_back(std::move(c));
}

}  // namespace bulwark::pg
