// File: services/hooks/server/hooks_grpc_service.h
//
// HooksGrpcService: the gRPC adapter of the hooks service (bulwark.hooks.v1.Hooks). Each method
// converts the request, calls the service logic and converts the result with ToGrpcStatus;
// no business rule lives here. Methods not yet built answer UNIMPLEMENTED (the generated
// base class does that).
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_HOOKS_SERVER_HOOKS_GRPC_SERVICE_H_
#define BULWARK_SERVICES_HOOKS_SERVER_HOOKS_GRPC_SERVICE_H_

#include "absl/time/time.h"
#include "bulwark/hooks/v1/hooks.grpc.pb.h"
#include "libraries/clock/clock.h"

namespace bulwark::hooks {

class HooksGrpcService final : public v1::Hooks::Service {
 public:
  HooksGrpcService(Clock& clock, absl::Time started) : clock_(clock), started_(started) {}

  grpc::Status Ping(grpc::ServerContext* context, const v1::PingRequest* request,
                    v1::PingResponse* response) override;

 private:
  Clock& clock_;
  const absl::Time started_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVER_HOOKS_GRPC_SERVICE_H_
