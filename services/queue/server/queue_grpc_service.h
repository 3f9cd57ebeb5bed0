// File: services/queue/server/queue_grpc_service.h
//
// QueueGrpcService: the gRPC adapter of the queue service (bulwark.queue.v1.Queue). Each method
// converts the request, calls the service logic and converts the result with ToGrpcStatus;
// no business rule lives here. Methods not yet built answer UNIMPLEMENTED (the generated
// base class does that).
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_QUEUE_SERVER_QUEUE_GRPC_SERVICE_H_
#define BULWARK_SERVICES_QUEUE_SERVER_QUEUE_GRPC_SERVICE_H_

#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "libraries/clock/clock.h"

namespace bulwark::queue {

class QueueGrpcService final : public v1::Queue::Service {
 public:
  QueueGrpcService(Clock& clock, absl::Time started) : clock_(clock), started_(started) {}

  grpc::Status Ping(grpc::ServerContext* context, const v1::PingRequest* request,
                    v1::PingResponse* response) override;

 private:
  Clock& clock_;
  const absl::Time started_;
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_SERVER_QUEUE_GRPC_SERVICE_H_
