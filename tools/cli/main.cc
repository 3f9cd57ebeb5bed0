// bulwark: the command line for Bulwark.
//
//   bulwark sign --method=/bulwark.auth.v1.Auth/CurrentScopes --authority=127.0.0.1:50051
//                [--credentials=FILE] [--authorized-scopes=a,b]
//       Prints "authorization: Hawk …" for that call, so that
//       grpcurl -plaintext -H "$(bulwark sign …)" 127.0.0.1:50051 bulwark.auth.v1.Auth/CurrentScopes
//       works. A signature is valid for one call (nonces are remembered) and for the clock skew
//       (15 minutes by default).
//
//   bulwark call [--authority=127.0.0.1:50051] bulwark.auth.v1.Auth/CurrentScopes ['{json}']
//       Calls a method, signed with the credentials (anonymously if none are given), and
//       prints the JSON response. The authority defaults to the local stack's port of the
//       service (auth 50051, queue 50052, hooks 50053, verifier 50054).
//
// Credentials come from --credentials (a JSON file such as .bulwark/root.json), else from
// TASKCLUSTER_CLIENT_ID / TASKCLUSTER_ACCESS_TOKEN / TASKCLUSTER_CERTIFICATE.
// Exit codes: 0 success, 1 failure (message on stderr), 2 bad usage.
#include <iostream>

#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/call_credentials.h"
#include "libraries/config/flags.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "tools/cli/generic_call.h"

namespace {

int Usage() {
  std::cerr << "usage: bulwark sign --method=/pkg.Service/Method --authority=HOST:PORT "
               "[--credentials=FILE] [--authorized-scopes=a,b]\n"
               "       bulwark call [--authority=HOST:PORT] [--credentials=FILE] "
               "pkg.Service/Method ['{json}']\n";
  return 2;
}

int Fail(const absl::Status& status) {
  std::cerr << "bulwark: " << status.message() << "\n";
  return 1;
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

int Call(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  if (args.size() < 2 || args.size() > 3) return Usage();
  const std::string& method = args[1];
  std::string authority = flags.Get("authority");
  if (authority.empty()) {
    for (const auto& [service, port] : {std::pair<const char*, const char*>{"auth", "50051"},
                                        {"queue", "50052"},
                                        {"hooks", "50053"},
                                        {"verifier", "50054"}}) {
      if (method.find(std::string("bulwark.") + service + ".") != std::string::npos) {
        authority = std::string("127.0.0.1:") + port;
      }
    }
  }
  if (authority.empty()) return Usage();
  std::shared_ptr<grpc::CallCredentials> call_credentials;
  if (flags.Has("credentials") || std::getenv("TASKCLUSTER_CLIENT_ID") != nullptr) {
    auto creds = Credentials(flags);
    if (!creds.ok()) return Fail(creds.status());
    call_credentials = bulwark::HawkCallCredentials(*creds);
  }
  auto channel = grpc::CreateChannel(authority, grpc::InsecureChannelCredentials());
  auto response = bulwark::cli::CallJson(channel, method, args.size() == 3 ? args[2] : "{}",
                                         call_credentials);
  if (!response.ok()) {
    std::cerr << "bulwark: " << absl::StatusCodeToString(response.status().code()) << ": "
              << response.status().message() << "\n";
    return 1;
  }
  std::cout << *response << "\n";
  return 0;
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
  auto flags = bulwark::Flags::Parse(
      argc, argv, {"method", "authority", "credentials", "authorized-scopes"});
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return Usage();
  }
  if (flags->positional().empty()) return Usage();
  const std::string& command = flags->positional()[0];
  if (command == "sign") return Sign(*flags);
  if (command == "call") return Call(*flags);
  std::cerr << "bulwark: unknown command '" << command << "'\n";
  return Usage();
}
