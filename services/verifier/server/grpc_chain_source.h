// File: services/verifier/server/grpc_chain_source.h
//
// GrpcChainSource: the ChainSource (service/chain_source.h) over gRPC, signed with the verifier's
// own read-only credentials (static/bulwark/verifier): the queue's GetTask, GetTaskStatus,
// GetTaskCreator and DownloadArtifact (streamed), and the hooks service's GetFire and
// GetHookVersion.
//
// A fire is looked up by the hook the queue's creator record names: a task the hooks service
// created carries authorizedScopes ["assume:hook-id:<G>/<H>"]; any other creator means no fire
// created it (NOT_FOUND). GetHookVersion finds the hook of a version through the fire that named
// it (the engine always asks for the fire first).
//
// Thread-safety: thread-safe. Errors: as client/dependency.h maps the services' answers.

#ifndef BULWARK_SERVICES_VERIFIER_SERVER_GRPC_CHAIN_SOURCE_H_
#define BULWARK_SERVICES_VERIFIER_SERVER_GRPC_CHAIN_SOURCE_H_

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "bulwark/hooks/v1/hooks.grpc.pb.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/channel.h"
#include "libraries/hawk/credentials.h"
#include "services/verifier/service/chain_source.h"

namespace bulwark::verifier {

class GrpcChainSource final : public ChainSource {
 public:
  GrpcChainSource(std::shared_ptr<grpc::Channel> queue, std::shared_ptr<grpc::Channel> hooks,
                  hawk::Credentials credentials)
      : queue_(queue::v1::Queue::NewStub(queue)),
        hooks_(hooks::v1::Hooks::NewStub(hooks)),
        credentials_(std::move(credentials)) {}

  absl::StatusOr<nlohmann::json> GetTaskDefinition(const std::string& task_id,
                                                   absl::Time deadline) override;
  absl::StatusOr<TaskStatusInfo> GetTaskStatus(const std::string& task_id,
                                               absl::Time deadline) override;
  absl::StatusOr<TaskCreatorInfo> GetTaskCreator(const std::string& task_id,
                                                 absl::Time deadline) override;
  absl::Status StreamArtifact(const std::string& task_id, int run_id, const std::string& name,
                              absl::Time deadline, const ChunkSink& sink) override;
  absl::StatusOr<HookFire> GetHookFire(const std::string& task_id, absl::Time deadline) override;
  absl::StatusOr<std::string> GetHookVersion(const std::string& sha256_hex,
                                             absl::Time deadline) override;

 private:
  std::unique_ptr<grpc::ClientContext> Context(absl::Time deadline) const;

  std::unique_ptr<queue::v1::Queue::Stub> queue_;
  std::unique_ptr<hooks::v1::Hooks::Stub> hooks_;
  const hawk::Credentials credentials_;
  absl::Mutex mu_;
  // Version sha256 -> (hookGroupId, hookId), learned from fires.
  std::map<std::string, std::pair<std::string, std::string>> version_hooks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVER_GRPC_CHAIN_SOURCE_H_
