// File: libraries/grpc_server/deadline.h
//
// DeadlineOf: a call's deadline as an absl::Time, capped so that no work a call starts (an
// outgoing call, a database transaction) runs unbounded when the client set no deadline. The
// adapters pass it down to the service layer, which passes it to every outgoing call and store
// transaction: a deadline is only ever shortened on the way down, never extended.
//
// Thread-safety: a pure function.

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_DEADLINE_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_DEADLINE_H_

#include <algorithm>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace bulwark {

// The default cap on a call's work when the client sets a longer deadline or none.
inline constexpr absl::Duration kMaxCallDuration = absl::Seconds(30);

inline absl::Time DeadlineOf(const grpc::ServerContextBase& context,
                             absl::Duration cap = kMaxCallDuration) {
  return std::min(absl::FromChrono(context.deadline()), absl::Now() + cap);
}

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_DEADLINE_H_
