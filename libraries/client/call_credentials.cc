#include "libraries/client/call_credentials.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/base/call_once.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/client_interceptor.h"
#include "grpcpp/support/interceptor.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace {

// What signs: shared by every call made with one HawkCallCredentials.
struct Signing {
  hawk::Credentials credentials;
  const Clock& clock;
  Random& random;
};

// The payload hash of one call: written by PayloadHashInterceptor when the call's message is
// serialized, read by that call's HawkPlugin when its metadata is sent (gRPC sends the initial
// metadata after the client interceptors have run on the batch that carries the message).
class PayloadSlot {
 public:
  void Set(std::string hash) {
    absl::MutexLock lock(&mu_);
    hash_ = std::move(hash);
  }
  std::optional<std::string> Get() const {
    absl::MutexLock lock(&mu_);
    return hash_;
  }

 private:
  mutable absl::Mutex mu_;
  std::optional<std::string> hash_ ABSL_GUARDED_BY(mu_);
};

// The slots of the calls in flight that HawkCallCredentials signs, by core call.
class SlotRegistry {
 public:
  static SlotRegistry& Get() {
    static SlotRegistry* const registry = new SlotRegistry();
    return *registry;
  }
  void Put(grpc_call* call, std::shared_ptr<PayloadSlot> slot) {
    absl::MutexLock lock(&mu_);
    slots_[call] = std::move(slot);
  }
  std::shared_ptr<PayloadSlot> Find(grpc_call* call) const {
    absl::MutexLock lock(&mu_);
    auto it = slots_.find(call);
    return it == slots_.end() ? nullptr : it->second;
  }
  // Removes `call`'s entry if it is still `slot` (the core may reuse the address later).
  void Erase(grpc_call* call, const PayloadSlot* slot) {
    absl::MutexLock lock(&mu_);
    auto it = slots_.find(call);
    if (it != slots_.end() && it->second.get() == slot) slots_.erase(it);
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<grpc_call*, std::shared_ptr<PayloadSlot>> slots_ ABSL_GUARDED_BY(mu_);
};

// Signs one call. gRPC gives a plugin the authority the channel dialled (in `service_url`) but
// not the message; the message's hash comes through the call's PayloadSlot.
class HawkPlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  HawkPlugin(std::shared_ptr<const Signing> signing, grpc_call* call,
             std::shared_ptr<PayloadSlot> slot)
      : signing_(std::move(signing)), call_(call), slot_(std::move(slot)) {}
  ~HawkPlugin() override { SlotRegistry::Get().Erase(call_, slot_.get()); }

  bool IsBlocking() const override { return false; }

  // `service_url` is "<scheme>://<authority>/<package.Service>".
  grpc::Status GetMetadata(grpc::string_ref service_url, grpc::string_ref method_name,
                           const grpc::AuthContext&,
                           std::multimap<std::string, std::string>* metadata) override {
    std::string url(service_url.data(), service_url.size());
    size_t start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    size_t slash = url.find('/', start);
    if (slash == std::string::npos) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "cannot sign: unexpected service URL " + url);
    }
    absl::StatusOr<hawk::HostPort> target = hawk::ParseAuthority(url.substr(start, slash - start));
    if (!target.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("cannot sign: ", target.status().message()));
    }
    hawk::Request request;
    request.resource =
        absl::StrCat(url.substr(slash), "/", std::string(method_name.data(), method_name.size()));
    request.host = target->host;
    request.port = target->port;
    request.payload_hash = slot_->Get();
    absl::StatusOr<std::string> header =
        hawk::SignRequest(signing_->credentials, request, signing_->clock, signing_->random);
    if (!header.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("cannot sign: ", header.status().message()));
    }
    metadata->insert({"authorization", *header});
    return grpc::Status::OK;
  }

 private:
  const std::shared_ptr<const Signing> signing_;
  grpc_call* const call_;
  const std::shared_ptr<PayloadSlot> slot_;
};

// The CallCredentials HawkCallCredentials returns: for each call, a plugin of its own with the
// call's PayloadSlot.
class HawkCallCredentialsImpl final : public grpc::CallCredentials {
 public:
  explicit HawkCallCredentialsImpl(std::shared_ptr<const Signing> signing)
      : signing_(std::move(signing)) {}

