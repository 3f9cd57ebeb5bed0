// File: libraries/pg/pool.h
//
// ConnectionPool: a bounded pool of libpqxx connections to one database as one role.
// Connections open lazily, up to `size`; a caller waits for a free one until its deadline.
// A connection that broke is discarded rather than returned.
//
//   ConnectionPool::Options options;
//   options.dsn = "postgresql://bulwark_auth:…@127.0.0.1:5432/bulwark";
//   BULWARK_ASSIGN_OR_RETURN(auto pool, ConnectionPool::Create(options));
//   BULWARK_ASSIGN_OR_RETURN(auto lease, pool->Acquire(deadline));
//   pqxx::work txn(lease.connection());
//
// Thread-safety: all methods are thread-safe; a Lease belongs to one thread at a time.
// Errors: Acquire returns DEADLINE_EXCEEDED when no connection frees up in time and
// UNAVAILABLE when the database cannot be reached.

#ifndef BULWARK_LIBRARIES_PG_POOL_H_
#define BULWARK_LIBRARIES_PG_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pqxx/connection"

namespace bulwark::pg {

class ConnectionPool {
 public:
  struct Options {
    // libpq connection string or URI.
    std::string dsn;
    // Most connections open at once.
    int size = 8;
    // How long to wait for a new connection to open.
    absl::Duration connect_timeout = absl::Seconds(5);
  };

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& connection() { return *connection_; }
    // Marks the connection unusable; it is closed instead of returned.
    void Discard() { discard_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> c);
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool discard_ = false;
  };

  // Validates options; opens no connection yet.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const Options& options);
  ~ConnectionPool();

  absl::StatusOr<Lease> Acquire(absl::Time deadline);

 private:
  explicit ConnectionPool(const Options& options) : options_(options) {}
  void Release(std::unique_ptr<pqxx::connection> c, bool discard);

  const Options options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_POOL_H_
