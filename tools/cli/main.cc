// bulwark: the command line for Bulwark.
//
//   bulwark sign --method=/bulwark.auth.v1.Auth/CurrentScopes --authority=127.0.0.1:50051
//                [--data='{json}'] [--credentials=FILE] [--authorized-scopes=a,b]
//                [--format=header|grpcurl] [--ca=FILE | --plaintext]
//       Prints "authorization: Hawk …" for that call, so that
//       grpcurl -cacert .bulwark/secrets/ca.pem -H "$(bulwark sign …)" 127.0.0.1:50051
//       bulwark.auth.v1.Auth/CurrentScopes works; --format=grpcurl prints that whole grpcurl
//       command line (with -cacert from --ca, or -plaintext with --plaintext, and -d with the
//       --data). A signature is valid for one call (nonces are remembered) and for the clock
//       skew (15 minutes by default), and only at the authority it was signed for. With --data
//       (the same JSON as grpcurl's -d) the header carries the payload hash of that request
//       message, which methods that change anything require (protos/README.md); without it,
//       only read-only methods accept the header.
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
//   bulwark task-status TASK [--format=text|json]
//       The task's state and runs, as a readable summary (default) or the API's JSON.
//   bulwark task-log TASK [--run=N]
//       Streams the task's log (public/logs/live_backing.log of the latest run, or run N) to
//       stdout.
//   bulwark artifact get TASK NAME [--run=N] [-o FILE]
//       Streams an artifact to FILE (written beside it, renamed into place once complete) or
//       stdout, and checks its size and SHA-256 against the queue's metadata; on a mismatch
//       the exit code is 1 and FILE is not written.
//   bulwark verify-cot TASK [--run=N] --public-key=FILE
//       Checks the run's chain-of-trust artifacts with the worker's public key (PEM): the
//       Ed25519 signature over public/chain-of-trust.json, that it names this task and run,
//       and every signed digest against the queue's (tools/cli/cot_commands.h).
//   These talk to the queue at --authority (default 127.0.0.1:50052).
//
//   bulwark verify TASK --type=T [--root-mode=auto|before-run|completed] [--dot=FILE]
//       Asks the verifier (--authority, default 127.0.0.1:50054) to verify the task's chain of
//       trust as type T; prints the chain as a tree with ✓/✗ for every check and, with --dot,
//       writes it as a Graphviz digraph. Exit code 0 on PASS, 1 on FAIL or error.
//   bulwark slugid
//       Prints a new taskId (a v4 slugid, as the queue expects).
//   bulwark verify-attestation FILE --jwks=KEYS [--artifact=PATH]
//       Offline (no connection): checks the DSSE signature of the attestation in FILE (an
//       envelope, or a GetAttestation response's JSON) against the JWK set in KEYS (or a
//       GetAttestationKeys response's JSON), and with --artifact that the file's SHA-256 is one
//       of its subjects; prints the provenance (hook, repository, revision, builder, chain).
//
// Transport: TLS by default, verifying the server against --ca=FILE (or BULWARK_CA; ./dev up
// makes .bulwark/secrets/ca.pem), else the system roots; --plaintext for a plaintext stack
// (tests). --cert/--key present a client certificate, if a deployment asks for one.
// Credentials come from --credentials (a JSON file such as .bulwark/root.json), else from
// TASKCLUSTER_CLIENT_ID / TASKCLUSTER_ACCESS_TOKEN / TASKCLUSTER_CERTIFICATE.
// Exit codes: 0 success, 1 failure (message on stderr), 2 bad usage.
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bulwark/verifier/v1/verifier.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/call_credentials.h"
#include "libraries/client/channel.h"
#include "libraries/config/flags.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/random.h"
#include "libraries/grpc_server/status.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "nlohmann/json.hpp"
#include "services/verifier/client/verification_text.h"
#include "tools/cli/attestation_commands.h"
#include "tools/cli/cot_commands.h"
#include "tools/cli/generic_call.h"
#include "tools/cli/queue_commands.h"

