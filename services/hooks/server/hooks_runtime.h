// File: services/hooks/server/hooks_runtime.h
//
// HooksRuntime: the hooks process behind its gRPC server, wired from Options: its trigger-token
// keyring, the PostgreSQL store, the queue client (signed with the hooks service's own
// credentials), the RemoteAuthenticator, HooksService, its gRPC adapter, the scheduler that
// fires due schedules every `schedule_interval` of the injected clock, and the purge that
// removes expired fire records and unneeded hook versions every `purge_interval` (first at
// start, which also versions hooks stored before versions existed).
//
// Thread-safety: Create and Stop from one thread; the parts are thread-safe.
// Errors: Create returns INVALID_ARGUMENT for incomplete Options or an unreadable keyring.

#ifndef BULWARK_SERVICES_HOOKS_SERVER_HOOKS_RUNTIME_H_
#define BULWARK_SERVICES_HOOKS_SERVER_HOOKS_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "libraries/authn/remote_authenticator.h"
#include "libraries/clock/periodic_task.h"
#include "libraries/crypto/keyring.h"
#include "libraries/hawk/credentials.h"
#include "libraries/service/service_main.h"
#include "services/hooks/server/hooks_grpc_service.h"
#include "services/hooks/service/hooks_service.h"
#include "services/hooks/service/queue_client.h"
#include "services/hooks/store/hooks_store.h"

namespace bulwark::hooks {

class HooksRuntime final : public ServiceRuntime {
 public:
  struct Options {
    std::string auth_address = "127.0.0.1:50051";
    std::string queue_address = "127.0.0.1:50052";
    // static/bulwark/hooks: holds only assume:hook-id:*.
    hawk::Credentials credentials;
    // The keyring sealing trigger tokens: [{"id", "key": base64 of 32 bytes}], last is current.
    std::string token_keys_file;
    HooksService::Options service;
    absl::Duration schedule_interval = absl::Seconds(10);
    absl::Duration purge_interval = absl::Hours(1);
  };

  static absl::StatusOr<std::unique_ptr<HooksRuntime>> Create(const Options& options,
                                                              const ServiceContext& context);
  ~HooksRuntime() override { Stop(); }

  std::vector<GrpcServiceEntry> GrpcServices() override;
  void Stop() override;

 private:
  HooksRuntime() = default;

  std::unique_ptr<crypto::Keyring> keys_;
  std::unique_ptr<HooksStore> store_;
  std::unique_ptr<QueueClient> queue_;
  std::unique_ptr<RemoteAuthenticator> authenticator_;
  std::unique_ptr<HooksService> service_;
  std::unique_ptr<HooksGrpcService> grpc_;
  std::unique_ptr<PeriodicTask> scheduler_;
  std::unique_ptr<PeriodicTask> purge_;
};

// The scheduler: HooksService::RunScheduler every `interval` of `clock`, each round with its
// own deadline (which the queue calls of its fires inherit). Exposed for its unit test.
std::unique_ptr<PeriodicTask> StartScheduler(HooksService& service, const Clock& clock,
                                             absl::Duration interval);

// The purge: HooksService::Purge at start and then every `interval` of `clock`, each round with
// its own deadline. Exposed for its unit test.
std::unique_ptr<PeriodicTask> StartPurge(HooksService& service, const Clock& clock,
                                         absl::Duration interval);

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVER_HOOKS_RUNTIME_H_
