// The verifier service binary: flags -> VerifierRuntime::Options; RunServiceMain does the rest.
#include "libraries/service/service_main.h"
#include "services/verifier/schema/migrations.h"
#include "services/verifier/server/verifier_runtime.h"

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "verifier";
  spec.default_listen = "127.0.0.1:50054";
  spec.migrations = &bulwark::schema::VerifierMigrations();
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::unique_ptr<bulwark::ServiceRuntime>> {
    return bulwark::verifier::VerifierRuntime::Create({}, context);
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
