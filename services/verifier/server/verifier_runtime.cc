#include "services/verifier/server/verifier_runtime.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/channel.h"
#include "libraries/crypto/random.h"
#include "libraries/logging/log.h"
#include "libraries/status/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/verifier/server/expirer.h"
#include "services/verifier/service/task_normalizer.h"
#include "services/verifier/store/postgres_attestation_store.h"
#include "services/verifier/store/postgres_verifier_store.h"

namespace bulwark::verifier {
namespace {

constexpr absl::Duration kLoadTimeout = absl::Seconds(30);

absl::StatusOr<std::string> ReadPolicy(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read the policy file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<crypto::SigningKeyring> ReadAttestationKeys(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the attestation keyring ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json config = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the attestation keyring ", path, " is not JSON"));
  }
  absl::StatusOr<crypto::SigningKeyring> keys = crypto::SigningKeyring::FromJson(config);
  if (!keys.ok()) {
    return absl::Status(keys.status().code(), absl::StrCat("the attestation keyring ", path, ": ",
                                                           keys.status().message()));
  }
  return keys;
}

}  // namespace

absl::StatusOr<std::unique_ptr<VerifierRuntime>> VerifierRuntime::Create(
    const Options& options, const ServiceContext& context) {
  if (options.credentials.client_id.empty() || options.policy_file.empty()) {
    return absl::InvalidArgumentError(
        "the verifier needs its own credentials (static/bulwark/verifier) and a policy file");
  }
  std::unique_ptr<VerifierRuntime> rt(new VerifierRuntime());
  rt->options_ = options;
  rt->store_ = std::make_unique<PostgresVerifierStore>(context.pool);
  rt->source_ = std::make_unique<GrpcChainSource>(context.Channel(options.queue_address),
                                                  context.Channel(options.hooks_address),
                                                  options.credentials);
  rt->authenticator_ = std::make_unique<RemoteAuthenticator>(
      context.Channel(options.auth_address), context.hostnames, AuthReplicaDialer(context.tls));
  rt->service_ = std::make_unique<VerifierService>(*rt->store_, *rt->source_, QueueTaskNormalizer(),
                                                   context.clock, Random::Secure());
  BULWARK_ASSIGN_OR_RETURN(std::string policy, ReadPolicy(options.policy_file));
  // The database may still be starting (Kubernetes starts everything at once): retry a while.
  absl::Time give_up = absl::Now() + absl::Seconds(60);
  absl::Status loaded;
  while (true) {
    loaded = rt->service_->LoadPolicy(policy, absl::Now() + kLoadTimeout);
    if (loaded.ok() || loaded.code() != absl::StatusCode::kUnavailable || absl::Now() > give_up) {
      break;
    }
    LogWarning("database not reachable yet; retrying", {{"error", std::string(loaded.message())}});
    absl::SleepFor(absl::Seconds(2));
  }
  BULWARK_RETURN_IF_ERROR(loaded);
  LogInfo("policy in force", {{"version", rt->service_->policy()->version()},
                              {"sha256", rt->service_->policy()->sha256_hex()}});
  rt->grpc_ = std::make_unique<VerifierGrpcService>(
      *rt->service_, *rt->authenticator_, context.clock, context.started, options.verify_timeout);
  if (!options.attestation_keys_file.empty()) {
    BULWARK_ASSIGN_OR_RETURN(crypto::SigningKeyring keys,
                             ReadAttestationKeys(options.attestation_keys_file));
    rt->attestation_keys_ = std::make_unique<crypto::SigningKeyring>(std::move(keys));
    rt->attestation_store_ = std::make_unique<PostgresAttestationStore>(context.pool);
    rt->issuer_ =
        std::make_unique<AttestationIssuer>(*rt->attestation_store_, *rt->attestation_keys_,
                                            context.clock, options.attestation_lifetime);
    rt->service_->set_attestation_issuer(rt->issuer_.get());
    rt->grpc_->set_attestation_issuer(rt->issuer_.get());
    LogInfo("attestations signed", {{"key", rt->attestation_keys_->current().id}});
  }
  rt->expirer_ = StartExpirer(*rt->store_, rt->attestation_store_.get(), context.clock,
                              options.expire_interval, options.verification_retention);
  return rt;
}

std::vector<GrpcServiceEntry> VerifierRuntime::GrpcServices() {
  return {{grpc_.get(), v1::Verifier::service_full_name()}};
}

absl::Status VerifierRuntime::Reload() {
  absl::StatusOr<std::string> policy = ReadPolicy(options_.policy_file);
  absl::Status s =
      policy.ok() ? service_->LoadPolicy(*policy, absl::Now() + kLoadTimeout) : policy.status();
  if (!s.ok()) {
    LogError("policy reload refused; the policy in force stays",
             {{"file", options_.policy_file}, {"error", std::string(s.message())}});
    return s;
  }
  LogInfo("policy reloaded", {{"version", service_->policy()->version()},
                              {"sha256", service_->policy()->sha256_hex()}});
  return absl::OkStatus();
}

}  // namespace bulwark::verifier
