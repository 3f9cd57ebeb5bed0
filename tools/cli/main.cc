// bulwark: the command line for Bulwark.
//
//   bulwark sign --method=/bulwark.auth.v1.Auth/CurrentScopes --authority=127.0.0.1:50051
//                [--credentials=FILE] [--authorized-scopes=a,b]
//       Prints "authorization: Hawk …" for that call, so that
//       grpcurl -plaintext -H "$(bulwark sign …)" 127.0.0.1:50051
//       bulwark.auth.v1.Auth/CurrentScopes works. A signature is valid for one call (nonces are
//       remembered) and for the clock skew (15 minutes by default).
//
//   bulwark call [--authority=127.0.0.1:50051] bulwark.auth.v1.Auth/CurrentScopes ['{json}']
//       Calls a method, signed with the credentials (anonymously if none are given), and
//       prints the JSON response. The authority defaults to the local stack's port of the
//       service (auth 50051, queue 50052, hooks 50053, verifier 50054).
//
//   bulwark create-client FILE | create-role FILE | create-hook FILE
//       Creates what the JSON file describes (a CreateClientRequest, a CreateRoleRequest, a
//       Hook, in the API's JSON form) and prints the result; a client's access token is
//       printed once.
//   bulwark trigger-hook GROUP/HOOK ['{payload}']
//   bulwark last-fires GROUP/HOOK
//       Fires a hook / shows its last fires, newest first, with their contexts.
//
// Credentials come from --credentials (a JSON file such as .bulwark/root.json), else from
// TASKCLUSTER_CLIENT_ID / TASKCLUSTER_ACCESS_TOKEN / TASKCLUSTER_CERTIFICATE.
// Exit codes: 0 success, 1 failure (message on stderr), 2 bad usage.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/call_credentials.h"
#include "libraries/config/flags.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "nlohmann/json.hpp"
#include "tools/cli/generic_call.h"