namespace {

int Usage() {
  std::cerr << "usage: bulwark sign --method=/pkg.Service/Method --authority=HOST:PORT "
               "[--data='{json}'] [--credentials=FILE] [--authorized-scopes=a,b]\n"
               "           [--format=header|grpcurl] [--ca=FILE | --plaintext]\n"
               "       bulwark call [--authority=HOST:PORT] [--credentials=FILE] "
               "pkg.Service/Method ['{json}']\n"
               "       bulwark create-client|create-role|create-hook [--credentials=FILE] FILE\n"
               "       bulwark trigger-hook [--credentials=FILE] GROUP/HOOK ['{payload}']\n"
               "       bulwark last-fires [--credentials=FILE] GROUP/HOOK\n"
               "       bulwark task-status [--format=text|json] TASK\n"
               "       bulwark task-log [--run=N] TASK\n"
               "       bulwark artifact get [--run=N] [-o FILE] TASK NAME\n"
               "       bulwark verify-cot [--run=N] --public-key=FILE TASK\n"
               "       bulwark verify --type=T [--root-mode=auto|before-run|completed] "
               "[--dot=FILE] TASK\n"
               "       bulwark slugid\n"
               "       bulwark verify-attestation FILE --jwks=KEYS [--artifact=PATH]\n"
               "every command: [--ca=FILE | --plaintext] [--cert=FILE --key=FILE]\n";
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
  auto tls = bulwark::ClientTlsFromFlags(flags, "");
  if (!tls.ok()) return Fail(tls.status());
  auto channel = bulwark::CreateServiceChannel(authority, *tls);
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

// 'text' for a POSIX shell.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
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
  if (flags.Has("data")) {
    auto bytes = bulwark::cli::SerializeJsonRequest(flags.Get("method"), flags.Get("data"));
    if (!bytes.ok()) return Fail(bytes.status());
    request.payload_hash = bulwark::hawk::GrpcPayloadHash(*bytes);
  }
  auto header = bulwark::hawk::SignRequest(*creds, request, bulwark::Clock::Real(),
                                           bulwark::Random::Secure());
  if (!header.ok()) return Fail(header.status());
  std::string format = flags.Get("format", "header");
  if (format == "header") {
    std::cout << "authorization: " << *header << "\n";
    return 0;
  }
  if (format != "grpcurl") return Usage();
  auto plaintext = flags.GetBool("plaintext");
  if (!plaintext.ok()) return Fail(plaintext.status());
  std::string method = flags.Get("method");
  if (!method.empty() && method.front() == '/') method = method.substr(1);
  std::string transport = *plaintext        ? "-plaintext"
                          : flags.Has("ca") ? "-cacert " + ShellQuote(flags.Get("ca"))
                                            : "";
  std::cout << "grpcurl " << transport << (transport.empty() ? "" : " ");
  if (flags.Has("data")) std::cout << "-d " << ShellQuote(flags.Get("data")) << " ";
  std::cout << "-H " << ShellQuote("authorization: " + *header) << " "
            << ShellQuote(flags.Get("authority")) << " " << ShellQuote(method) << "\n";
  return 0;
}

// The signed (or, without credentials, anonymous) queue stub and a context for one call.
struct QueueCall {
  std::unique_ptr<bulwark::queue::v1::Queue::Stub> stub;
  grpc::ClientContext context;
};

absl::StatusOr<std::unique_ptr<QueueCall>> NewQueueCall(const bulwark::Flags& flags) {
  auto call = std::make_unique<QueueCall>();
  if (flags.Has("credentials") || std::getenv("TASKCLUSTER_CLIENT_ID") != nullptr) {
    auto creds = Credentials(flags);
    if (!creds.ok()) return creds.status();
    call->context.set_credentials(bulwark::HawkCallCredentials(*creds));
  }
  std::string authority = flags.Get("authority", "127.0.0.1:50052");
  auto tls = bulwark::ClientTlsFromFlags(flags, "");
  if (!tls.ok()) return tls.status();
  call->stub = bulwark::queue::v1::Queue::NewStub(bulwark::CreateServiceChannel(authority, *tls));
  return call;
}

int FailCall(const std::string& what, const absl::Status& status, const std::string& note = "") {
  std::cerr << "bulwark: " << what << ": " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << note << "\n";
  return 1;
}

// --run=N: nullopt when absent; false when malformed.
bool RunFlag(const bulwark::Flags& flags, std::optional<int>* run) {
  if (!flags.Has("run")) return true;
  int n = 0;
  if (!absl::SimpleAtoi(flags.Get("run"), &n) || n < 0) {
    std::cerr << "bulwark: --run must be a run number (0, 1, ...)\n";
    return false;
  }
  *run = n;
  return true;
}

int TaskStatus(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  std::string format = flags.Get("format", "text");
  if (args.size() != 2 || (format != "text" && format != "json")) return Usage();
  auto call = NewQueueCall(flags);
  if (!call.ok()) return Fail(call.status());
  (*call)->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  bulwark::queue::v1::GetTaskStatusRequest request;
  request.set_task_id(args[1]);
  bulwark::queue::v1::TaskStatus status;
  grpc::Status s = (*call)->stub->GetTaskStatus(&(*call)->context, request, &status);
  if (!s.ok()) return FailCall("task-status", bulwark::FromGrpcStatus(s));
  std::cout << (format == "json" ? bulwark::cli::TaskStatusJson(status) + "\n"
                                 : bulwark::cli::TaskStatusText(status));
  return 0;
}

int SaveArtifact(const bulwark::Flags& flags, const std::string& what, const std::string& task,
                 const std::string& name) {
  std::optional<int> run;
  if (!RunFlag(flags, &run)) return 2;
  auto call = NewQueueCall(flags);
  if (!call.ok()) return Fail(call.status());
  std::string output = flags.Get("output");
  auto artifact =
      bulwark::cli::SaveArtifact(*(*call)->stub, (*call)->context, task, run, name, output);
  if (!artifact.ok()) {
    return FailCall(what, artifact.status(),
                    output.empty() ? "" : absl::StrCat("; ", output, " was not written"));
  }
  return 0;
}

int TaskLog(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  if (args.size() != 2 || flags.Has("output")) return Usage();
  return SaveArtifact(flags, "task-log", args[1], "public/logs/live_backing.log");
}

int Artifact(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  if (args.size() != 4 || args[1] != "get") return Usage();
  return SaveArtifact(flags, "artifact get", args[2], args[3]);
}

int VerifyAttestation(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  if (args.size() != 2 || !flags.Has("jwks")) return Usage();
  std::optional<std::string> artifact;
  if (flags.Has("artifact")) artifact = flags.Get("artifact");
  auto summary = bulwark::cli::VerifyAttestationFiles(args[1], flags.Get("jwks"), artifact);
  if (!summary.ok()) {
    std::cerr << "bulwark: verify-attestation FAILED: " << summary.status().message() << "\n";
    return 1;
  }
  std::cout << *summary;
  return 0;
}

int VerifyCot(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  if (args.size() != 2 || !flags.Has("public-key")) return Usage();
  std::optional<int> run;
  if (!RunFlag(flags, &run)) return 2;
  auto key = bulwark::crypto::Ed25519PublicKey::FromPemFile(flags.Get("public-key"));
  if (!key.ok()) {
    std::cerr << "bulwark: verify-cot: --public-key " << flags.Get("public-key") << ": "
              << key.status().message() << "\n";
    return 1;
  }
  auto call = NewQueueCall(flags);
  if (!call.ok()) return Fail(call.status());
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  auto credentials = (*call)->context.credentials();
  auto summary = bulwark::cli::VerifyChainOfTrust(
      *(*call)->stub,
      [&] {
        auto context = std::make_unique<grpc::ClientContext>();
        if (credentials != nullptr) context->set_credentials(credentials);
        context->set_deadline(absl::ToChronoTime(deadline));
        return context;
      },
      args[1], run, *key);
  if (!summary.ok()) return FailCall("verify-cot", summary.status());
  std::cout << *summary;
  return 0;
}

int Verify(const bulwark::Flags& flags) {
  const auto& args = flags.positional();
  if (args.size() != 2 || !flags.Has("type")) return Usage();
  static const std::map<std::string, bulwark::verifier::v1::RootMode> kModes = {
      {"auto", bulwark::verifier::v1::ROOT_MODE_AUTO},
      {"before-run", bulwark::verifier::v1::ROOT_MODE_BEFORE_RUN},
      {"completed", bulwark::verifier::v1::ROOT_MODE_COMPLETED}};
  auto mode = kModes.find(flags.Get("root-mode", "auto"));
  if (mode == kModes.end()) return Usage();
  grpc::ClientContext context;
  if (flags.Has("credentials") || std::getenv("TASKCLUSTER_CLIENT_ID") != nullptr) {
    auto creds = Credentials(flags);
    if (!creds.ok()) return Fail(creds.status());
    context.set_credentials(bulwark::HawkCallCredentials(*creds));
  }
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Minutes(5)));
  auto tls = bulwark::ClientTlsFromFlags(flags, "");
  if (!tls.ok()) return Fail(tls.status());
  auto stub = bulwark::verifier::v1::Verifier::NewStub(
      bulwark::CreateServiceChannel(flags.Get("authority", "127.0.0.1:50054"), *tls));
  bulwark::verifier::v1::VerifyTaskRequest request;
  request.set_task_id(args[1]);
  request.set_task_type(flags.Get("type"));
  request.set_root_mode(mode->second);
  bulwark::verifier::v1::Verification verification;
  grpc::Status s = stub->VerifyTask(&context, request, &verification);
  if (!s.ok()) return FailCall("verify", bulwark::FromGrpcStatus(s));
  std::cout << bulwark::verifier::VerificationTree(verification);
  if (flags.Has("dot")) {
    std::ofstream dot(flags.Get("dot"));
    dot << bulwark::verifier::VerificationDot(verification);
    if (!dot.good()) {
      std::cerr << "bulwark: verify: cannot write " << flags.Get("dot") << "\n";
      return 1;
    }
  }
  return verification.verdict() == bulwark::verifier::v1::VERDICT_PASS ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // "-o FILE" is "--output FILE".
  std::vector<std::string> arguments(argv, argv + argc);
  for (std::string& a : arguments) {
    if (a == "-o") a = "--output";
  }
  std::vector<const char*> args;
  for (const std::string& a : arguments) args.push_back(a.c_str());
  auto flags = bulwark::Flags::Parse(
      static_cast<int>(args.size()), args.data(),
      {"method", "authority", "credentials", "authorized-scopes", "run", "output", "format",
       "public-key", "type", "root-mode", "dot", "jwks", "artifact", "ca", "cert", "key", "data"},
      {"plaintext"});
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
  if (command == "task-status") return TaskStatus(*flags);
  if (command == "task-log") return TaskLog(*flags);
  if (command == "artifact") return Artifact(*flags);
  if (command == "verify-attestation") return VerifyAttestation(*flags);
  if (command == "verify-cot") return VerifyCot(*flags);
  if (command == "verify") return Verify(*flags);
  if (command == "slugid" && flags->positional().size() == 1) {
    std::cout << bulwark::NiceSlugid(bulwark::Random::Secure()) << "\n";
    return 0;
  }
  std::cerr << "bulwark: unknown command '" << command << "'\n";
  return Usage();
}
