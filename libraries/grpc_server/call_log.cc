#include "libraries/grpc_server/call_log.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "grpcpp/server_context.h"
#include "libraries/logging/log.h"

namespace bulwark {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

class CallLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CallLogInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      std::string method = info_->method() != nullptr ? info_->method() : "";
      // Successful health checks, and the replay checks auth replicas forward to each other
      // (each part of a call the forwarding replica logs), are not logged.
      bool quiet = status.ok() && (absl::StartsWith(method, "/grpc.health.v1.Health/") ||
                                   absl::StartsWith(method, "/bulwark.auth.v1.AuthReplicas/"));
      if (!quiet) {
        nlohmann::json fields = {
            {"method", method},
            {"code", CodeName(status.error_code())},
            {"latency_ms", absl::ToDoubleMilliseconds(absl::Now() - start_)},
        };
        if (info_->server_context() != nullptr) {
          fields["peer"] = info_->server_context()->peer();
        }
        if (!status.ok()) fields["error"] = status.error_message();
        LogInfo("rpc", fields);
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  absl::Time start_;
};

}  // namespace

grpc::experimental::Interceptor* CallLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallLogInterceptor(info);
}

}  // namespace bulwark
