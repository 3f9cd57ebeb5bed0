#include "services/auth/server/auth_grpc_service.h"

namespace bulwark::auth {

grpc::Status AuthGrpcService::Ping(grpc::ServerContext*, const v1::PingRequest*,
                                     v1::PingResponse* response) {
  response->set_alive(true);
  response->set_service("auth");
  response->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

}  // namespace bulwark::auth
