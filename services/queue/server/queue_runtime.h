// File: services/queue/server/queue_runtime.h
//
// QueueRuntime: the queue process behind its gRPC server, wired from Options: the PostgreSQL
// store, the RemoteAuthenticator (auth), QueueService, its gRPC adapter, and the sweeper that
// resolves expired claims and passed deadlines, and discards idle artifact uploads, every
// `sweep_interval` of the injected clock.
//
//   auto runtime = QueueRuntime::Create(options, context);   // context: pool, clock, start time
//
// Thread-safety: Create and Stop from one thread; the parts are thread-safe.
// Errors: Create returns INVALID_ARGUMENT for incomplete Options.

#ifndef BULWARK_SERVICES_QUEUE_SERVER_QUEUE_RUNTIME_H_
#define BULWARK_SERVICES_QUEUE_SERVER_QUEUE_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "libraries/authn/remote_authenticator.h"
#include "libraries/clock/periodic_task.h"
#include "libraries/hawk/credentials.h"
#include "libraries/service/service_main.h"
#include "services/queue/server/queue_grpc_service.h"
#include "services/queue/service/queue_service.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

class QueueRuntime final : public ServiceRuntime {
 public:
  struct Options {
    std::string auth_address = "127.0.0.1:50051";
    // static/bulwark/queue: signs the task credentials it issues.
    hawk::Credentials credentials;
    QueueService::Options service;
    absl::Duration sweep_interval = absl::Seconds(5);
  };

  static absl::StatusOr<std::unique_ptr<QueueRuntime>> Create(const Options& options,
                                                              const ServiceContext& context);
  ~QueueRuntime() override { Stop(); }

  std::vector<GrpcServiceEntry> GrpcServices() override;
  void Stop() override;
  // Ends ClaimWork long-polls (QueueService::BeginShutdown).
  void BeginShutdown() override;

 private:
  QueueRuntime() = default;

  std::unique_ptr<QueueStore> store_;
  std::unique_ptr<RemoteAuthenticator> authenticator_;
  std::unique_ptr<QueueService> service_;
  std::unique_ptr<QueueGrpcService> grpc_;
  std::unique_ptr<PeriodicTask> sweeper_;
};

// The sweeper: QueueService::Sweep and PurgeIdleUploads every `interval` of `clock`, each round
// with its own deadline. Exposed for its unit test.
std::unique_ptr<PeriodicTask> StartSweeper(QueueService& service, const Clock& clock,
                                           absl::Duration interval);

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_SERVER_QUEUE_RUNTIME_H_
