// The verifier service binary: flags → ServiceSpec; RunServiceMain does the rest.
#include "libraries/service/service_main.h"
#include "services/verifier/schema/migrations.h"
#include "services/verifier/server/verifier_grpc_service.h"

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "verifier";
  spec.default_listen = "127.0.0.1:50054";
  spec.migrations = &bulwark::schema::VerifierMigrations();
  spec.build =
      [](bulwark::ServiceContext& context) -> absl::StatusOr<std::vector<bulwark::BuiltService>> {
    std::vector<bulwark::BuiltService> services;
    services.push_back(
        {std::make_unique<bulwark::verifier::VerifierGrpcService>(context.clock, context.started),
         bulwark::verifier::v1::Verifier::service_full_name()});
    return services;
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
