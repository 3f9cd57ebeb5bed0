// The queue service binary: flags -> QueueRuntime::Options; RunServiceMain does the rest.
// Flags besides the common ones (service_main.h):
//   --auth=HOST:PORT              the auth service (default 127.0.0.1:50051)
//   --credentials=FILE            the queue's own credentials (static/bulwark/queue), which sign
//                                 task credentials; JSON {"clientId", "accessToken"}
//   --max-artifact-bytes=N        largest artifact accepted (default 2 GiB; uploads stream)
//   --max-unary-artifact-bytes=N  largest artifact GetArtifact returns in one message (default
//                                 4 MiB - 64 KiB, which a client with gRPC's defaults receives)
//   --upload-idle-timeout=1h      how long an unfinished upload may receive nothing before the
//                                 sweeper discards it
//   --max-task-deadline=120h      how far ahead a task's deadline may be (default 5 days)
//   --claim-timeout=20m           how long a claim lasts before it must be reclaimed
//   --sweep-interval=5s           how often expired claims and deadlines are resolved and idle
//                                 uploads discarded
#include "absl/strings/numbers.h"
#include "libraries/client/call_credentials.h"
#include "libraries/service/service_main.h"
#include "libraries/status/status_macros.h"
#include "services/queue/schema/migrations.h"
#include "services/queue/server/queue_runtime.h"
#include "services/queue/store/queue_store.h"

namespace {

using bulwark::queue::QueueRuntime;

absl::StatusOr<QueueRuntime::Options> ParseOptions(const bulwark::Flags& flags) {
  QueueRuntime::Options options;
  if (!flags.Has("credentials")) {
    return absl::InvalidArgumentError(
        "--credentials (or BULWARK_CREDENTIALS) must name the queue's credentials file");
  }
  BULWARK_ASSIGN_OR_RETURN(options.credentials, bulwark::LoadCredentials(flags.Get("credentials")));
  options.auth_address = flags.Get("auth", options.auth_address);
  if (flags.Has("max-artifact-bytes") &&
      (!absl::SimpleAtoi(flags.Get("max-artifact-bytes"), &options.service.max_artifact_bytes) ||
       options.service.max_artifact_bytes < 0)) {
    return absl::InvalidArgumentError("--max-artifact-bytes must be a number of bytes");
  }
  if (flags.Has("max-unary-artifact-bytes") &&
      (!absl::SimpleAtoi(flags.Get("max-unary-artifact-bytes"),
                         &options.service.max_unary_artifact_bytes) ||
       options.service.max_unary_artifact_bytes < 0)) {
    return absl::InvalidArgumentError("--max-unary-artifact-bytes must be a number of bytes");
  }
  BULWARK_ASSIGN_OR_RETURN(
      options.service.upload_idle_timeout,
      flags.GetDuration("upload-idle-timeout", options.service.upload_idle_timeout));
  if (options.service.upload_idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--upload-idle-timeout must be positive");
  }
  BULWARK_ASSIGN_OR_RETURN(
      options.service.max_task_deadline,
      flags.GetDuration("max-task-deadline", options.service.max_task_deadline));
  BULWARK_ASSIGN_OR_RETURN(options.service.claim_timeout,
                           flags.GetDuration("claim-timeout", options.service.claim_timeout));
  BULWARK_ASSIGN_OR_RETURN(options.sweep_interval,
                           flags.GetDuration("sweep-interval", options.sweep_interval));
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "queue";
  spec.default_listen = "127.0.0.1:50052";
  spec.migrations = &bulwark::schema::QueueMigrations();
  spec.extra_flags = {"auth",
                      "credentials",
                      "max-artifact-bytes",
                      "max-unary-artifact-bytes",
                      "upload-idle-timeout",
                      "max-task-deadline",
                      "claim-timeout",
                      "sweep-interval"};
  // Artifact content: one unary CreateArtifact up to the transport's 4 MiB, and each message of
  // an UploadArtifact stream (a chunk and its header); every other method keeps the default.
  spec.method_receive_limits = {
      {"/bulwark.queue.v1.Queue/CreateArtifact", int64_t{4} << 20},
      {"/bulwark.queue.v1.Queue/UploadArtifact",
       bulwark::queue::kMaxChunkBytes + (int64_t{64} << 10)},
  };
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::unique_ptr<bulwark::ServiceRuntime>> {
    BULWARK_ASSIGN_OR_RETURN(QueueRuntime::Options options, ParseOptions(context.flags));
    return QueueRuntime::Create(options, context);
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
