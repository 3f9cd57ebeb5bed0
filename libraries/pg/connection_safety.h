// File: libraries/pg/connection_safety.h
//
// Connection safety for every database connection a service opens: TCP keepalives and a TCP
// user timeout in the connection string (so that a peer that vanished — a crashed host, a cut
// network — is noticed within about half a minute instead of the kernel's two hours), and
// SocketDeadline, a client-side deadline on a connection: when the call's deadline (plus a
// short grace for the server's own statement_timeout to fire first) passes while the
// connection is still in use, the watchdog shuts the socket down, so that a blocked libpq call
// returns at once (as a broken connection) even when the server is frozen and answers nothing,
// not even its statement_timeout. The server then sees the connection closed and rolls the
// transaction back.
//
//   ConnectionPool::Options o;  o.dsn = WithConnectionSafety(dsn);      // the pool does this
//   SocketDeadline guard(lease.connection(), deadline);
//   ... run statements ...
//   if (guard.fired()) return absl::DeadlineExceededError(...);         // in the catch
//
// Thread-safety: WithConnectionSafety is pure. SocketDeadline objects are used by the thread
// that owns the connection; one process-wide watchdog thread fires them. Destroying a guard
// waits for a firing in progress, so the socket is never touched after the guard is gone.
// Errors: none (a connection without a socket is simply not guarded).

#ifndef BULWARK_LIBRARIES_PG_CONNECTION_SAFETY_H_
#define BULWARK_LIBRARIES_PG_CONNECTION_SAFETY_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "pqxx/connection"

namespace bulwark::pg {

// The grace after the deadline before the socket is shut down.
inline constexpr absl::Duration kSocketDeadlineGrace = absl::Milliseconds(200);

// Adds keepalives (idle 10 s, interval 5 s, 3 probes) and tcp_user_timeout (30 s) to a libpq
// keyword/value string or URI; options the string already sets are kept as they are.
std::string WithConnectionSafety(const std::string& dsn);

// Appends `key=value` to a keyword/value string or as a query parameter to a URI.
std::string AppendDsnOption(const std::string& dsn, const std::string& key,
                            const std::string& value);

class SocketDeadline {
 public:
  // Arms the watchdog for `connection`'s socket at `deadline` + kSocketDeadlineGrace.
  // An infinite deadline arms nothing.
  SocketDeadline(pqxx::connection_base& connection, absl::Time deadline);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // Whether the watchdog shut the socket down (the connection is then unusable).
  bool fired() const;

 private:
  uint64_t id_ = 0;
};

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_CONNECTION_SAFETY_H_
