// File: libraries/pg/pool.h
//
// ConnectionPool: a bounded pool of libpqxx connections to one database as one role.
// Connections open lazily, up to `size`; a caller waits for a free one until its deadline.
// A connection that broke is discarded rather than returned, and so is every idle connection
// opened before it: after a database restart they are all dead, and a caller's one retry must
// get a fresh connection rather than the next dead one. Connections carry TCP keepalives and a
// TCP user timeout (WithConnectionSafety, connection_safety.h).
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

#include <cstdint>
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
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> c, uint64_t serial);
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    uint64_t serial_ = 0;  // order of opening
    bool discard_ = false;
  };

  // Validates options; opens no connection yet.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const Options& options);
  ~ConnectionPool();

  absl::StatusOr<Lease> Acquire(absl::Time deadline);

  // Connections open now (idle or leased), and idle ones; for tests and metrics.
  int open_connections();
  int idle_connections();

 private:
  struct Idle {
    std::unique_ptr<pqxx::connection> connection;
    uint64_t serial;
  };
  explicit ConnectionPool(const Options& options) : options_(options) {}
  void Release(std::unique_ptr<pqxx::connection> c, uint64_t serial, bool discard);

  const Options options_;
  absl::Mutex mu_;
  std::vector<Idle> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_serial_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_POOL_H_
