// The auth service binary: common flags plus --config (the auth configuration file, see
// auth_config.h); RunServiceMain does the rest.
#include "libraries/service/service_main.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/server/auth_grpc_service.h"
#include "services/auth/server/auth_runtime.h"

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "auth";
  spec.default_listen = "127.0.0.1:50051";
  spec.migrations = &bulwark::schema::AuthMigrations();
  spec.extra_flags = {"config"};
  spec.build =
      [](bulwark::ServiceContext& context) -> absl::StatusOr<std::vector<bulwark::BuiltService>> {
    std::string path = context.flags.Get("config");
    if (path.empty()) {
      return absl::InvalidArgumentError("--config (or BULWARK_CONFIG) must name the auth config");
    }
    auto config = bulwark::auth::LoadAuthConfig(path);
    if (!config.ok()) return config.status();
    auto runtime = bulwark::auth::AuthRuntime::Create(*config, context.pool,
                                                      context.flags.Get("database"), context.clock);
    if (!runtime.ok()) return runtime.status();
    std::shared_ptr<bulwark::auth::AuthRuntime> shared = std::move(*runtime);
    std::vector<bulwark::BuiltService> services;
    services.push_back({std::make_unique<bulwark::auth::AuthGrpcService>(
                            shared->service(), context.clock, context.started),
                        bulwark::auth::v1::Auth::service_full_name(),
                        [shared] { shared->Stop(); }});
    return services;
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
