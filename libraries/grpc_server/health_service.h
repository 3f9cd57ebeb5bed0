// File: libraries/grpc_server/health_service.h
//
// HealthService: grpc.health.v1.Health (Check and Watch), built from the generated
// health.proto so that server reflection, and so grpcurl, can describe it. Every registered
// name (the empty string for the whole server, plus each service's full name) reports
// NOT_SERVING until SetServing(true); unknown names are NOT_FOUND (Check) or SERVICE_UNKNOWN
// (Watch), as the health protocol says.
//
// Thread-safety: all methods are thread-safe. Shutdown() ends every Watch stream so that a
// graceful server shutdown is not held up by watchers.

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_HEALTH_SERVICE_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_HEALTH_SERVICE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulwark {

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  explicit HealthService(const std::vector<std::string>& service_names);

  // Sets every registered name to SERVING or NOT_SERVING and wakes watchers.
  void SetServing(bool serving);
  bool serving() const;
  // Reports NOT_SERVING from now on and ends all Watch streams.
  void Shutdown();

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;
  ServingStatus StatusOf(const std::string& name) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::string> names_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  long generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_HEALTH_SERVICE_H_
