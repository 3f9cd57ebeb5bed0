#include "services/queue/server/queue_runtime.h"

#include "grpcpp/create_channel.h"
#include "libraries/client/channel.h"
#include "libraries/client/internal_channel.h"
#include "libraries/crypto/random.h"
#include "libraries/logging/log.h"
#include "services/queue/store/postgres_queue_store.h"

namespace bulwark::queue {

std::unique_ptr<PeriodicTask> StartSweeper(QueueService& service, const Clock& clock,
                                           absl::Duration interval) {
  return PeriodicTask::Start(
      {.name = "sweep", .interval = interval}, clock,
      [&service](absl::Time deadline) -> absl::Status {
        absl::StatusOr<int> swept = service.Sweep(deadline);
        if (!swept.ok()) return swept.status();
        if (*swept > 0) {
          LogInfo("resolved expired claims and deadlines", {{"runs", *swept}});
        }
        absl::StatusOr<int> purged = service.PurgeIdleUploads(deadline);
        if (!purged.ok()) return purged.status();
        if (*purged > 0) LogInfo("discarded idle artifact uploads", {{"uploads", *purged}});
        return absl::OkStatus();
      });
}

absl::StatusOr<std::unique_ptr<QueueRuntime>> QueueRuntime::Create(const Options& options,
                                                                   const ServiceContext& context) {
  if (options.credentials.client_id.empty()) {
    return absl::InvalidArgumentError("the queue needs its own credentials (static/bulwark/queue)");
  }
  std::unique_ptr<QueueRuntime> rt(new QueueRuntime());
  rt->store_ = std::make_unique<PostgresQueueStore>(context.pool);
  rt->authenticator_ = std::make_unique<RemoteAuthenticator>(
      context.Channel(options.auth_address), context.hostnames, AuthReplicaDialer(context.tls));
  rt->service_ = std::make_unique<QueueService>(options.service, *rt->store_, options.credentials,
                                                context.clock, Random::Secure());
  rt->grpc_ = std::make_unique<QueueGrpcService>(*rt->service_, *rt->authenticator_, context.clock,
                                                 context.started);
  rt->sweeper_ = StartSweeper(*rt->service_, context.clock, options.sweep_interval);
  return rt;
}

std::vector<GrpcServiceEntry> QueueRuntime::GrpcServices() {
  return {{grpc_.get(), v1::Queue::service_full_name()}};
}

void QueueRuntime::BeginShutdown() {
  if (service_ != nullptr) service_->BeginShutdown();
}

void QueueRuntime::Stop() {
  if (sweeper_) sweeper_->Stop();
}

}  // namespace bulwark::queue
