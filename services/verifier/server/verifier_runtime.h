// File: services/verifier/server/verifier_runtime.h
//
// VerifierRuntime: the verifier process behind its gRPC server, wired from Options: the
// PostgreSQL store, the ChainSource over the queue and hooks (signed with the verifier's own
// read-only credentials), the RemoteAuthenticator, VerifierService and its gRPC adapter. The
// policy file is loaded (validated, recorded in the store) at start - an invalid one stops the
// process - and again on Reload (SIGHUP), which keeps the policy in force when the new file is
// invalid and says why in the log. With attestation_keys_file (a crypto::SigningKeyring JSON
// list, the last key current) it also issues signed attestations of passed verifications
// (attestation_issuer.h) into the PostgreSQL attestation store. In the background the expirer
// (expirer.h) deletes verifications older than verification_retention and expired attestations.
//
// Thread-safety: Create and Stop from one thread; Reload from the signal loop; the parts are
// thread-safe.
// Errors: Create returns INVALID_ARGUMENT for incomplete Options or an invalid policy file.

#ifndef BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_RUNTIME_H_
#define BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "libraries/authn/remote_authenticator.h"
#include "libraries/clock/periodic_task.h"
#include "libraries/crypto/signing_keyring.h"
#include "libraries/hawk/credentials.h"
#include "libraries/service/service_main.h"
#include "services/verifier/server/grpc_chain_source.h"
#include "services/verifier/server/verifier_grpc_service.h"
#include "services/verifier/service/verifier_service.h"
#include "services/verifier/store/attestation_store.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier {

class VerifierRuntime final : public ServiceRuntime {
 public:
  struct Options {
    std::string auth_address = "127.0.0.1:50051";
    std::string queue_address = "127.0.0.1:50052";
    std::string hooks_address = "127.0.0.1:50053";
    // static/bulwark/verifier: read-only scopes on the queue and hooks.
    hawk::Credentials credentials;
    std::string policy_file;
    // The longest a VerifyTask call may run (it streams every upstream artifact of the chain).
    absl::Duration verify_timeout = absl::Minutes(10);
    // The attestation signing keyring (empty: no attestations are issued).
    std::string attestation_keys_file;
    // How long an attestation is kept, and its key needed.
    absl::Duration attestation_lifetime = AttestationIssuer::kDefaultLifetime;
    // Verifications older than this are deleted (expirer.h), every `expire_interval`.
    absl::Duration verification_retention = AttestationIssuer::kDefaultLifetime;
    absl::Duration expire_interval = absl::Hours(1);
  };

  static absl::StatusOr<std::unique_ptr<VerifierRuntime>> Create(const Options& options,
                                                                 const ServiceContext& context);
  ~VerifierRuntime() override { Stop(); }

  std::vector<GrpcServiceEntry> GrpcServices() override;
  absl::Status Reload() override;
  void Stop() override {
    if (expirer_ != nullptr) expirer_->Stop();
  }

 private:
  VerifierRuntime() = default;

  Options options_;
  std::unique_ptr<VerifierStore> store_;
  std::unique_ptr<GrpcChainSource> source_;
  std::unique_ptr<RemoteAuthenticator> authenticator_;
  std::unique_ptr<VerifierService> service_;
  std::unique_ptr<crypto::SigningKeyring> attestation_keys_;
  std::unique_ptr<AttestationStore> attestation_store_;
  std::unique_ptr<AttestationIssuer> issuer_;
  std::unique_ptr<VerifierGrpcService> grpc_;
  std::unique_ptr<PeriodicTask> expirer_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVER_VERIFIER_RUNTIME_H_
