#include "services/verifier/server/verifier_grpc_service.h"

namespace bulwark::verifier {

grpc::Status VerifierGrpcService::Ping(grpc::ServerContext*, const v1::PingRequest*,
                                       v1::PingResponse* response) {
  response->set_alive(true);
  response->set_service("verifier");
  response->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

}  // namespace bulwark::verifier
