// The hooks service binary: flags -> HooksRuntime::Options; RunServiceMain does the rest.
// Flags besides the common ones (service_main.h):
//   --auth=HOST:PORT            the auth service (default 127.0.0.1:50051)
//   --queue=HOST:PORT           the queue (default 127.0.0.1:50052)
//   --credentials=FILE          the hooks service's own credentials (static/bulwark/hooks)
//   --token-keys=FILE           its keyring for trigger tokens: [{"id", "key": base64 32 bytes}]
//   --schedule-interval=10s     how often due schedules are fired
//   --purge-interval=1h         how often expired fire records and unneeded versions are removed
#include "libraries/client/call_credentials.h"
#include "libraries/service/service_main.h"
#include "libraries/status/status_macros.h"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/server/hooks_runtime.h"

namespace {

using bulwark::hooks::HooksRuntime;

absl::StatusOr<HooksRuntime::Options> ParseOptions(const bulwark::Flags& flags) {
  if (!flags.Has("credentials") || !flags.Has("token-keys")) {
    return absl::InvalidArgumentError(
        "--credentials and --token-keys (or BULWARK_CREDENTIALS / BULWARK_TOKEN_KEYS) are "
        "required");
  }
  HooksRuntime::Options options;
  BULWARK_ASSIGN_OR_RETURN(options.credentials, bulwark::LoadCredentials(flags.Get("credentials")));
  options.token_keys_file = flags.Get("token-keys");
  options.auth_address = flags.Get("auth", options.auth_address);
  options.queue_address = flags.Get("queue", options.queue_address);
  BULWARK_ASSIGN_OR_RETURN(options.schedule_interval,
                           flags.GetDuration("schedule-interval", options.schedule_interval));
  BULWARK_ASSIGN_OR_RETURN(options.purge_interval,
                           flags.GetDuration("purge-interval", options.purge_interval));
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "hooks";
  spec.default_listen = "127.0.0.1:50053";
  spec.migrations = &bulwark::schema::HooksMigrations();
  spec.extra_flags = {"auth",          "queue", "credentials", "token-keys", "schedule-interval",
                      "purge-interval"};
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::unique_ptr<bulwark::ServiceRuntime>> {
    BULWARK_ASSIGN_OR_RETURN(HooksRuntime::Options options, ParseOptions(context.flags));
    return HooksRuntime::Create(options, context);
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
