// File: services/verifier/server/verifier_runtime.h
//
// VerifierRuntime: the verifier process behind its gRPC server, wired from Options.
//
// Thread-safety: Create and Stop from one thread; the parts are thread-safe.
// Errors: Create returns INVALID_ARGUMENT for incomplete Options.

#ifndef BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_RUNTIME_H_
#define BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_RUNTIME_H_

#include <memory>
#include <vector>

#include "libraries/service/service_main.h"
#include "services/verifier/server/verifier_grpc_service.h"

namespace bulwark::verifier {

class VerifierRuntime final : public ServiceRuntime {
 public:
  struct Options {};

  static absl::StatusOr<std::unique_ptr<VerifierRuntime>> Create(const Options& options,
                                                                 const ServiceContext& context);
  ~VerifierRuntime() override { Stop(); }

  std::vector<GrpcServiceEntry> GrpcServices() override;
  void Stop() override {}

 private:
  VerifierRuntime() = default;

  std::unique_ptr<VerifierGrpcService> grpc_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_RUNTIME_H_
