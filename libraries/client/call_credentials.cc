#include "libraries/client/call_credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace {

class HawkPlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  HawkPlugin(hawk::Credentials credentials, const Clock& clock, Random& random)
      : credentials_(std::move(credentials)), clock_(clock), random_(random) {}

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
    absl::StatusOr<std::string> header = hawk::SignRequest(credentials_, request, clock_, random_);
    if (!header.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("cannot sign: ", header.status().message()));
    }
    metadata->insert({"authorization", *header});
    return grpc::Status::OK;
  }

 private:
  const hawk::Credentials credentials_;
  const Clock& clock_;
  Random& random_;
};

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
  // Bulwark's channels are TLS, except in tests (--plaintext): the credentials must be allowed
  // on channels without transport security too.
  return grpc::experimental::MetadataCredentialsFromPlugin(
      std::make_unique<HawkPlugin>(std::move(credentials), clock, random), GRPC_SECURITY_NONE);
}

}  // namespace bulwark
