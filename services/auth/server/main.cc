// The auth service binary: --config (the auth configuration file, see auth_config.h),
// --replica-address (where other auth replicas reach this one; default: the bound address) and
// the common flags -> AuthRuntime::Options; RunServiceMain does the rest.
#include "libraries/service/service_main.h"
#include "libraries/status/status_macros.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/server/auth_runtime.h"

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "auth";
  spec.default_listen = "127.0.0.1:50051";
  spec.migrations = &bulwark::schema::AuthMigrations();
  spec.extra_flags = {"config", "replica-address"};
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::unique_ptr<bulwark::ServiceRuntime>> {
    std::string path = context.flags.Get("config");
    if (path.empty()) {
      return absl::InvalidArgumentError("--config (or BULWARK_CONFIG) must name the auth config");
    }
    bulwark::auth::AuthRuntime::Options options;
    BULWARK_ASSIGN_OR_RETURN(options.config, bulwark::auth::LoadAuthConfig(path));
    options.database_dsn = context.flags.Get("database");
    options.replica_address = context.flags.Get("replica-address");
    return bulwark::auth::AuthRuntime::Create(options, context);
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
