#include "services/hooks/server/hooks_grpc_service.h"

namespace bulwark::hooks {

grpc::Status HooksGrpcService::Ping(grpc::ServerContext*, const v1::PingRequest*,
                                     v1::PingResponse* response) {
  response->set_alive(true);
  response->set_service("hooks");
  response->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

}  // namespace bulwark::hooks
