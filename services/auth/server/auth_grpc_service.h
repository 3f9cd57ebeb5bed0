// File: services/auth/server/auth_grpc_service.h
//
// AuthGrpcService: the gRPC adapter of the auth service (bulwark.auth.v1.Auth). Each method
// converts the request, calls the service logic and converts the result with ToGrpcStatus;
// no business rule lives here. Methods not yet built answer UNIMPLEMENTED (the generated
// base class does that).
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_AUTH_SERVER_AUTH_GRPC_SERVICE_H_
#define BULWARK_SERVICES_AUTH_SERVER_AUTH_GRPC_SERVICE_H_

#include "absl/time/time.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "libraries/clock/clock.h"

namespace bulwark::auth {

class AuthGrpcService final : public v1::Auth::Service {
 public:
  AuthGrpcService(Clock& clock, absl::Time started) : clock_(clock), started_(started) {}

  grpc::Status Ping(grpc::ServerContext* context, const v1::PingRequest* request,
                    v1::PingResponse* response) override;

 private:
  Clock& clock_;
  const absl::Time started_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_AUTH_GRPC_SERVICE_H_
