// The hooks service binary. Flags besides the common ones (service_main.h):
//   --auth=HOST:PORT            the auth service (default 127.0.0.1:50051)
//   --queue=HOST:PORT           the queue (default 127.0.0.1:50052)
//   --credentials=FILE          the hooks service's own credentials (static/bulwark/hooks)
//   --token-keys=FILE           its keyring for trigger tokens: [{"id", "key": base64 32 bytes}]
//   --schedule-interval=10s     how often due schedules are fired
#include <fstream>
#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/call_credentials.h"
#include "libraries/client/remote_authenticator.h"
#include "libraries/logging/log.h"
#include "libraries/service/service_main.h"
#include "nlohmann/json.hpp"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/server/hooks_grpc_service.h"
#include "services/hooks/store/postgres_hooks_store.h"

namespace {

struct HooksRuntime {
  std::unique_ptr<bulwark::crypto::Keyring> keys;
  std::unique_ptr<bulwark::hooks::PostgresHooksStore> store;
  std::unique_ptr<bulwark::hooks::GrpcQueueClient> queue;
  std::unique_ptr<bulwark::RemoteAuthenticator> authenticator;
  std::unique_ptr<bulwark::hooks::HooksService> service;
  absl::Notification stop;
  std::thread scheduler;

  void Stop() {
    if (!stop.HasBeenNotified()) stop.Notify();
    if (scheduler.joinable()) scheduler.join();
  }
};

absl::StatusOr<std::vector<bulwark::BuiltService>> Build(bulwark::ServiceContext& context) {
  const bulwark::Flags& flags = context.flags;
  if (!flags.Has("credentials") || !flags.Has("token-keys")) {
    return absl::InvalidArgumentError(
        "--credentials and --token-keys (or BULWARK_CREDENTIALS / BULWARK_TOKEN_KEYS) are "
        "required");
  }
  auto creds = bulwark::LoadCredentials(flags.Get("credentials"));
  if (!creds.ok()) return creds.status();
  std::ifstream in(flags.Get("token-keys"));
  nlohmann::json key_config = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (key_config.is_discarded()) {
    return absl::InvalidArgumentError("--token-keys must name a JSON file");
  }
  auto keys = bulwark::crypto::Keyring::FromJson(key_config, bulwark::Random::Secure());
  if (!keys.ok()) return keys.status();
  auto interval = flags.GetDuration("schedule-interval", absl::Seconds(10));
  if (!interval.ok()) return interval.status();

  auto runtime = std::make_shared<HooksRuntime>();
  runtime->keys = std::make_unique<bulwark::crypto::Keyring>(std::move(*keys));
  runtime->store = std::make_unique<bulwark::hooks::PostgresHooksStore>(context.pool);
  runtime->queue = std::make_unique<bulwark::hooks::GrpcQueueClient>(
      grpc::CreateChannel(flags.Get("queue", "127.0.0.1:50052"),
                          grpc::InsecureChannelCredentials()),
      *creds);
  runtime->authenticator = std::make_unique<bulwark::RemoteAuthenticator>(grpc::CreateChannel(
      flags.Get("auth", "127.0.0.1:50051"), grpc::InsecureChannelCredentials()));
  runtime->service = std::make_unique<bulwark::hooks::HooksService>(
      bulwark::hooks::HooksService::Options{}, *runtime->store, *runtime->queue, *runtime->keys,
      context.clock, bulwark::Random::Secure());
  absl::Duration every = *interval;
  runtime->scheduler = std::thread([r = runtime.get(), every] {
    while (!r->stop.WaitForNotificationWithTimeout(every)) {
      absl::StatusOr<int> fired = r->service->RunScheduler(absl::Now() + absl::Seconds(60));
      if (!fired.ok()) {
        bulwark::LogWarning("scheduler round failed",
                            {{"error", std::string(fired.status().message())}});
      } else if (*fired > 0) {
        bulwark::LogInfo("scheduled hooks handled", {{"hooks", *fired}});
      }
    }
  });
  std::vector<bulwark::BuiltService> services;
  services.push_back(
      {std::make_unique<bulwark::hooks::HooksGrpcService>(
           *runtime->service, *runtime->authenticator, context.clock, context.started),
       bulwark::hooks::v1::Hooks::service_full_name(), [runtime] { runtime->Stop(); }});
  return services;
}

}  // namespace

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "hooks";
  spec.default_listen = "127.0.0.1:50053";
  spec.migrations = &bulwark::schema::HooksMigrations();
  spec.extra_flags = {"auth", "queue", "credentials", "token-keys", "schedule-interval"};
  spec.build = Build;
  return bulwark::RunServiceMain(argc, argv, spec);
}
