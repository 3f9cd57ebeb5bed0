// localconfig: the local stack's secrets, generated once (./dev up runs it).
//
//   localconfig --dir=.bulwark
//
// Writes, each only if missing (mode 600):
//   DIR/config/auth.json           the auth service's configuration: static clients with fresh
//                                  tokens, a token keyring, an audit keyring, a service-account
//                                  signing key (an existing file without auditKeys gets one
//                                  added, everything else kept)
//   DIR/root.json                  {"clientId": "static/bulwark/root", "accessToken": …}
//   DIR/config/<svc>.credentials.json   queue, hooks, verifier: each service's own credentials
//   DIR/config/hooks.token-keys.json    the hooks service's keyring for trigger tokens
// Each service is then given only its own file (invariant 3).
#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include "absl/strings/escaping.h"
#include "libraries/config/flags.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

void WritePrivate(const std::string& path, const nlohmann::json& json) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json.dump(2) << "\n";
  }
  chmod(tmp.c_str(), 0600);
  std::rename(tmp.c_str(), path.c_str());
}

int Fail(const std::string& message) {
  std::cerr << "localconfig: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  umask(077);  // every file this writes holds secrets: never readable by others, not even briefly
  auto flags = bulwark::Flags::Parse(argc, argv, {"dir"});
  if (!flags.ok() || flags->Get("dir").empty()) {
    std::cerr << "usage: localconfig --dir=DIR\n";
    return 2;
  }
  const std::string dir = flags->Get("dir");
  mkdir((dir + "/config").c_str(), 0700);
  const std::string auth_path = dir + "/config/auth.json";
  bulwark::Random& random = bulwark::Random::Secure();

  nlohmann::json auth;
  if (Exists(auth_path)) {
    std::ifstream in(auth_path);
    auth = nlohmann::json::parse(in, nullptr, false);
    if (!auth.is_object()) return Fail(auth_path + " is not valid JSON; remove it to regenerate");
    if (!auth.contains("auditKeys")) {
      // Written before the audit chain was keyed: add an audit key, keep everything else.
      auth["auditKeys"] = {
          {{"id", "local-audit-1"}, {"key", absl::Base64Escape(random.Bytes(32))}}};
      WritePrivate(auth_path, auth);
      std::cout << "added an audit key to " << auth_path << "\n";
    }
  } else {
    nlohmann::json clients = nlohmann::json::array();
    for (const char* name : {"root", "queue", "hooks", "verifier"}) {
      clients.push_back({{"clientId", std::string("static/bulwark/") + name},
                         {"accessToken", bulwark::NewAccessToken(random)},
                         {"description", std::string("the local stack's ") + name + " client"}});
    }
    auto key = bulwark::crypto::Ed25519PrivateKey::Generate(random);
    if (!key.ok()) return Fail(std::string(key.status().message()));
    auto pem = key->ToPem();
    if (!pem.ok()) return Fail(std::string(pem.status().message()));
    auth = {
        {"staticClients", clients},
        {"tokenKeys", {{{"id", "local-1"}, {"key", absl::Base64Escape(random.Bytes(32))}}}},
        {"auditKeys", {{{"id", "local-audit-1"}, {"key", absl::Base64Escape(random.Bytes(32))}}}},
        {"signingKeys", {{{"id", "local-sa-1"}, {"privateKeyPem", *pem}}}},
        {"serviceAccounts", {{"issuer", "bulwark-local"}, {"allowlist", {"example-uploader"}}}}};
    WritePrivate(auth_path, auth);
    std::cout << "wrote " << auth_path << "\n";
  }
  const std::string hooks_keys = dir + "/config/hooks.token-keys.json";
  if (!Exists(hooks_keys)) {
    WritePrivate(hooks_keys, {{{"id", "local-1"}, {"key", absl::Base64Escape(random.Bytes(32))}}});
  }
  for (const nlohmann::json& c : auth["staticClients"]) {
    std::string id = c["clientId"];
    std::string path;
    if (id == "static/bulwark/root") {
      path = dir + "/root.json";
    } else if (id.rfind("static/bulwark/", 0) == 0) {
      path = dir + "/config/" + id.substr(15) + ".credentials.json";
    } else {
      continue;
    }
    WritePrivate(path, {{"clientId", id}, {"accessToken", c["accessToken"]}});
  }
  return 0;
}
