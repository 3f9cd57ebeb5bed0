// Interop with the npm packages Taskcluster clients use (issue 4, item 6):
// headers made by npm hawk 9.0.2 and temporary credentials and ext made by npm
// taskcluster-client 87.1.3 are judged by the C++ pipeline as the vectors
// expect; tampering with any signed part is rejected; hawk's parser, normalized
// string, MAC and payload hash agree with ours on fixed and generated inputs;
// and headers and credentials made by the C++ library pass npm hawk's server
// and Taskcluster's certificate rule. Runs testdata/interop.js with node; fails
// (never skips) when BULWARK_NODE_MODULES is unset.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/authenticator.h"
#include "libraries/hawk/certificate.h"
#include "libraries/hawk/digest.h"
#include "libraries/hawk/ext.h"
#include "libraries/hawk/header.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/signer.h"
#include "libraries/hawk/test_fixture.h"
#include "nlohmann/json.hpp"

namespace bulwark::hawk {
namespace {

constexpr int64_t kNowSeconds = 1700000000;
constexpr char kScript[] = "libraries/hawk/testdata/interop.js";

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

// Runs the interop script; the JSON it prints, or an error naming what went
// wrong.
absl::StatusOr<nlohmann::json> RunNode(const std::string& arguments) {
  const char* modules = std::getenv("BULWARK_NODE_MODULES");
  if (modules == nullptr || *modules == '\0') {
    return absl::FailedPreconditionError(
        "BULWARK_NODE_MODULES is not set: run through ./dev test, or pass "
        "--test_env=BULWARK_NODE_MODULES=/work/main/tools/npm/node_modules "
        "(the interop test cannot run without npm hawk and "
        "taskcluster-client)");
  }
  const std::string errors = TempPath("interop_stderr.txt");
  const std::string command = absl::StrCat("node ", kScript, " ", arguments, " 2>", errors);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen failed");
  std::string output;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) {
    std::ifstream in(errors);
    std::stringstream message;
    message << in.rdbuf();
    return absl::InternalError(
        absl::StrCat("`", command, "` failed (status ", status, "): ", message.str()));
  }
  nlohmann::json parsed = nlohmann::json::parse(output, nullptr, false);
  if (parsed.is_discarded()) {
    return absl::InternalError(absl::StrCat("node printed no JSON: ", output));
  }
  return parsed;
}

const nlohmann::json& Vectors() {
  static const absl::StatusOr<nlohmann::json>* vectors =
      new absl::StatusOr<nlohmann::json>(RunNode(absl::StrCat("vectors ", kNowSeconds)));
  if (!vectors->ok()) {
    ADD_FAILURE() << vectors->status();
    static const nlohmann::json* empty = new nlohmann::json(nlohmann::json::object());
    return *empty;
  }
  return **vectors;
}

std::unique_ptr<AuthenticatorFixture> FixtureFromVectors() {
  const nlohmann::json& v = Vectors();
  std::map<std::string, TestClient> clients;
  const nlohmann::json all = v.value("clients", nlohmann::json::object());
  for (const auto& [id, client] : all.items()) {
    clients[id] = {client["accessToken"], client["scopes"],
                   absl::FromUnixMillis(client["expires"].get<int64_t>())};
  }
  std::vector<scopes::Role> roles;
  for (const nlohmann::json& role : v.value("roles", nlohmann::json::array())) {
    roles.push_back({role["roleId"], role["scopes"]});
  }
  return AuthenticatorFixture::Create(clients, roles, absl::FromUnixSeconds(kNowSeconds));
}

TEST(InteropTest, PackageVersions) {
  const nlohmann::json& v = Vectors();
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v["hawkVersion"], "9.0.2");
  EXPECT_EQ(v["tcVersion"], "87.1.3");
  EXPECT_GE(v["requests"].size(), 20u);
}

