// File: services/queue/server/queue_grpc_service.h
//
// QueueGrpcService: the gRPC adapter of the queue (bulwark.queue.v1.Queue). Each method
// authenticates the call through auth (RemoteAuthenticator), calls QueueService with the
// caller and the call's deadline, and converts the result with ToGrpcStatus. The streaming
// artifact methods hand QueueService the call's reader or writer (as UploadStream /
// DownloadStream) and the call's own deadline, which they bound per transaction themselves.
//
// Thread-safety: gRPC calls methods concurrently; the adapter holds no mutable state.

#ifndef BULWARK_SERVICES_QUEUE_SERVER_QUEUE_GRPC_SERVICE_H_
#define BULWARK_SERVICES_QUEUE_SERVER_QUEUE_GRPC_SERVICE_H_

#include <functional>

#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/clock/clock.h"
#include "services/queue/service/queue_service.h"

namespace bulwark::queue {

class QueueGrpcService final : public v1::Queue::Service {
 public:
  QueueGrpcService(QueueService& service, const RequestAuthenticator& authenticator, Clock& clock,
                   absl::Time started)
      : service_(service), authenticator_(authenticator), clock_(clock), started_(started) {}

  using Context = grpc::ServerContext;
  grpc::Status Ping(Context*, const v1::PingRequest*, v1::PingResponse*) override;
  grpc::Status CreateTask(Context*, const v1::CreateTaskRequest*, v1::CreateTaskResponse*) override;
  grpc::Status GetTask(Context*, const v1::GetTaskRequest*, v1::TaskDefinition*) override;
  grpc::Status GetTaskStatus(Context*, const v1::GetTaskStatusRequest*, v1::TaskStatus*) override;
  grpc::Status ListTaskGroup(Context*, const v1::ListTaskGroupRequest*,
                             v1::ListTaskGroupResponse*) override;
  grpc::Status GetTaskCreator(Context*, const v1::GetTaskCreatorRequest*,
                              v1::TaskCreator*) override;
  grpc::Status ClaimWork(Context*, const v1::ClaimWorkRequest*, v1::ClaimWorkResponse*) override;
  grpc::Status ReclaimTask(Context*, const v1::ReclaimTaskRequest*, v1::TaskClaim*) override;
  grpc::Status ReportCompleted(Context*, const v1::ReportCompletedRequest*,
                               v1::TaskStatus*) override;
  grpc::Status ReportFailed(Context*, const v1::ReportFailedRequest*, v1::TaskStatus*) override;
  grpc::Status ReportException(Context*, const v1::ReportExceptionRequest*,
                               v1::TaskStatus*) override;
  grpc::Status CreateArtifact(Context*, const v1::CreateArtifactRequest*, v1::Artifact*) override;
  grpc::Status GetArtifact(Context*, const v1::GetArtifactRequest*,
                           v1::GetArtifactResponse*) override;
  grpc::Status GetLatestArtifact(Context*, const v1::GetLatestArtifactRequest*,
                                 v1::GetArtifactResponse*) override;
  grpc::Status ListArtifacts(Context*, const v1::ListArtifactsRequest*,
                             v1::ListArtifactsResponse*) override;
  grpc::Status UploadArtifact(Context*, grpc::ServerReader<v1::UploadArtifactRequest>*,
                              v1::Artifact*) override;
  grpc::Status DownloadArtifact(Context*, const v1::DownloadArtifactRequest*,
                                grpc::ServerWriter<v1::DownloadArtifactResponse>*) override;

 private:
  grpc::Status Handle(Context* context, const char* method,
                      const std::function<absl::Status(const Caller&, absl::Time)>& body);

  QueueService& service_;
  const RequestAuthenticator& authenticator_;
  Clock& clock_;
  const absl::Time started_;
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_SERVER_QUEUE_GRPC_SERVICE_H_
