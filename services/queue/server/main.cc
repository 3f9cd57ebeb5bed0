// The queue service binary. Flags besides the common ones (service_main.h):
//   --auth=HOST:PORT              the auth service (default 127.0.0.1:50051)
//   --credentials=FILE            the queue's own credentials (static/bulwark/queue), which sign
//                                 task credentials; JSON {"clientId", "accessToken"}
//   --max-artifact-bytes=N        largest artifact accepted (default 64 MiB)
//   --max-task-deadline=120h      how far ahead a task's deadline may be (default 5 days)
//   --claim-timeout=20m           how long a claim lasts before it must be reclaimed
//   --sweep-interval=5s           how often expired claims and deadlines are resolved
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/call_credentials.h"
#include "libraries/client/remote_authenticator.h"
#include "libraries/logging/log.h"
#include "libraries/service/service_main.h"
#include "services/queue/schema/migrations.h"
#include "services/queue/server/queue_grpc_service.h"
#include "services/queue/store/postgres_queue_store.h"

namespace {

// Everything the process runs besides the server, kept alive together.
struct QueueRuntime {
  std::unique_ptr<bulwark::queue::PostgresQueueStore> store;
  std::unique_ptr<bulwark::RemoteAuthenticator> authenticator;
  std::unique_ptr<bulwark::queue::QueueService> service;
  absl::Notification stop;
  std::thread sweeper;

  void Stop() {
    if (!stop.HasBeenNotified()) stop.Notify();
    if (sweeper.joinable()) sweeper.join();
  }
};

absl::StatusOr<std::vector<bulwark::BuiltService>> Build(bulwark::ServiceContext& context) {
  const bulwark::Flags& flags = context.flags;
  auto creds = bulwark::LoadCredentials(flags.Get("credentials"));
  if (!flags.Has("credentials")) {
    return absl::InvalidArgumentError(
        "--credentials (or BULWARK_CREDENTIALS) must name the queue's credentials file");
  }
  if (!creds.ok()) return creds.status();
  bulwark::queue::QueueService::Options options;
  if (flags.Has("max-artifact-bytes") &&
      !absl::SimpleAtoi(flags.Get("max-artifact-bytes"), &options.max_artifact_bytes)) {
    return absl::InvalidArgumentError("--max-artifact-bytes must be a number");
  }
  auto deadline = flags.GetDuration("max-task-deadline", options.max_task_deadline);
  auto claim = flags.GetDuration("claim-timeout", options.claim_timeout);
  auto sweep = flags.GetDuration("sweep-interval", absl::Seconds(5));
  for (const auto* d : {&deadline, &claim, &sweep}) {
    if (!d->ok()) return d->status();
  }
  options.max_task_deadline = *deadline;
  options.claim_timeout = *claim;

  auto runtime = std::make_shared<QueueRuntime>();
  runtime->store = std::make_unique<bulwark::queue::PostgresQueueStore>(context.pool);
  runtime->authenticator = std::make_unique<bulwark::RemoteAuthenticator>(grpc::CreateChannel(
      flags.Get("auth", "127.0.0.1:50051"), grpc::InsecureChannelCredentials()));
  runtime->service = std::make_unique<bulwark::queue::QueueService>(
      options, *runtime->store, *creds, context.clock, bulwark::Random::Secure());
  absl::Duration interval = *sweep;
  runtime->sweeper = std::thread([r = runtime.get(), interval] {
    while (!r->stop.WaitForNotificationWithTimeout(interval)) {
      absl::StatusOr<int> swept = r->service->Sweep(absl::Now() + absl::Seconds(30));
      if (!swept.ok()) {
        bulwark::LogWarning("sweep failed", {{"error", std::string(swept.status().message())}});
      } else if (*swept > 0) {
        bulwark::LogInfo("resolved expired claims and deadlines", {{"runs", *swept}});
      }
    }
  });
  std::vector<bulwark::BuiltService> services;
  services.push_back(
      {std::make_unique<bulwark::queue::QueueGrpcService>(
           *runtime->service, *runtime->authenticator, context.clock, context.started),
       bulwark::queue::v1::Queue::service_full_name(), [runtime] { runtime->Stop(); }});
  return services;
}

}  // namespace

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "queue";
  spec.default_listen = "127.0.0.1:50052";
  spec.migrations = &bulwark::schema::QueueMigrations();
  spec.extra_flags = {"auth",          "credentials",   "max-artifact-bytes", "max-task-deadline",
                      "claim-timeout", "sweep-interval"};
  spec.build = Build;
  return bulwark::RunServiceMain(argc, argv, spec);
}
