// File: services/worker/server/grpc_chain_verifier.h
//
// GrpcChainVerifier: the ChainVerifier (service/chain_verifier.h) over gRPC: Verifier.VerifyTask
// with ROOT_MODE_BEFORE_RUN, signed with the worker's own credentials (which must hold
// verifier:verify-task:<type>), carrying the deadline it is given; failures mapped by
// client/dependency.h (the verifier's DEADLINE_EXCEEDED stays DEADLINE_EXCEEDED; a refusal of
// the worker's own credentials is UNAVAILABLE with a log line for the operator).
//
// Thread-safety: thread-safe.

#ifndef BULWARK_SERVICES_WORKER_SERVER_GRPC_CHAIN_VERIFIER_H_
#define BULWARK_SERVICES_WORKER_SERVER_GRPC_CHAIN_VERIFIER_H_

#include <memory>
#include <string>

#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "grpcpp/channel.h"
#include "libraries/hawk/credentials.h"
#include "services/worker/service/chain_verifier.h"

namespace bulwark::worker {

class GrpcChainVerifier final : public ChainVerifier {
 public:
  GrpcChainVerifier(std::shared_ptr<grpc::Channel> verifier, hawk::Credentials credentials)
      : stub_(verifier::v1::Verifier::NewStub(verifier)), credentials_(std::move(credentials)) {}

  absl::StatusOr<verifier::v1::Verification> VerifyTask(const std::string& task_id,
                                                        const std::string& task_type,
                                                        verifier::v1::RootMode mode,
                                                        absl::Time deadline) override;

 private:
  std::unique_ptr<verifier::v1::Verifier::Stub> stub_;
  const hawk::Credentials credentials_;
};

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVER_GRPC_CHAIN_VERIFIER_H_