  bool ApplyToCall(grpc_call* call) override {
    auto slot = std::make_shared<PayloadSlot>();
    SlotRegistry::Get().Put(call, slot);
    // Bulwark's channels are TLS, except in tests (--plaintext): the credentials must be allowed
    // on channels without transport security too.
    std::shared_ptr<grpc::CallCredentials> per_call =
        grpc::experimental::MetadataCredentialsFromPlugin(
            std::make_unique<HawkPlugin>(signing_, call, std::move(slot)), GRPC_SECURITY_NONE);
    return per_call->ApplyToCall(call);
  }
  grpc::string DebugString() override {
    return absl::StrCat("HawkCallCredentials{", signing_->credentials.client_id, "}");
  }

 protected:
  // Not composable with other credentials (CompositeCallCredentials).
  grpc::SecureCallCredentials* AsSecureCredentials() override { return nullptr; }

 private:
  const std::shared_ptr<const Signing> signing_;
};

// Hashes the serialized request message of each unary call that HawkCallCredentials signs (it
// sends its one request message in the first batch, with the initial metadata). Streaming calls
// are signed without a hash: servers do not hash streaming requests (protos/README.md).
class PayloadHashInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit PayloadHashInterceptor(grpc::experimental::ClientRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::ClientRpcInfo;
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE) &&
        info_->type() == ClientRpcInfo::Type::UNARY) {
      std::shared_ptr<PayloadSlot> slot =
          SlotRegistry::Get().Find(info_->client_context()->c_call());
      grpc::ByteBuffer* message = methods->GetSerializedSendMessage();
      if (slot != nullptr && message != nullptr) {
        std::vector<grpc::Slice> slices;
        std::string bytes;
        if (message->Dump(&slices).ok()) {
          for (const grpc::Slice& s : slices) {
            bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
          }
          slot->Set(hawk::GrpcPayloadHash(bytes));
        }
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ClientRpcInfo* const info_;
};

class PayloadHashInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new PayloadHashInterceptor(info);
  }
};

// gRPC consults the global client interceptor factory on every new call, so registering it
// before the first HawkCallCredentials exists covers every call those credentials sign, on any
// channel.
void RegisterPayloadHashing() {
  static absl::once_flag once;
  absl::call_once(once, [] {
    grpc::experimental::RegisterGlobalClientInterceptorFactory(new PayloadHashInterceptorFactory());
  });
}

absl::StatusOr<hawk::Credentials> FromJson(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("clientId") || !j["clientId"].is_string() ||
      !j.contains("accessToken") || !j["accessToken"].is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": credentials need string fields clientId and accessToken"));
  }
  hawk::Credentials c;
  c.client_id = j["clientId"];
  c.access_token = j["accessToken"];
  if (j.contains("certificate") && !j["certificate"].is_null()) {
    c.certificate = j["certificate"].is_string() ? j["certificate"].get<std::string>()
                                                 : j["certificate"].dump();
  }
  if (j.contains("authorizedScopes") && !j["authorizedScopes"].is_null()) {
    if (!j["authorizedScopes"].is_array()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": authorizedScopes must be a list"));
    }
    std::vector<std::string> scopes;
    for (const nlohmann::json& s : j["authorizedScopes"]) {
      if (!s.is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": authorizedScopes must be a list of strings"));
      }
      scopes.push_back(s);
    }
    c.authorized_scopes = std::move(scopes);
  }
  return c;
}

}  // namespace

absl::StatusOr<hawk::Credentials> CredentialsFromJson(const std::string& json_text) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError("credentials are not valid JSON");
  return FromJson(j, "credentials");
}

absl::StatusOr<hawk::Credentials> LoadCredentials(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read credentials file ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError(path + " is not valid JSON");
  return FromJson(j, path);
}

absl::StatusOr<hawk::Credentials> CredentialsFromEnvironment() {
  const char* id = std::getenv("TASKCLUSTER_CLIENT_ID");
  const char* token = std::getenv("TASKCLUSTER_ACCESS_TOKEN");
  if (id == nullptr || token == nullptr) {
    return absl::InvalidArgumentError(
        "set TASKCLUSTER_CLIENT_ID and TASKCLUSTER_ACCESS_TOKEN (or give a credentials file)");
  }
  hawk::Credentials c;
  c.client_id = id;
  c.access_token = token;
  if (const char* cert = std::getenv("TASKCLUSTER_CERTIFICATE"); cert != nullptr && *cert) {
    c.certificate = cert;
  }
  return c;
}

std::shared_ptr<grpc::CallCredentials> HawkCallCredentials(hawk::Credentials credentials,
                                                           const Clock& clock, Random& random) {
  RegisterPayloadHashing();
  return std::make_shared<HawkCallCredentialsImpl>(
      std::make_shared<const Signing>(Signing{std::move(credentials), clock, random}));
}

void EnablePayloadHashing() { RegisterPayloadHashing(); }

}  // namespace bulwark
