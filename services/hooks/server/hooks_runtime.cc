#include "services/hooks/server/hooks_runtime.h"

#include "grpcpp/create_channel.h"
#include "libraries/client/channel.h"
#include "libraries/client/internal_channel.h"
#include "libraries/crypto/random.h"
#include "libraries/logging/log.h"
#include "libraries/status/status_macros.h"
#include "services/hooks/server/grpc_queue_client.h"
#include "services/hooks/store/postgres_hooks_store.h"

namespace bulwark::hooks {

std::unique_ptr<PeriodicTask> StartScheduler(HooksService& service, const Clock& clock,
                                             absl::Duration interval) {
  return PeriodicTask::Start(
      {.name = "scheduler round", .interval = interval, .timeout = absl::Seconds(60)}, clock,
      [&service](absl::Time deadline) -> absl::Status {
        absl::StatusOr<int> fired = service.RunScheduler(deadline);
        if (!fired.ok()) return fired.status();
        if (*fired > 0) LogInfo("scheduled hooks handled", {{"hooks", *fired}});
        return absl::OkStatus();
      });
}

std::unique_ptr<PeriodicTask> StartPurge(HooksService& service, const Clock& clock,
                                         absl::Duration interval) {
  return PeriodicTask::Start(
      {.name = "hooks purge",
       .interval = interval,
       .timeout = absl::Minutes(5),
       .retry_backoff = absl::Minutes(1),
       .run_at_start = true},
      clock, [&service](absl::Time deadline) -> absl::Status {
        absl::StatusOr<PurgeResult> purged = service.Purge(deadline);
        if (!purged.ok()) return purged.status();
        if (purged->fires > 0 || purged->versions > 0 || purged->adopted_hooks > 0) {
          LogInfo("hooks purge", {{"expired_fires", purged->fires},
                                  {"versions", purged->versions},
                                  {"versioned_old_hooks", purged->adopted_hooks}});
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<std::unique_ptr<HooksRuntime>> HooksRuntime::Create(const Options& options,
                                                                   const ServiceContext& context) {
  if (options.credentials.client_id.empty() || options.token_keys_file.empty()) {
    return absl::InvalidArgumentError(
        "the hooks service needs its own credentials (static/bulwark/hooks) and a token keyring");
  }
  std::unique_ptr<HooksRuntime> rt(new HooksRuntime());
  BULWARK_ASSIGN_OR_RETURN(crypto::Keyring keys,
                           crypto::Keyring::FromFile(options.token_keys_file, Random::Secure()));
  rt->keys_ = std::make_unique<crypto::Keyring>(std::move(keys));
  rt->store_ = std::make_unique<PostgresHooksStore>(context.pool);
  rt->queue_ = std::make_unique<GrpcQueueClient>(context.Channel(options.queue_address),
                                                 options.credentials);
  rt->authenticator_ = std::make_unique<RemoteAuthenticator>(
      context.Channel(options.auth_address), context.hostnames, AuthReplicaDialer(context.tls));
  rt->service_ = std::make_unique<HooksService>(options.service, *rt->store_, *rt->queue_,
                                                *rt->keys_, context.clock, Random::Secure());
  rt->grpc_ = std::make_unique<HooksGrpcService>(*rt->service_, *rt->authenticator_, context.clock,
                                                 context.started);
  rt->scheduler_ = StartScheduler(*rt->service_, context.clock, options.schedule_interval);
  rt->purge_ = StartPurge(*rt->service_, context.clock, options.purge_interval);
  return rt;
}

std::vector<GrpcServiceEntry> HooksRuntime::GrpcServices() {
  return {{grpc_.get(), v1::Hooks::service_full_name()}};
}

void HooksRuntime::Stop() {
  if (scheduler_) scheduler_->Stop();
  if (purge_) purge_->Stop();
}

}  // namespace bulwark::hooks
