#include "services/verifier/server/verifier_runtime.h"

namespace bulwark::verifier {

absl::StatusOr<std::unique_ptr<VerifierRuntime>> VerifierRuntime::Create(
    const Options&, const ServiceContext& context) {
  std::unique_ptr<VerifierRuntime> rt(new VerifierRuntime());
  rt->grpc_ = std::make_unique<VerifierGrpcService>(context.clock, context.started);
  return rt;
}

std::vector<GrpcServiceEntry> VerifierRuntime::GrpcServices() {
  return {{grpc_.get(), v1::Verifier::service_full_name()}};
}

}  // namespace bulwark::verifier
