#include "libraries/grpc_server/health_service.h"

#include <algorithm>

#include "absl/time/time.h"

namespace bulwark {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

HealthService::HealthService(const std::vector<std::string>& service_names)
    : names_(service_names) {
  names_.push_back("");
}

void HealthService::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  if (shut_down_ || serving_ == serving) return;
  serving_ = serving;
  ++generation_;
}

bool HealthService::serving() const {
  absl::MutexLock lock(&mu_);
  return serving_ && !shut_down_;
}

void HealthService::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
  serving_ = false;
  ++generation_;
}

HealthService::ServingStatus HealthService::StatusOf(const std::string& name) const {
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
    return HealthCheckResponse::SERVICE_UNKNOWN;
  }
  return serving_ && !shut_down_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::Status HealthService::Check(grpc::ServerContext*, const HealthCheckRequest* request,
                                  HealthCheckResponse* response) {
  absl::MutexLock lock(&mu_);
  ServingStatus status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "unknown service '" + request->service() + "'");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* context, const HealthCheckRequest* request,
                                  grpc::ServerWriter<HealthCheckResponse>* writer) {
  long seen = -1;
  while (!context->IsCancelled()) {
    ServingStatus status;
    {
      absl::MutexLock lock(&mu_);
      // Wake on a change, or every 200 ms to notice cancellation.
      auto changed = [this, &seen]()
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return generation_ != seen; };
      mu_.AwaitWithTimeout(absl::Condition(&changed), absl::Milliseconds(200));
      if (generation_ == seen) continue;
      seen = generation_;
      status = StatusOf(request->service());
      if (shut_down_) {
        HealthCheckResponse last;
        last.set_status(status);
        writer->Write(last);
        return grpc::Status::OK;
      }
    }
    HealthCheckResponse response;
    response.set_status(status);
    if (!writer->Write(response)) break;
  }
  return grpc::Status::OK;
}

}  // namespace bulwark