TEST(InteropTest, ParserAgreesWithHawk) {
  const nlohmann::json& v = Vectors();
  ASSERT_GT(v.value("parse", nlohmann::json::array()).size(), 700u);
  int accepted = 0;
  for (const nlohmann::json& item : v["parse"]) {
    const std::string header = item["header"];
    absl::StatusOr<HeaderAttributes> ours = ParseAuthorizationHeader(header);
    if (item.contains("error")) {
      EXPECT_FALSE(ours.ok()) << header;
      if (!ours.ok()) {
        EXPECT_EQ(std::string(ours.status().message()), item["error"].get<std::string>()) << header;
      }
      continue;
    }
    ASSERT_TRUE(ours.ok()) << header << ": " << ours.status();
    ++accepted;
    const nlohmann::json& theirs = item["attributes"];
    const std::pair<const char*, const std::string*> fields[] = {
        {"id", &ours->id},   {"ts", &ours->ts},   {"nonce", &ours->nonce}, {"hash", &ours->hash},
        {"ext", &ours->ext}, {"mac", &ours->mac}, {"app", &ours->app},     {"dlg", &ours->dlg}};
    for (const auto& [name, value] : fields) {
      EXPECT_EQ(*value, theirs.value(name, "")) << header << " " << name;
    }
  }
  EXPECT_GT(accepted, 20);
}

TEST(InteropTest, NormalizedStringAndMacAgreeWithHawk) {
  const nlohmann::json& v = Vectors();
  ASSERT_FALSE(v.value("macs", nlohmann::json::array()).empty());
  for (const nlohmann::json& item : v["macs"]) {
    const std::string ts = std::to_string(item["ts"].get<int64_t>());
    const std::string nonce = item["nonce"], method = item["method"], resource = item["resource"],
                      host = item["host"], hash = item["hash"], ext = item["ext"],
                      app = item["app"], dlg = item["dlg"], key = item["key"];
    MacFields fields;
    fields.ts = ts;
    fields.nonce = nonce;
    fields.method = method;
    fields.resource = resource;
    fields.host = host;
    fields.port = item["port"];
    fields.hash = hash;
    fields.ext = ext;
    fields.app = app;
    fields.dlg = dlg;
    EXPECT_EQ(NormalizedString(fields), item["normalized"]) << item.dump();
    EXPECT_EQ(CalculateMac(key, fields), item["mac"]) << item.dump();
  }
}

TEST(InteropTest, PayloadHashAgreesWithHawk) {
  const nlohmann::json& v = Vectors();
  ASSERT_FALSE(v.value("payloadHashes", nlohmann::json::array()).empty());
  for (const nlohmann::json& item : v["payloadHashes"]) {
    EXPECT_EQ(
        PayloadHash(item["payload"].get<std::string>(), item["contentType"].get<std::string>()),
        item["hash"])
        << item.dump();
  }
}

TEST(InteropTest, NpmHeadersAndCredentialsAreJudgedAsExpected) {
  const nlohmann::json& v = Vectors();
  ASSERT_FALSE(v.value("requests", nlohmann::json::array()).empty());
  auto fixture = FixtureFromVectors();
  for (const nlohmann::json& item : v["requests"]) {
    SCOPED_TRACE(item["name"].get<std::string>());
    const nlohmann::json& expect = item["expect"];
    // The hash a server computes over the bytes it received: of `receivedPayload` as gRPC,
    // else (a vector signed with another content type) the one the header should carry.
    std::optional<std::string> received;
    if (expect.contains("receivedPayload")) {
      received = GrpcPayloadHash(expect["receivedPayload"].get<std::string>());
    } else if (expect.contains("hash")) {
      received = expect["hash"].get<std::string>();
    }
    absl::StatusOr<AuthResult> result = fixture->authenticator->AuthenticateGrpc(
        item["resource"].get<std::string>(), item["authority"].get<std::string>(),
        item["authorization"].get<std::string>(), absl::InfiniteFuture(), received);
    ASSERT_TRUE(result.ok()) << result.status();
    if (expect["status"] == "auth-failed") {
      EXPECT_EQ(result->outcome, AuthResult::Outcome::kFailed);
      EXPECT_EQ(result->message, expect["message"]);
      continue;
    }
    ASSERT_EQ(result->outcome, AuthResult::Outcome::kSuccess) << result->message;
    EXPECT_EQ(result->client_id, expect["clientId"]);
    EXPECT_EQ(result->scopes, expect["scopes"].get<std::vector<std::string>>());
    EXPECT_EQ(absl::ToUnixMillis(result->expires), expect["expires"].get<int64_t>());
    EXPECT_EQ(result->hash, expect.value("hash", ""));
    // The same header again is a replay.
    EXPECT_EQ(fixture->authenticator
                  ->AuthenticateGrpc(
                      item["resource"].get<std::string>(), item["authority"].get<std::string>(),
                      item["authorization"].get<std::string>(), absl::InfiniteFuture(), received)
                  ->message,
              "Unauthorized: replayed request");
  }
}

