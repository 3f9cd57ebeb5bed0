// File: libraries/proto/timestamp.h
//
// absl::Time <-> google.protobuf.Timestamp, and the check every timestamp from a caller passes
// before it is stored. Transport-free: the service layers use it, not only the gRPC adapters.
//
// Thread-safety: pure functions.

#ifndef BULWARK_LIBRARIES_PROTO_TIMESTAMP_H_
#define BULWARK_LIBRARIES_PROTO_TIMESTAMP_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

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

// OK when `ts` is a valid google.protobuf.Timestamp (years 0001 to 9999, nanos in range);
// otherwise INVALID_ARGUMENT naming `field`. Every timestamp from a caller goes through this
// before it is stored.
inline absl::Status CheckTimestamp(const google::protobuf::Timestamp& ts, absl::string_view field) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not a valid time (years 0001 to 9999)"));
  }
  return absl::OkStatus();
}

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_PROTO_TIMESTAMP_H_
