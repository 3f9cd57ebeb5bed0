// File: libraries/grpc_server/time_util.h
//
// Conversions at the gRPC boundary: absl::Time ↔ google.protobuf.Timestamp, and a call's
// deadline as an absl::Time (infinite when the client set none), which the service layer
// passes down to the store, where it becomes the statement timeout.
//
// Thread-safety: pure functions.

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_TIME_UTIL_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_TIME_UTIL_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/server_context.h"

namespace bulwark {

inline google::protobuf::Timestamp ToProtoTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest * 1000));
  return ts;
}

inline absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// The call's deadline, capped at `cap` from now so that no database statement runs unbounded.
inline absl::Time DeadlineOf(const grpc::ServerContext& context,
                             absl::Duration cap = absl::Seconds(30)) {
  absl::Time limit = absl::Now() + cap;
  absl::Time deadline = absl::FromChrono(context.deadline());
  return deadline < limit ? deadline : limit;
}

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_TIME_UTIL_H_