// Replaces the value of attribute `name` in a header (adding it before mac if
// absent).
std::string WithAttribute(std::string header, const std::string& name, const std::string& value) {
  const std::string key = absl::StrCat(" ", name, "=\"");
  const size_t at = header.find(key);
  if (at == std::string::npos) {
    const size_t mac = header.find(" mac=\"");
    return header.insert(mac, absl::StrCat(key.substr(1), value, "\","));
  }
  const size_t start = at + key.size();
  return header.replace(start, header.find('"', start) - start, value);
}

std::string Attribute(const std::string& header, const std::string& name) {
  absl::StatusOr<HeaderAttributes> attributes = ParseAuthorizationHeader(header);
  if (!attributes.ok()) return "";
  if (name == "ts") return attributes->ts;
  if (name == "nonce") return attributes->nonce;
  if (name == "mac") return attributes->mac;
  return attributes->ext;
}

TEST(InteropTest, TamperingWithAnySignedPartIsRejected) {
  const nlohmann::json& v = Vectors();
  ASSERT_FALSE(v.value("requests", nlohmann::json::array()).empty());
  int checked = 0;
  for (const nlohmann::json& item : v["requests"]) {
    if (item["expect"]["status"] != "auth-success") continue;
    const std::string name = item["name"];
    const std::string authorization = item["authorization"];
    absl::StatusOr<HostPort> authority = ParseAuthority(item["authority"].get<std::string>());
    ASSERT_TRUE(authority.ok());
    Request original;
    original.resource = item["resource"];
    original.host = authority->host;
    original.port = authority->port;
    original.authorization = authorization;
    if (item["expect"].contains("hash")) original.payload_hash = item["expect"]["hash"];

    std::vector<std::pair<std::string, Request>> tampered;
    auto add = [&](const std::string& what, auto change) {
      Request request = original;
      change(request);
      tampered.emplace_back(what, std::move(request));
    };
    add("method", [](Request& r) { r.method = "GET"; });
    add("resource", [](Request& r) { r.resource = "/bulwark.queue.v1.Queue/GetTask"; });
    add("host", [](Request& r) { r.host = "hooks.example.com"; });
    add("port", [](Request& r) { r.port += 1; });
    add("ts", [&](Request& r) {
      r.authorization = WithAttribute(
          authorization, "ts", std::to_string(std::stoll(Attribute(authorization, "ts")) - 1));
    });
    add("nonce", [&](Request& r) {
      r.authorization =
          WithAttribute(authorization, "nonce", Attribute(authorization, "nonce") + "x");
    });
    add("mac", [&](Request& r) {
      std::string mac = Attribute(authorization, "mac");
      mac[0] = mac[0] == 'A' ? 'B' : 'A';
      r.authorization = WithAttribute(authorization, "mac", mac);
    });
    add("ext", [&](Request& r) {
      const std::string ext = Attribute(authorization, "ext");
      nlohmann::json decoded = ext.empty() ? nlohmann::json::object() : DecodeExt(ext).value();
      decoded["tampered"] = true;
      r.authorization = WithAttribute(authorization, "ext", EncodeExt(decoded));
    });
    if (authorization.find(" ext=\"") != std::string::npos) {
      add("ext removed", [&](Request& r) {
        const size_t at = authorization.find(" ext=\"");
        const size_t end = authorization.find("\",", at) + 2;
        r.authorization = std::string(authorization).erase(at, end - at);
      });
    }
    // Without its ext, a named credential's name is taken for a clientId.
    const std::string ext = Attribute(authorization, "ext");
    const nlohmann::json decoded = ext.empty() ? nlohmann::json::object() : DecodeExt(ext).value();
    const std::string without_ext_message =
        decoded.contains("certificate") && decoded["certificate"].contains("issuer")
            ? absl::StrCat("Client with clientId '", ParseAuthorizationHeader(authorization)->id,
                           "' not found")
            : "Unauthorized: Bad mac";
    for (const auto& [what, request] : tampered) {
      auto fixture = FixtureFromVectors();
      absl::StatusOr<AuthResult> result = fixture->authenticator->Authenticate(request);
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->outcome, AuthResult::Outcome::kFailed) << name << ": " << what;
      EXPECT_EQ(result->message,
                what == "ext removed" ? without_ext_message : "Unauthorized: Bad mac")
          << name << ": " << what;
      ++checked;
    }
    // The untampered request passes through the same path.
    auto fixture = FixtureFromVectors();
    EXPECT_EQ(fixture->authenticator->Authenticate(original)->outcome,
              AuthResult::Outcome::kSuccess)
        << name;
  }
  EXPECT_GT(checked, 100);
}

