// File: services/verifier/server/verifier_grpc_service.h
//
// VerifierGrpcService: the gRPC adapter of the verifier service (bulwark.verifier.v1.Verifier).
// Each method converts the request, calls the service logic and converts the result with
// ToGrpcStatus; no business rule lives here. Methods not yet built answer UNIMPLEMENTED (the
// generated base class does that).
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_
#define BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_

#include "absl/time/time.h"
#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "libraries/clock/clock.h"

namespace bulwark::verifier {

class VerifierGrpcService final : public v1::Verifier::Service {
 public:
  VerifierGrpcService(Clock& clock, absl::Time started) : clock_(clock), started_(started) {}

  grpc::Status Ping(grpc::ServerContext* context, const v1::PingRequest* request,
                    v1::PingResponse* response) override;

 private:
  Clock& clock_;
  const absl::Time started_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_GRPC_SERVICE_H_
