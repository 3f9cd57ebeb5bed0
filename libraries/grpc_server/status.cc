#include "libraries/grpc_server/status.h"

#include <string>

#include "libraries/logging/log.h"

namespace bulwark {
namespace {

constexpr size_t kMaxMessageBytes = 1024;
constexpr char kTruncated[] = "… [truncated]";

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    LogError("internal error",
             {{"code", absl::StatusCodeToString(status.code())}, {"detail", message}});
    message = "internal error; the server log has the details";
  }
  if (message.size() > kMaxMessageBytes) {
    message.resize(kMaxMessageBytes - sizeof(kTruncated) + 1);
    message += kTruncated;
  }
  return grpc::Status(code, message);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace bulwark
