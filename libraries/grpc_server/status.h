// File: libraries/grpc_server/status.h
//
// ToGrpcStatus: the one place where an absl::Status becomes a grpc::Status. Codes map one to
// one (both are google.rpc.Code). Messages longer than 1024 bytes are cut with a marker.
// INTERNAL and UNKNOWN messages are logged and replaced by a generic text, so that no SQL,
// stack detail or secret reaches a caller.
//
// Thread-safety: pure function (logs through the thread-safe logger).

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_STATUS_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace bulwark {

grpc::Status ToGrpcStatus(const absl::Status& status);

// The reverse, for clients of other services: keeps code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_STATUS_H_