TEST(InteropTest, TemporaryCredentialsMatchOurAlgorithm) {
  const nlohmann::json& v = Vectors();
  ASSERT_FALSE(v.value("temporaryCredentials", nlohmann::json::array()).empty());
  for (const nlohmann::json& item : v["temporaryCredentials"]) {
    const std::string issuer = item["issuer"];
    const std::string token = v["clients"][issuer]["accessToken"];
    const nlohmann::json& credentials = item["credentials"];
    const nlohmann::json cert =
        nlohmann::json::parse(credentials["certificate"].get<std::string>());
    const bool named = item.contains("name");
    const std::string name = named ? item["name"].get<std::string>() : issuer;
    EXPECT_EQ(credentials["clientId"], name);
    EXPECT_EQ(cert.value("issuer", ""), named ? issuer : "");
    EXPECT_EQ(TemporaryAccessToken(token, cert["seed"].get<std::string>()),
              credentials["accessToken"]);
    EXPECT_EQ(
        Base64(HmacSha256(token, CertificateSignatureText(
                                     name, named ? issuer : "", cert["seed"].get<std::string>(),
                                     std::to_string(cert["start"].get<int64_t>()),
                                     std::to_string(cert["expiry"].get<int64_t>()),
                                     cert["scopes"].get<std::vector<std::string>>()))),
        cert["signature"]);
    absl::StatusOr<CheckedCertificate> checked =
        CheckCertificate(cert, name, issuer, token, absl::FromUnixSeconds(kNowSeconds));
    ASSERT_TRUE(checked.ok()) << checked.status();
    EXPECT_EQ(checked->access_token, credentials["accessToken"]);
  }
}

