#include "services/queue/server/queue_grpc_service.h"

namespace bulwark::queue {

grpc::Status QueueGrpcService::Ping(grpc::ServerContext*, const v1::PingRequest*,
                                     v1::PingResponse* response) {
  response->set_alive(true);
  response->set_service("queue");
  response->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

}  // namespace bulwark::queue
