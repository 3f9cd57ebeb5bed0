// The queue service binary: flags → ServiceSpec; RunServiceMain does the rest.
#include "libraries/service/service_main.h"
#include "services/queue/schema/migrations.h"
#include "services/queue/server/queue_grpc_service.h"

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "queue";
  spec.default_listen = "127.0.0.1:50052";
  spec.migrations = &bulwark::schema::QueueMigrations();
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::vector<bulwark::BuiltService>> {
    std::vector<bulwark::BuiltService> services;
    services.push_back(
        {std::make_unique<bulwark::queue::QueueGrpcService>(context.clock, context.started),
         bulwark::queue::v1::Queue::service_full_name()});
    return services;
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