TEST(InteropTest, HawkAcceptsHeadersAndCredentialsMadeHere) {
  SimulatedClock clock(absl::FromUnixSeconds(kNowSeconds));
  SeededRandom random(2024);
  const Credentials root{"root", "root-token-0123456789", "", std::nullopt};
  Request request;
  request.resource = "/bulwark.queue.v1.Queue/CreateTask";
  request.host = "Queue.Example.com";
  request.port = 50052;

  nlohmann::json items = nlohmann::json::array();
  auto add = [&](const std::string& name, const Request& r, const std::string& header,
                 const std::string& key, const std::string& issuer_token,
                 const std::string& expected_key) {
    items.push_back({{"name", name},
                     {"method", r.method},
                     {"resource", r.resource},
                     {"host", r.host},
                     {"port", r.port},
                     {"header", header},
                     {"key", key},
                     {"issuerToken", issuer_token},
                     {"expectedKey", expected_key}});
  };

  add("build_header_with_hash_and_ext", request,
      BuildHeader(root, request, kNowSeconds, "n0nce", EncodeExt({{"x", "y\\z"}}),
                  PayloadHash("{}", "application/json"))
          .value(),
      root.access_token, "", "");
  Credentials restricted = root;
  restricted.authorized_scopes = std::vector<std::string>{"queue:create-task:*"};
  add("sign_request_authorized_scopes", request,
      SignRequest(restricted, request, clock, random).value(), root.access_token, "", "");

  TemporaryCredentialsOptions options;
  options.start = clock.Now();
  options.expiry = clock.Now() + absl::Hours(1);
  options.scopes = {"queue:get-task:*", "assume:worker-pool:p1"};
  Credentials unnamed = CreateTemporaryCredentials(root, options, random).value();
  add("temporary_unnamed", request, SignRequest(unnamed, request, clock, random).value(), "",
      root.access_token, unnamed.access_token);
  options.name = "root/named";
  Credentials named = CreateTemporaryCredentials(root, options, random).value();
  named.authorized_scopes = std::vector<std::string>{"queue:get-task:x"};
  add("temporary_named_authorized_scopes", request,
      SignRequest(named, request, clock, random).value(), "", root.access_token,
      named.access_token);
  options.name.clear();
  options.scopes.clear();
  Credentials empty = CreateTemporaryCredentials(root, options, random).value();
  add("temporary_zero_scopes", request, SignRequest(empty, request, clock, random).value(), "",
      root.access_token, empty.access_token);
  Request ipv6 = request;
  HostPort target = ParseAuthority("[::1]:50051").value();
  ipv6.host = target.host;
  ipv6.port = target.port;
  add("ipv6", ipv6, SignRequest(root, ipv6, clock, random).value(), root.access_token, "", "");
  // Negative controls: the verifier is not vacuous.
  add("control_wrong_key", request, SignRequest(root, request, clock, random).value(),
      "another-key", "", "");
  add("control_wrong_issuer_token", request, SignRequest(unnamed, request, clock, random).value(),
      "", "another-token", "");

  const std::string file = TempPath("interop_verify.json");
  std::ofstream(file) << nlohmann::json{{"now", kNowSeconds}, {"items", items}}.dump();
  absl::StatusOr<nlohmann::json> verdicts = RunNode(absl::StrCat("verify ", file));
  ASSERT_TRUE(verdicts.ok()) << verdicts.status();
  std::map<std::string, nlohmann::json> by_name;
  for (const nlohmann::json& result : (*verdicts)["results"]) {
    by_name[result["name"]] = result;
  }
  ASSERT_EQ(by_name.size(), items.size());
  for (const auto& [name, result] : by_name) {
    if (name.rfind("control_", 0) == 0) continue;
    EXPECT_TRUE(result["ok"].get<bool>()) << name << ": " << result.dump();
  }
  EXPECT_EQ(by_name["control_wrong_key"]["error"], "Unauthorized: Bad mac");
  EXPECT_EQ(by_name["control_wrong_issuer_token"]["error"], "certificate signature mismatch");
  EXPECT_EQ(by_name["sign_request_authorized_scopes"]["ext"],
            nlohmann::json::parse(R"({"authorizedScopes":["queue:create-task:*"]})"));
  EXPECT_EQ(by_name["temporary_named_authorized_scopes"]["id"], "root/named");
  EXPECT_EQ(by_name["temporary_named_authorized_scopes"]["ext"]["authorizedScopes"],
            nlohmann::json::parse(R"(["queue:get-task:x"])"));
}

}  // namespace
}  // namespace bulwark::hawk