namespace {

int Usage() {
  std::cerr << "usage: bulwark sign --method=/pkg.Service/Method --authority=HOST:PORT "
               "[--credentials=FILE] [--authorized-scopes=a,b]\n"
               "       bulwark call [--authority=HOST:PORT] [--credentials=FILE] "
               "pkg.Service/Method ['{json}']\n"
               "       bulwark create-client|create-role|create-hook [--credentials=FILE] FILE\n"
               "       bulwark trigger-hook [--credentials=FILE] GROUP/HOOK ['{payload}']\n"
               "       bulwark last-fires [--credentials=FILE] GROUP/HOOK\n";
  return 2;
}

int Fail(const absl::Status& status) {
  std::cerr << "bulwark: " << status.message() << "\n";
  return 1;
}

// The local stack's address of the service a method belongs to.
std::string DefaultAuthority(const std::string& method) {
  for (const auto& [service, port] : {std::pair<const char*, const char*>{"auth", "50051"},
                                      {"queue", "50052"},
                                      {"hooks", "50053"},
                                      {"verifier", "50054"}}) {
    if (method.find(std::string("bulwark.") + service + ".") != std::string::npos) {
      return std::string("127.0.0.1:") + port;
    }
  }
  return "127.0.0.1:50051";
}

absl::StatusOr<bulwark::hawk::Credentials> Credentials(const bulwark::Flags& flags) {
  auto creds = flags.Has("credentials") ? bulwark::LoadCredentials(flags.Get("credentials"))
                                        : bulwark::CredentialsFromEnvironment();
  if (creds.ok() && flags.Has("authorized-scopes")) {
    creds->authorized_scopes =
        absl::StrSplit(flags.Get("authorized-scopes"), ',', absl::SkipEmpty());
  }
  return creds;
}

// Calls `method` on the local stack's service for it, printing the JSON answer.
int CallMethod(const bulwark::Flags& flags, const std::string& method, const std::string& body) {
  std::string authority = flags.Get("authority");
  if (authority.empty()) authority = DefaultAuthority(method);
  std::shared_ptr<grpc::CallCredentials> call_credentials;
  if (flags.Has("credentials") || std::getenv("TASKCLUSTER_CLIENT_ID") != nullptr) {
    auto creds = Credentials(flags);
    if (!creds.ok()) return Fail(creds.status());
    call_credentials = bulwark::HawkCallCredentials(*creds);
  }
  auto channel = grpc::CreateChannel(authority, grpc::InsecureChannelCredentials());
  auto response = bulwark::cli::CallJson(channel, method, body, call_credentials);
  if (!response.ok()) {
    std::cerr << "bulwark: " << absl::StatusCodeToString(response.status().code()) << ": "
              << response.status().message() << "\n";
    return 1;
  }
  std::cout << *response << "\n";
  return 0;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// GROUP/HOOK → {"hookGroupId": …, "hookId": …} fields (the hook id may contain '/').
absl::StatusOr<nlohmann::json> HookIds(const std::string& ref) {
  size_t slash = ref.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == ref.size()) {
    return absl::InvalidArgumentError("name the hook as GROUP/HOOK, e.g. demo/nightly");
  }
  return nlohmann::json{{"hookGroupId", ref.substr(0, slash)}, {"hookId", ref.substr(slash + 1)}};
}

int Create(const bulwark::Flags& flags, const std::string& command) {
  const auto& args = flags.positional();
  if (args.size() != 2) return Usage();
  auto text = ReadFile(args[1]);
  if (!text.ok()) return Fail(text.status());
  nlohmann::json body = nlohmann::json::parse(*text, nullptr, false);
  if (!body.is_object()) return Fail(absl::InvalidArgumentError(args[1] + " is not a JSON object"));
  if (command == "create-client")
    return CallMethod(flags, "bulwark.auth.v1.Auth/CreateClient", body.dump());
  if (command == "create-role")
    return CallMethod(flags, "bulwark.auth.v1.Auth/CreateRole", body.dump());
  return CallMethod(flags, "bulwark.hooks.v1.Hooks/CreateHook",
                    nlohmann::json{{"hook", body}}.dump());
}

int HookCommand(const bulwark::Flags& flags, const std::string& command) {
  const auto& args = flags.positional();
  if (args.size() < 2 || args.size() > 3) return Usage();
  auto body = HookIds(args[1]);
  if (!body.ok()) return Fail(body.status());
  if (command == "last-fires") {
    return CallMethod(flags, "bulwark.hooks.v1.Hooks/ListLastFires", body->dump());
  }
  nlohmann::json payload = nlohmann::json::object();
  if (args.size() == 3) {
    payload = nlohmann::json::parse(args[2], nullptr, false);
    if (!payload.is_object())
      return Fail(absl::InvalidArgumentError("the payload must be a JSON object"));
  }
  (*body)["payload"] = payload;
  return CallMethod(flags, "bulwark.hooks.v1.Hooks/TriggerHook", body->dump());
}

int Call(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  if (args.size() < 2 || args.size() > 3) return Usage();
  return CallMethod(flags, args[1], args.size() == 3 ? args[2] : "{}");
}

int Sign(const bulwark::Flags& flags) {
  if (!flags.Has("method") || !flags.Has("authority")) return Usage();
  auto creds = Credentials(flags);
  if (!creds.ok()) return Fail(creds.status());
  auto target = bulwark::hawk::ParseAuthority(flags.Get("authority"));
  if (!target.ok()) return Fail(target.status());
  bulwark::hawk::Request request;
  request.resource = flags.Get("method");
  request.host = target->host;
  request.port = target->port;
  auto header = bulwark::hawk::SignRequest(*creds, request, bulwark::Clock::Real(),
                                           bulwark::Random::Secure());
  if (!header.ok()) return Fail(header.status());
  std::cout << "authorization: " << *header << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = bulwark::Flags::Parse(argc, argv,
                                     {"method", "authority", "credentials", "authorized-scopes"});
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return Usage();
  }
  if (flags->positional().empty()) return Usage();
  const std::string& command = flags->positional()[0];
  if (command == "sign") return Sign(*flags);
  if (command == "call") return Call(*flags);
  if (command == "create-client" || command == "create-role" || command == "create-hook") {
    return Create(*flags, command);
  }
  if (command == "trigger-hook" || command == "last-fires") return HookCommand(*flags, command);
  std::cerr << "bulwark: unknown command '" << command << "'\n";
  return Usage();
}
