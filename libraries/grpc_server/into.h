// File: libraries/grpc_server/into.h
//
// Into: moves a StatusOr's value into a gRPC response, or passes its error on. The one-liner
// every adapter method ends with:
//   return ToGrpcStatus(Into(service_.GetTask(caller, id, deadline), response));
//
// Thread-safety: a pure function template.

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_INTO_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_INTO_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulwark {

template <typename T>
absl::Status Into(absl::StatusOr<T> result, T* out) {
  if (!result.ok()) return result.status();
  *out = std::move(*result);
  return absl::OkStatus();
}

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_INTO_H_
