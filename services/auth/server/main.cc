// The auth service binary: flags → ServiceSpec; RunServiceMain does the rest.
#include "libraries/service/service_main.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/server/auth_grpc_service.h"

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "auth";
  spec.default_listen = "127.0.0.1:50051";
  spec.migrations = &bulwark::schema::AuthMigrations();
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::vector<bulwark::BuiltService>> {
    std::vector<bulwark::BuiltService> services;
    services.push_back(
        {std::make_unique<bulwark::auth::AuthGrpcService>(context.clock, context.started),
         bulwark::auth::v1::Auth::service_full_name()});
    return services;
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
