// The hooks service binary: flags → ServiceSpec; RunServiceMain does the rest.
#include "libraries/service/service_main.h"
#include "services/hooks/schema/migrations.h"
#include "services/hooks/server/hooks_grpc_service.h"

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "hooks";
  spec.default_listen = "127.0.0.1:50053";
  spec.migrations = &bulwark::schema::HooksMigrations();
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::vector<bulwark::BuiltService>> {
    std::vector<bulwark::BuiltService> services;
    services.push_back(
        {std::make_unique<bulwark::hooks::HooksGrpcService>(context.clock, context.started),
         bulwark::hooks::v1::Hooks::service_full_name()});
    return services;
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
