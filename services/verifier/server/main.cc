// The verifier service binary: flags -> VerifierRuntime::Options; RunServiceMain does the rest
// (SIGHUP reloads the policy file). Flags besides the common ones (service_main.h):
//   --auth=HOST:PORT  --queue=HOST:PORT  --hooks=HOST:PORT   its dependencies (local defaults)
//   --credentials=FILE      its own credentials (static/bulwark/verifier)
//   --policy=FILE           the chain-of-trust policy (services/verifier/policy/README.md)
//   --verify-timeout=10m    the longest one VerifyTask may run
//   --attestation-keys=FILE the attestation signing keyring (libraries/crypto signing keyring
//                           JSON; the last key signs); without it no attestations are issued
//   --attestation-lifetime=17520h  how long an attestation is kept (and its key needed)
//   --verification-retention=17520h  how long a verification is kept
//   --expire-interval=1h    how often expired verifications and attestations are deleted
#include "libraries/client/call_credentials.h"
#include "libraries/service/service_main.h"
#include "libraries/status/status_macros.h"
#include "services/verifier/schema/migrations.h"
#include "services/verifier/server/verifier_runtime.h"

namespace {

using bulwark::verifier::VerifierRuntime;

absl::StatusOr<VerifierRuntime::Options> ParseOptions(const bulwark::Flags& flags) {
  if (!flags.Has("credentials") || !flags.Has("policy")) {
    return absl::InvalidArgumentError(
        "--credentials and --policy (or BULWARK_CREDENTIALS / BULWARK_POLICY) are required");
  }
  VerifierRuntime::Options options;
  BULWARK_ASSIGN_OR_RETURN(options.credentials, bulwark::LoadCredentials(flags.Get("credentials")));
  options.policy_file = flags.Get("policy");
  options.auth_address = flags.Get("auth", options.auth_address);
  options.queue_address = flags.Get("queue", options.queue_address);
  options.hooks_address = flags.Get("hooks", options.hooks_address);
  BULWARK_ASSIGN_OR_RETURN(options.verify_timeout,
                           flags.GetDuration("verify-timeout", options.verify_timeout));
  options.attestation_keys_file = flags.Get("attestation-keys");
  BULWARK_ASSIGN_OR_RETURN(options.attestation_lifetime,
                           flags.GetDuration("attestation-lifetime", options.attestation_lifetime));
  BULWARK_ASSIGN_OR_RETURN(
      options.verification_retention,
      flags.GetDuration("verification-retention", options.verification_retention));
  BULWARK_ASSIGN_OR_RETURN(options.expire_interval,
                           flags.GetDuration("expire-interval", options.expire_interval));
  if (options.expire_interval <= absl::ZeroDuration() ||
      options.verification_retention <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--expire-interval and --verification-retention must be positive");
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  bulwark::ServiceSpec spec;
  spec.name = "verifier";
  spec.default_listen = "127.0.0.1:50054";
  spec.migrations = &bulwark::schema::VerifierMigrations();
  spec.extra_flags = {"auth",
                      "queue",
                      "hooks",
                      "credentials",
                      "policy",
                      "verify-timeout",
                      "attestation-keys",
                      "attestation-lifetime",
                      "verification-retention",
                      "expire-interval"};
  spec.build = [](bulwark::ServiceContext& context)
      -> absl::StatusOr<std::unique_ptr<bulwark::ServiceRuntime>> {
    BULWARK_ASSIGN_OR_RETURN(VerifierRuntime::Options options, ParseOptions(context.flags));
    return VerifierRuntime::Create(options, context);
  };
  return bulwark::RunServiceMain(argc, argv, spec);
}
