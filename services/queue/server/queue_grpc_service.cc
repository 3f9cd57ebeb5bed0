#include "services/queue/server/queue_grpc_service.h"

#include "libraries/authn/authenticated_call.h"
#include "libraries/grpc_server/into.h"
#include "libraries/grpc_server/status.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::queue {
namespace {

class GrpcUploadStream final : public UploadStream {
 public:
  GrpcUploadStream(grpc::ServerContext* context,
                   grpc::ServerReader<v1::UploadArtifactRequest>* reader)
      : context_(context), reader_(reader) {}
  bool Read(v1::UploadArtifactRequest* message) override { return reader_->Read(message); }
  bool Broken() override { return context_->IsCancelled(); }

 private:
  grpc::ServerContext* context_;
  grpc::ServerReader<v1::UploadArtifactRequest>* reader_;
};

class GrpcDownloadStream final : public DownloadStream {
 public:
  explicit GrpcDownloadStream(grpc::ServerWriter<v1::DownloadArtifactResponse>* writer)
      : writer_(writer) {}
  bool Write(const v1::DownloadArtifactResponse& message) override {
    return writer_->Write(message);
  }

 private:
  grpc::ServerWriter<v1::DownloadArtifactResponse>* writer_;
};

}  // namespace

grpc::Status QueueGrpcService::Handle(
    Context* context, const char* method,
    const std::function<absl::Status(const Caller&, absl::Time)>& body) {
  return AuthenticatedCall(authenticator_, context, v1::Queue::service_full_name(), method, body);
}

grpc::Status QueueGrpcService::Ping(Context*, const v1::PingRequest*, v1::PingResponse* out) {
  out->set_alive(true);
  out->set_service("queue");
  out->set_uptime_seconds(absl::ToDoubleSeconds(clock_.Now() - started_));
  return grpc::Status::OK;
}

grpc::Status QueueGrpcService::CreateTask(Context* c, const v1::CreateTaskRequest* r,
                                          v1::CreateTaskResponse* out) {
  return Handle(c, "CreateTask", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.CreateTask(caller, *r, deadline), out);
  });
}

grpc::Status QueueGrpcService::GetTask(Context* c, const v1::GetTaskRequest* r,
                                       v1::TaskDefinition* out) {
  return Handle(c, "GetTask", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetTask(caller, r->task_id(), deadline), out);
  });
}

grpc::Status QueueGrpcService::GetTaskStatus(Context* c, const v1::GetTaskStatusRequest* r,
                                             v1::TaskStatus* out) {
  return Handle(c, "GetTaskStatus", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetTaskStatus(caller, r->task_id(), deadline), out);
  });
}

grpc::Status QueueGrpcService::ListTaskGroup(Context* c, const v1::ListTaskGroupRequest* r,
                                             v1::ListTaskGroupResponse* out) {
  return Handle(c, "ListTaskGroup", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ListTaskGroup(caller, *r, deadline), out);
  });
}

grpc::Status QueueGrpcService::GetTaskCreator(Context* c, const v1::GetTaskCreatorRequest* r,
                                              v1::TaskCreator* out) {
  return Handle(c, "GetTaskCreator", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetTaskCreator(caller, r->task_id(), deadline), out);
  });
}

grpc::Status QueueGrpcService::ClaimWork(Context* c, const v1::ClaimWorkRequest* r,
                                         v1::ClaimWorkResponse* out) {
  return Handle(c, "ClaimWork", [&](const Caller& caller, absl::Time) {
    return Into(service_.ClaimWork(
                    caller, *r, [c] { return c->IsCancelled(); }, absl::FromChrono(c->deadline())),
                out);
  });
}

grpc::Status QueueGrpcService::ReclaimTask(Context* c, const v1::ReclaimTaskRequest* r,
                                           v1::TaskClaim* out) {
  return Handle(c, "ReclaimTask", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ReclaimTask(caller, *r, deadline), out);
  });
}

grpc::Status QueueGrpcService::ReportCompleted(Context* c, const v1::ReportCompletedRequest* r,
                                               v1::TaskStatus* out) {
  return Handle(c, "ReportCompleted", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.Report(caller, r->task_id(), r->run_id(), RunState::kCompleted,
                                v1::EXCEPTION_REASON_UNSPECIFIED, deadline),
                out);
  });
}

grpc::Status QueueGrpcService::ReportFailed(Context* c, const v1::ReportFailedRequest* r,
                                            v1::TaskStatus* out) {
  return Handle(c, "ReportFailed", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.Report(caller, r->task_id(), r->run_id(), RunState::kFailed,
                                v1::EXCEPTION_REASON_UNSPECIFIED, deadline),
                out);
  });
}

grpc::Status QueueGrpcService::ReportException(Context* c, const v1::ReportExceptionRequest* r,
                                               v1::TaskStatus* out) {
  return Handle(c, "ReportException", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.Report(caller, r->task_id(), r->run_id(), RunState::kException,
                                r->reason(), deadline),
                out);
  });
}

grpc::Status QueueGrpcService::CreateArtifact(Context* c, const v1::CreateArtifactRequest* r,
                                              v1::Artifact* out) {
  return Handle(c, "CreateArtifact", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.CreateArtifact(caller, *r, deadline), out);
  });
}

grpc::Status QueueGrpcService::GetArtifact(Context* c, const v1::GetArtifactRequest* r,
                                           v1::GetArtifactResponse* out) {
  return Handle(c, "GetArtifact", [&](const Caller& caller, absl::Time deadline) {
    if (r->run_id() < 0) return absl::InvalidArgumentError("run_id must not be negative");
    std::optional<int> run_id;  // a negative run id asks for the latest run
    if (r->run_id() >= 0) run_id = r->run_id();
    return Into(service_.GetArtifact(caller, r->task_id(), run_id, r->name(), deadline), out);
  });
}

grpc::Status QueueGrpcService::GetLatestArtifact(Context* c, const v1::GetLatestArtifactRequest* r,
                                                 v1::GetArtifactResponse* out) {
  return Handle(c, "GetLatestArtifact", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.GetArtifact(caller, r->task_id(), std::nullopt, r->name(), deadline), out);
  });
}

grpc::Status QueueGrpcService::ListArtifacts(Context* c, const v1::ListArtifactsRequest* r,
                                             v1::ListArtifactsResponse* out) {
  return Handle(c, "ListArtifacts", [&](const Caller& caller, absl::Time deadline) {
    return Into(service_.ListArtifacts(caller, *r, deadline), out);
  });
}

grpc::Status QueueGrpcService::UploadArtifact(Context* c,
                                              grpc::ServerReader<v1::UploadArtifactRequest>* reader,
                                              v1::Artifact* out) {
  return Handle(c, "UploadArtifact", [&](const Caller& caller, absl::Time) {
    GrpcUploadStream stream(c, reader);
    return Into(service_.UploadArtifact(caller, stream, absl::FromChrono(c->deadline())), out);
  });
}

grpc::Status QueueGrpcService::DownloadArtifact(
    Context* c, const v1::DownloadArtifactRequest* r,
    grpc::ServerWriter<v1::DownloadArtifactResponse>* writer) {
  return Handle(c, "DownloadArtifact", [&](const Caller& caller, absl::Time) {
    GrpcDownloadStream stream(writer);
    return service_.DownloadArtifact(caller, *r, stream, absl::FromChrono(c->deadline()));
  });
}

}  // namespace bulwark::queue
