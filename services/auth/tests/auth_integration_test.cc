// The auth service for real: the auth_server binary against PostgreSQL, called over gRPC.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/certificate.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "libraries/proto/timestamp.h"
#include "libraries/testing/service_process.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/store/audit_chain.h"
#include "services/auth/tests/auth_cluster.h"

namespace bulwark::auth {
namespace {

using grpc::StatusCode;

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& r) {
  return {r.begin(), r.end()};
}

// Runs a node script from this package; returns its stdout, or "" if it failed.
std::string Node(const std::string& script, const std::string& arg,
                 const std::string& stdin_text = "") {
  const char* modules = std::getenv("BULWARK_NODE_MODULES");
  EXPECT_NE(modules, nullptr) << "BULWARK_NODE_MODULES must be set (./dev test sets it)";
  if (modules == nullptr) return "";
  std::string input = testing::OutputDir() + "/node-input-" + std::to_string(getpid()) + ".json";
  { std::ofstream(input) << stdin_text; }
  std::string cmd = absl::StrCat("node '", testing::RunfilePath("services/auth/tests/" + script),
                                 "' '", arg, "' < '", input, "'");
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  int rc = pclose(pipe);
  if (rc != 0) {
    ADD_FAILURE() << script << " failed (" << rc << "): " << out;
    return "";
  }
  return out;
}

class AuthIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = AuthCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    root_ = cluster_->Static("root");
    stub_ = cluster_->Stub();
  }

  // Creates a client with `scopes` (as root) and returns its credentials.
  hawk::Credentials NewClient(const std::string& id, const std::vector<std::string>& scopes) {
    v1::CreateClientRequest request;
    request.set_client_id(id);
    *request.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
    for (const auto& s : scopes) request.add_scopes(s);
    v1::CreateClientResponse response;
    grpc::Status s = stub_->CreateClient(SignedContext(&root_).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {id, response.access_token(), "", std::nullopt};
  }

  grpc::Status CurrentScopes(const hawk::Credentials* creds, v1::CurrentScopesResponse* out,
                             v1::Auth::Stub* stub = nullptr) {
    return (stub ? stub : stub_.get())
        ->CurrentScopes(SignedContext(creds).get(), v1::CurrentScopesRequest(), out);
  }

  std::string Authority() const { return cluster_->process(0).address(); }

  std::unique_ptr<AuthCluster> cluster_;
  hawk::Credentials root_;
  std::unique_ptr<v1::Auth::Stub> stub_;
};

TEST_F(AuthIntegrationTest, StaticRootWorksAndStaticClientsAreUntouchable) {
  v1::CurrentScopesResponse current;
  ASSERT_TRUE(CurrentScopes(&root_, &current).ok());
  EXPECT_EQ(current.client_id(), "static/bulwark/root");
  EXPECT_EQ(Strings(current.scopes()), std::vector<std::string>{"*"});

  v1::GetClientRequest get;
  get.set_client_id("static/bulwark/hooks");
  v1::Client hooks;
  ASSERT_TRUE(stub_->GetClient(SignedContext(&root_).get(), get, &hooks).ok());
  EXPECT_EQ(Strings(hooks.scopes()), std::vector<std::string>{"assume:hook-id:*"});

  // Not even root (scope *) can change a static client.
  v1::DisableClientRequest disable;
  disable.set_client_id("static/bulwark/queue");
  v1::Client out;
  grpc::Status s = stub_->DisableClient(SignedContext(&root_).get(), disable, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  v1::DeleteClientRequest del;
  del.set_client_id("static/bulwark/root");
  v1::DeleteClientResponse deleted;
  EXPECT_EQ(stub_->DeleteClient(SignedContext(&root_).get(), del, &deleted).error_code(),
            StatusCode::FAILED_PRECONDITION);
  v1::ResetAccessTokenRequest reset;
  reset.set_client_id("static/bulwark/hooks");
  v1::CreateClientResponse reset_out;
  EXPECT_EQ(stub_->ResetAccessToken(SignedContext(&root_).get(), reset, &reset_out).error_code(),
            StatusCode::FAILED_PRECONDITION);
  v1::CreateClientRequest create;
  create.set_client_id("static/sneaky");
  *create.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  EXPECT_EQ(stub_->CreateClient(SignedContext(&root_).get(), create, &reset_out).error_code(),
            StatusCode::FAILED_PRECONDITION);
}

TEST_F(AuthIntegrationTest, ClientsAuthenticateAndMissingScopesAreNamed) {
  hawk::Credentials alice = NewClient("alice", {"auth:current-scopes", "assume:team"});
  v1::CreateRoleRequest role;
  role.set_role_id("team");
  role.add_scopes("queue:create-task:*");
  v1::Role role_out;
  ASSERT_TRUE(stub_->CreateRole(SignedContext(&root_).get(), role, &role_out).ok());
  v1::CurrentScopesResponse current;
  ASSERT_TRUE(CurrentScopes(&alice, &current).ok());
  EXPECT_EQ(Strings(current.scopes()),
            (std::vector<std::string>{"assume:anonymous", "assume:team", "auth:current-scopes",
                                      "queue:create-task:*"}));

  v1::ListClientsResponse list;
  grpc::Status s = stub_->ListClients(SignedContext(&alice).get(), v1::ListClientsRequest(), &list);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("client 'alice'"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("auth:list-clients"), std::string::npos);

  hawk::Credentials wrong = alice;
  wrong.access_token[0] = wrong.access_token[0] == 'A' ? 'B' : 'A';
  s = CurrentScopes(&wrong, &current);
  EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_NE(s.error_message().find("Bad mac"), std::string::npos) << s.error_message();
  hawk::Credentials unknown{"nobody", alice.access_token, "", std::nullopt};
  EXPECT_EQ(CurrentScopes(&unknown, &current).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthIntegrationTest, TemporaryCredentialsAndAuthorizedScopesNarrow) {
  hawk::Credentials bob = NewClient("bob", {"auth:current-scopes", "a:*", "b:*"});
  hawk::TemporaryCredentialsOptions options;
  options.start = absl::Now() - absl::Minutes(1);
  options.expiry = absl::Now() + absl::Hours(1);
  options.scopes = {"auth:current-scopes", "a:1"};
  auto temp = hawk::CreateTemporaryCredentials(bob, options, Random::Secure());
  ASSERT_TRUE(temp.ok()) << temp.status();
  v1::CurrentScopesResponse current;
  ASSERT_TRUE(CurrentScopes(&*temp, &current).ok());
  // Every caller also holds the anonymous role.
  EXPECT_EQ(Strings(current.scopes()),
            (std::vector<std::string>{"a:1", "assume:anonymous", "auth:current-scopes"}));
  // A certificate for scopes the issuer lacks is refused.
  options.scopes = {"c:1"};
  auto greedy = hawk::CreateTemporaryCredentials(bob, options, Random::Secure());
  ASSERT_TRUE(greedy.ok());
  EXPECT_EQ(CurrentScopes(&*greedy, &current).error_code(), StatusCode::UNAUTHENTICATED);

  hawk::Credentials narrowed = bob;
  narrowed.authorized_scopes = std::vector<std::string>{"auth:current-scopes", "b:2"};
  ASSERT_TRUE(CurrentScopes(&narrowed, &current).ok());
  EXPECT_EQ(Strings(current.scopes()),
            (std::vector<std::string>{"assume:anonymous", "auth:current-scopes", "b:2"}));
  narrowed.authorized_scopes = std::vector<std::string>{"auth:current-scopes", "z:1"};
  grpc::Status s = CurrentScopes(&narrowed, &current);
  EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_NE(s.error_message().find("authorizedScopes"), std::string::npos) << s.error_message();
}

TEST_F(AuthIntegrationTest, AuthenticateRequestForOtherServices) {
  const std::string resource = "/bulwark.queue.v1.Queue/CreateTask";
  const std::string authority = "127.0.0.1:50052";  // the queue's address, as the caller dialled
  v1::AuthenticateRequestRequest request;
  request.set_resource(resource);
  request.set_authority(authority);
  v1::AuthenticateRequestResponse response;
  // The calling service computed this hash over the bytes it received.
  const std::string body = "\n\003abc";
  request.set_payload_hash(hawk::GrpcPayloadHash(body));
  grpc::ClientContext anonymous_context;  // the calling service sends no credentials
  ASSERT_TRUE(stub_->AuthenticateRequest(&anonymous_context, request, &response).ok());
  EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_NO_AUTH);

  hawk::Request hawk_request;
  hawk_request.resource = resource;
  hawk_request.host = "127.0.0.1";
  hawk_request.port = 50052;
  hawk_request.payload_hash = hawk::GrpcPayloadHash(body);
  auto header = hawk::SignRequest(root_, hawk_request, Clock::Real(), Random::Secure());
  ASSERT_TRUE(header.ok());
  request.set_authorization(*header);
  grpc::ClientContext c1;
  ASSERT_TRUE(stub_->AuthenticateRequest(&c1, request, &response).ok());
  EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_SUCCESS);
  EXPECT_EQ(response.client_id(), "static/bulwark/root");
  EXPECT_EQ(Strings(response.scopes()), std::vector<std::string>{"*"});

  // The same header again is a replay.
  grpc::ClientContext c2;
  ASSERT_TRUE(stub_->AuthenticateRequest(&c2, request, &response).ok());
  EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_FAILED);
  EXPECT_NE(response.message().find("replay"), std::string::npos) << response.message();

  // Signed for another service (authority) or method: refused.
  auto fresh = hawk::SignRequest(root_, hawk_request, Clock::Real(), Random::Secure());
  request.set_authorization(*fresh);
  request.set_authority("127.0.0.1:50053");
  grpc::ClientContext c3;
  ASSERT_TRUE(stub_->AuthenticateRequest(&c3, request, &response).ok());
  EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_FAILED);

  // An over-long header is malformed input, not a failed signature.
  request.set_authorization("Hawk id=\"" + std::string(5000, 'x') + "\"");
  grpc::ClientContext c4;
  EXPECT_EQ(stub_->AuthenticateRequest(&c4, request, &response).error_code(),
            StatusCode::INVALID_ARGUMENT);

  // A message that does not parse (field 1, resource, not UTF-8): INVALID_ARGUMENT with a
  // reason, as for every other method (gRPC's own answer would be UNIMPLEMENTED, empty).
  grpc::GenericStub generic(
      grpc::CreateChannel(cluster_->process(0).address(), grpc::InsecureChannelCredentials()));
  const std::string bad = std::string("\x0a\x02\xff\xfe", 4);
  grpc::Slice slice(bad.data(), bad.size());
  grpc::ByteBuffer in(&slice, 1), out;
  grpc::ClientContext c5;
  c5.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Status unparsed;
  absl::Notification answered;
  generic.UnaryCall(&c5, "/bulwark.auth.v1.Auth/AuthenticateRequest", {}, &in, &out,
                    [&](grpc::Status s) {
                      unparsed = std::move(s);
                      answered.Notify();
                    });
  answered.WaitForNotification();
  EXPECT_EQ(unparsed.error_code(), StatusCode::INVALID_ARGUMENT) << unparsed.error_message();
  EXPECT_NE(unparsed.error_message().find("could not be parsed"), std::string::npos)
      << unparsed.error_message();
}

TEST_F(AuthIntegrationTest, HeadersFromTaskclustersNpmClientsAreAccepted) {
  const std::string resource = "/bulwark.queue.v1.Queue/CreateTask";
  // A serialized request message, signed by the npm clients with its payload hash.
  const std::string body = "\n\003abc\022\001\377";
  nlohmann::json args = {{"clientId", root_.client_id},
                         {"accessToken", root_.access_token},
                         {"authority", "queue.example:443"},
                         {"resource", resource},
                         {"payload", absl::Base64Escape(body)}};
  nlohmann::json headers =
      nlohmann::json::parse(Node("npm_headers.js", args.dump()), nullptr, false);
  ASSERT_TRUE(headers.is_object()) << headers;
  auto check = [&](const std::string& kind) {
    v1::AuthenticateRequestRequest request;
    request.set_resource(resource);
    request.set_authority("queue.example:443");
    request.set_authorization(headers[kind]);
    request.set_payload_hash(hawk::GrpcPayloadHash(body));
    v1::AuthenticateRequestResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(stub_->AuthenticateRequest(&context, request, &response).ok());
    EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_SUCCESS)
        << kind << ": " << response.message();
    return response;
  };
  EXPECT_EQ(Strings(check("permanent").scopes()), std::vector<std::string>{"*"});
  EXPECT_EQ(Strings(check("temporary").scopes()),
            (std::vector<std::string>{"assume:anonymous", "auth:current-scopes", "temp:only"}));
  v1::AuthenticateRequestResponse named = check("named");
  EXPECT_EQ(named.client_id(), "root-temp/ci");
  EXPECT_EQ(Strings(check("authorized").authorized_scopes()),
            (std::vector<std::string>{"auth:current-scopes", "narrow:*"}));

  // The same npm-made header arriving with another body is refused.
  {
    nlohmann::json again =
        nlohmann::json::parse(Node("npm_headers.js", args.dump()), nullptr, false);
    ASSERT_TRUE(again.is_object());
    v1::AuthenticateRequestRequest request;
    request.set_resource(resource);
    request.set_authority("queue.example:443");
    request.set_authorization(again["permanent"]);
    request.set_payload_hash(hawk::GrpcPayloadHash("\n\003abd"));
    v1::AuthenticateRequestResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->AuthenticateRequest(&context, request, &response).ok());
    EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_FAILED);
    EXPECT_NE(response.message().find("Bad payload hash"), std::string::npos) << response.message();
  }

  // Tampering with a signed part of an npm-made header is detected.
  std::string tampered = headers["permanent"];
  size_t ts = tampered.find("ts=\"") + 4;
  tampered[ts + 5] = tampered[ts + 5] == '1' ? '2' : '1';
  v1::AuthenticateRequestRequest request;
  request.set_resource(resource);
  request.set_authority("queue.example:443");
  request.set_authorization(tampered);
  v1::AuthenticateRequestResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->AuthenticateRequest(&context, request, &response).ok());
  EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_FAILED);
}

// Issue 13 item 1: a header captured once cannot carry another body.
TEST_F(AuthIntegrationTest, TheRequestBodyIsUnderTheMac) {
  auto port = hawk::ParseAuthority(Authority());
  ASSERT_TRUE(port.ok());
  auto header_for = [&](const std::string& method, const std::optional<std::string>& body) {
    hawk::Request r;
    r.resource = "/bulwark.auth.v1.Auth/" + method;
    r.host = port->host;
    r.port = port->port;
    if (body.has_value()) r.payload_hash = hawk::GrpcPayloadHash(*body);
    return hawk::SignRequest(root_, r, Clock::Real(), Random::Secure()).value();
  };
  v1::CreateClientRequest narrow;
  narrow.set_client_id("victim/narrow");
  *narrow.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  narrow.add_scopes("narrow:scope");
  v1::CreateClientRequest wide = narrow;
  wide.set_client_id("attacker/wide");
  wide.clear_scopes();
  wide.add_scopes("*");

  // A header signed for the narrow request, sent with the wide one.
  const std::string captured = header_for("CreateClient", narrow.SerializeAsString());
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", captured);
    v1::CreateClientResponse response;
    grpc::Status s = stub_->CreateClient(&context, wide, &response);
    EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_NE(s.error_message().find("Bad payload hash"), std::string::npos) << s.error_message();
  }
  // The wide client was not created.
  {
    v1::GetClientRequest get;
    get.set_client_id("attacker/wide");
    v1::Client client;
    EXPECT_EQ(stub_->GetClient(SignedContext(&root_).get(), get, &client).error_code(),
              StatusCode::NOT_FOUND);
  }
  // The header with the body it was signed over works.
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", header_for("CreateClient", narrow.SerializeAsString()));
    v1::CreateClientResponse response;
    grpc::Status s = stub_->CreateClient(&context, narrow, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  // A method that changes state refuses a header without a hash...
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", header_for("CreateClient", std::nullopt));
    v1::CreateClientResponse response;
    grpc::Status s = stub_->CreateClient(&context, wide, &response);
    EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED);
    EXPECT_NE(s.error_message().find("Missing payload hash"), std::string::npos)
        << s.error_message();
  }
  // ...a read-only method accepts one (grpcurl without --data)...
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", header_for("CurrentScopes", std::nullopt));
    v1::CurrentScopesResponse response;
    grpc::Status s = stub_->CurrentScopes(&context, v1::CurrentScopesRequest(), &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(Strings(response.scopes()), std::vector<std::string>{"*"});
  }
  // ...but not with a hash of another body.
  {
    v1::GetClientRequest other;
    other.set_client_id("static/bulwark/queue");
    v1::GetClientRequest asked;
    asked.set_client_id("victim/narrow");
    grpc::ClientContext context;
    context.AddMetadata("authorization", header_for("GetClient", other.SerializeAsString()));
    v1::Client client;
    EXPECT_EQ(stub_->GetClient(&context, asked, &client).error_code(), StatusCode::UNAUTHENTICATED);
  }
  // HawkCallCredentials (every shipped client) signs the body: a write through it works.
  hawk::Credentials created = NewClient("signed/by-credentials", {"a:b"});
  EXPECT_FALSE(created.access_token.empty());
}

// Issue 13 item 5: no oracle for the unauthorized.
TEST_F(AuthIntegrationTest, NoOracleForTheUnauthorized) {
  v1::CreateRoleRequest role;
  role.set_role_id("secret-role");
  role.add_scopes("secret:scope");
  v1::Role role_out;
  ASSERT_TRUE(stub_->CreateRole(SignedContext(&root_).get(), role, &role_out).ok());

  // TestAuthenticate expands nothing against the deployment's roles.
  const hawk::Credentials tester{"tester", "no-secret", "", std::nullopt};
  v1::TestAuthenticateRequest test;
  test.add_client_scopes("assume:secret-role");
  v1::TestAuthenticateResponse tested;
  grpc::Status s = stub_->TestAuthenticate(SignedContext(&tester).get(), test, &tested);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(tested.client_id(), "tester");
  for (const std::string& scope : tested.scopes()) EXPECT_NE(scope, "secret:scope");
  EXPECT_NE(std::find(tested.scopes().begin(), tested.scopes().end(), "assume:secret-role"),
            tested.scopes().end());

  // Update of a role or client: the same PERMISSION_DENIED whether it exists or not.
  hawk::Credentials nobody = NewClient("nobody/at-all", {"unrelated:scope"});
  auto update_role = [&](const std::string& id) {
    v1::UpdateRoleRequest r;
    r.set_role_id(id);
    r.add_scopes("x:y");
    v1::Role out;
    return stub_->UpdateRole(SignedContext(&nobody).get(), r, &out);
  };
  grpc::Status existing = update_role("secret-role");
  grpc::Status missing = update_role("no-such-role");
  EXPECT_EQ(existing.error_code(), StatusCode::PERMISSION_DENIED) << existing.error_message();
  EXPECT_EQ(missing.error_code(), StatusCode::PERMISSION_DENIED) << missing.error_message();
  auto update_client = [&](const std::string& id) {
    v1::UpdateClientRequest r;
    r.set_client_id(id);
    r.set_description("x");
    *r.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
    v1::Client out;
    return stub_->UpdateClient(SignedContext(&nobody).get(), r, &out);
  };
  existing = update_client("nobody/at-all");
  missing = update_client("no/such-client");
  EXPECT_EQ(existing.error_code(), StatusCode::PERMISSION_DENIED) << existing.error_message();
  EXPECT_EQ(missing.error_code(), StatusCode::PERMISSION_DENIED) << missing.error_message();
}

TEST_F(AuthIntegrationTest, AnIdenticalCreateClientByAnotherCallerGetsNoToken) {
  // Alice creates a client; Mallory, holding the same scopes, sends the identical request right
  // after, hoping for the idempotent answer and its access token.
  hawk::Credentials alice = NewClient("alice/laptop", {"auth:create-client:shared/*", "queue:x"});
  hawk::Credentials mallory =
      NewClient("mallory/laptop", {"auth:create-client:shared/*", "queue:x"});
  v1::CreateClientRequest request;
  request.set_client_id("shared/ci");
  *request.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  request.add_scopes("queue:x");
  v1::CreateClientResponse created;
  grpc::Status s = stub_->CreateClient(SignedContext(&alice).get(), request, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::CreateClientResponse stolen;
  s = stub_->CreateClient(SignedContext(&mallory).get(), request, &stolen);
  EXPECT_EQ(s.error_code(), StatusCode::ALREADY_EXISTS) << s.error_message();
  EXPECT_TRUE(stolen.access_token().empty());
  // Alice's own retry is answered as the first time.
  v1::CreateClientResponse retried;
  s = stub_->CreateClient(SignedContext(&alice).get(), request, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retried.access_token(), created.access_token());
}

TEST_F(AuthIntegrationTest, ServiceAccountTokensOnlyForAllowlistedAccounts) {
  v1::ServiceAccountTokenRequest request;
  request.set_account("platform-deployer");  // not on the allowlist
  request.set_audience("https://cloud.example/");
  v1::ServiceAccountTokenResponse response;
  grpc::Status s = stub_->ServiceAccountToken(SignedContext(&root_).get(), request, &response);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("allowlist"), std::string::npos);

  hawk::Credentials uploader = NewClient("ci/uploader", {"auth:service-account:uploader"});
  request.set_account("uploader");
  EXPECT_TRUE(stub_->ServiceAccountToken(SignedContext(&uploader).get(), request, &response).ok());
  request.set_account("other");
  EXPECT_EQ(
      stub_->ServiceAccountToken(SignedContext(&uploader).get(), request, &response).error_code(),
      StatusCode::PERMISSION_DENIED);

  request.set_account("uploader");
  ASSERT_TRUE(stub_->ServiceAccountToken(SignedContext(&uploader).get(), request, &response).ok());
  absl::Time expires = FromProtoTimestamp(response.expires());
  EXPECT_LE(expires, absl::Now() + absl::Hours(1) + absl::Seconds(5));
  v1::GetJwksResponse jwks;
  grpc::ClientContext jwks_context;
  ASSERT_TRUE(stub_->GetJwks(&jwks_context, v1::GetJwksRequest(), &jwks).ok());
  std::string jwks_json;
  (void)google::protobuf::util::MessageToJsonString(jwks.jwks(), &jwks_json);
  nlohmann::json input = {{"token", response.token()},
                          {"jwks", nlohmann::json::parse(jwks_json)},
                          {"audience", "https://cloud.example/"},
                          {"issuer", "bulwark-test"}};
  nlohmann::json verified =
      nlohmann::json::parse(Node("jose_verify.mjs", "", input.dump()), nullptr, false);
  ASSERT_TRUE(verified.is_object());
  EXPECT_EQ(verified["payload"]["sub"], "uploader");
  EXPECT_EQ(verified["header"]["kid"], "test-sa");
  EXPECT_LE(verified["payload"]["exp"].get<int64_t>() - verified["payload"]["iat"].get<int64_t>(),
            3600);
}

TEST_F(AuthIntegrationTest, AuditHistoryRecordsChangesAndDetectsTampering) {
  NewClient("audited", {});
  v1::DeleteClientRequest del;
  del.set_client_id("audited");
  v1::DeleteClientResponse deleted;
  ASSERT_TRUE(stub_->DeleteClient(SignedContext(&root_).get(), del, &deleted).ok());
  v1::ListAuditHistoryRequest list;
  list.set_entity_type("client");
  list.set_entity_id("audited");
  v1::ListAuditHistoryResponse history;
  ASSERT_TRUE(stub_->ListAuditHistory(SignedContext(&root_).get(), list, &history).ok());
  ASSERT_EQ(history.entries_size(), 2);
  EXPECT_EQ(history.entries(0).action(), "created");
  EXPECT_EQ(history.entries(1).action(), "deleted");
  EXPECT_EQ(history.entries(1).client_id(), "static/bulwark/root");

  v1::VerifyAuditHistoryResponse verify;
  ASSERT_TRUE(stub_
                  ->VerifyAuditHistory(SignedContext(&root_).get(), v1::VerifyAuditHistoryRequest(),
                                       &verify)
                  .ok());
  EXPECT_TRUE(verify.intact()) << verify.message();
  {
    pqxx::connection admin(cluster_->database().AdminDsn());
    pqxx::work txn(admin);
    txn.exec_params("UPDATE auth.audit_history SET client_id = 'someone-else' WHERE sequence = $1",
                    history.entries(1).sequence());
    txn.commit();
  }
  ASSERT_TRUE(stub_
                  ->VerifyAuditHistory(SignedContext(&root_).get(), v1::VerifyAuditHistoryRequest(),
                                       &verify)
                  .ok());
  EXPECT_FALSE(verify.intact());
  EXPECT_EQ(verify.first_bad_sequence(), history.entries(1).sequence());
}

// The newest "audit checkpoint" line in `log` with sequence >= `min_sequence`, as a
// v1.AuditCheckpoint parsed from the logged fields exactly as an operator would paste them.
std::optional<v1::AuditCheckpoint> LoggedCheckpoint(const std::string& log, int64_t min_sequence) {
  std::optional<v1::AuditCheckpoint> found;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.value("msg", "") != "audit checkpoint") continue;
    if (j.value("sequence", int64_t{-1}) < min_sequence) continue;
    nlohmann::json fields = {{"sequence", j["sequence"]},
                             {"hash", j["hash"]},
                             {"at", j["at"]},
                             {"keyId", j["keyId"]},
                             {"mac", j["mac"]}};
    v1::AuditCheckpoint cp;
    if (!google::protobuf::util::JsonStringToMessage(fields.dump(), &cp).ok()) continue;
    found = cp;
  }
  return found;
}

TEST(AuthAuditCheckpointTest, LoggedCheckpointDetectsTruncationOverGrpc) {
  auto cluster = AuthCluster::Start(1, {{"auditCheckpointSeconds", 1}});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto stub = (*cluster)->Stub();
  hawk::Credentials root = (*cluster)->Static("root");
  for (const char* id : {"audit/a", "audit/b", "audit/c"}) {
    v1::CreateClientRequest request;
    request.set_client_id(id);
    *request.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
    v1::CreateClientResponse response;
    ASSERT_TRUE(stub->CreateClient(SignedContext(&root).get(), request, &response).ok());
  }
  v1::ListAuditHistoryResponse history;
  ASSERT_TRUE(
      stub->ListAuditHistory(SignedContext(&root).get(), v1::ListAuditHistoryRequest(), &history)
          .ok());
  ASSERT_GE(history.entries_size(), 3);
  const int64_t head = history.entries(history.entries_size() - 1).sequence();
  EXPECT_EQ(history.entries(0).key_id(), "test-audit-1");

  // Wait (bounded) for a logged checkpoint covering the head.
  std::optional<v1::AuditCheckpoint> logged;
  for (absl::Time give_up = absl::Now() + absl::Seconds(20); !logged && absl::Now() < give_up;) {
    logged = LoggedCheckpoint((*cluster)->process(0).LogTail(1 << 20), head);
    if (!logged) absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(logged.has_value()) << (*cluster)->process(0).LogTail();
  EXPECT_EQ(logged->sequence(), head);
  EXPECT_EQ(logged->key_id(), "test-audit-1");

  auto verify = [&](const std::optional<v1::AuditCheckpoint>& cp) {
    v1::VerifyAuditHistoryRequest request;
    if (cp) *request.mutable_checkpoint() = *cp;
    v1::VerifyAuditHistoryResponse response;
    grpc::Status s = stub->VerifyAuditHistory(SignedContext(&root).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  };
  v1::VerifyAuditHistoryResponse ok = verify(logged);
  EXPECT_TRUE(ok.intact()) << ok.message();
  EXPECT_TRUE(ok.checkpoint().checked());
  EXPECT_EQ(ok.checkpoint().source(), "request");
  EXPECT_TRUE(ok.checkpoint().mac_valid()) << ok.checkpoint().message();
  EXPECT_TRUE(ok.checkpoint().history_matches()) << ok.checkpoint().message();
  ok = verify(std::nullopt);  // the replica's newest
  EXPECT_EQ(ok.checkpoint().source(), "replica");
  EXPECT_TRUE(ok.checkpoint().checked()) << ok.checkpoint().message();
  EXPECT_TRUE(ok.checkpoint().history_matches()) << ok.checkpoint().message();

  // The schema's owner deletes the newest two entries.
  {
    pqxx::connection owner((*cluster)->database().OwnerDsn("auth"));
    pqxx::work txn(owner);
    txn.exec_params("DELETE FROM auth.audit_history WHERE sequence > $1", head - 2);
    txn.commit();
  }
  v1::VerifyAuditHistoryResponse truncated = verify(logged);
  EXPECT_TRUE(truncated.intact()) << "the shorter chain is intact: " << truncated.message();
  EXPECT_TRUE(truncated.checkpoint().mac_valid());
  EXPECT_FALSE(truncated.checkpoint().history_matches());
  EXPECT_NE(
      truncated.checkpoint().message().find(absl::StrCat(
          "truncated: the checkpoint of ", FormatCheckpointTime(FromProtoTimestamp(logged->at())),
          " covers entry ", head, ", the history ends at ", head - 2)),
      std::string::npos)
      << truncated.checkpoint().message();

  // A forged checkpoint that claims the history ended there.
  v1::AuditCheckpoint forged = *logged;
  forged.set_sequence(head - 2);
  v1::VerifyAuditHistoryResponse bad = verify(forged);
  EXPECT_FALSE(bad.checkpoint().mac_valid());
  EXPECT_NE(bad.checkpoint().message().find("MAC invalid"), std::string::npos)
      << bad.checkpoint().message();

  // A malformed one is INVALID_ARGUMENT.
  v1::VerifyAuditHistoryRequest malformed;
  *malformed.mutable_checkpoint() = *logged;
  malformed.mutable_checkpoint()->set_hash("not-hex");
  v1::VerifyAuditHistoryResponse unused;
  EXPECT_EQ(stub->VerifyAuditHistory(SignedContext(&root).get(), malformed, &unused).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuthIntegrationTest, ExplainScopeShowsTheChainOfRoles) {
  for (const auto& [id, scope] : std::vector<std::pair<std::string, std::string>>{
           {"repo:github.com/org/app:*", "assume:project:app"},
           {"project:app", "queue:create-task:highest:proj-app/*"}}) {
    v1::CreateRoleRequest role;
    role.set_role_id(id);
    role.add_scopes(scope);
    v1::Role out;
    ASSERT_TRUE(stub_->CreateRole(SignedContext(&root_).get(), role, &out).ok());
  }
  v1::ExplainScopeRequest request;
  request.add_scopes("assume:repo:github.com/org/app:branch:main");
  request.set_scope("queue:create-task:highest:proj-app/build");
  v1::ExplainScopeResponse why;
  ASSERT_TRUE(stub_->ExplainScope(SignedContext(&root_).get(), request, &why).ok());
  EXPECT_TRUE(why.satisfied());
  ASSERT_EQ(why.steps_size(), 2);
  EXPECT_EQ(why.steps(0).role_id(), "repo:github.com/org/app:*");
  EXPECT_EQ(why.steps(1).role_id(), "project:app");
  EXPECT_EQ(why.granting_role_id(), "project:app");
  EXPECT_EQ(why.granting_scope(), "queue:create-task:highest:proj-app/*");
}

TEST(AuthReplicasTest, EveryReplicaSeesChangesWithinTwoSeconds) {
  auto cluster = AuthCluster::Start(2);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Static("root");
  auto a = (*cluster)->Stub(0);
  auto b = (*cluster)->Stub(1);

  // A role created through replica A expands on replica B.
  v1::CreateRoleRequest role;
  role.set_role_id("shared");
  role.add_scopes("seen:everywhere");
  v1::Role out;
  ASSERT_TRUE(a->CreateRole(SignedContext(&root).get(), role, &out).ok());
  absl::Time changed = absl::Now();
  bool seen = false;
  while (!seen && absl::Now() < changed + absl::Seconds(2)) {
    v1::ExpandScopesRequest expand;
    expand.add_scopes("assume:shared");
    v1::ExpandScopesResponse expanded;
    ASSERT_TRUE(b->ExpandScopes(SignedContext(&root).get(), expand, &expanded).ok());
    seen = expanded.scopes_size() == 2;
    if (!seen) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(seen) << "replica B did not see the role within 2 seconds";

  // A client disabled through A stops authenticating on B (which had it cached).
  v1::CreateClientRequest create;
  create.set_client_id("carol");
  create.add_scopes("auth:current-scopes");
  *create.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  v1::CreateClientResponse created;
  ASSERT_TRUE(a->CreateClient(SignedContext(&root).get(), create, &created).ok());
  hawk::Credentials carol{"carol", created.access_token(), "", std::nullopt};
  v1::CurrentScopesResponse current;
  ASSERT_TRUE(
      b->CurrentScopes(SignedContext(&carol).get(), v1::CurrentScopesRequest(), &current).ok());
  v1::DisableClientRequest disable;
  disable.set_client_id("carol");
  v1::Client disabled;
  ASSERT_TRUE(a->DisableClient(SignedContext(&root).get(), disable, &disabled).ok());
  changed = absl::Now();
  bool refused = false;
  while (!refused && absl::Now() < changed + absl::Seconds(2)) {
    grpc::Status s =
        b->CurrentScopes(SignedContext(&carol).get(), v1::CurrentScopesRequest(), &current);
    refused = s.error_code() == StatusCode::UNAUTHENTICATED &&
              s.error_message().find("disabled") != std::string::npos;
    if (!refused) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(refused) << "replica B still accepted a disabled client after 2 seconds";
}

TEST(AuthStartupTest, BadConfigurationFailsClearly) {
  auto db = pg::PgTestDatabase::Create({&schema::AuthMigrations()});
  ASSERT_TRUE(db.ok()) << db.status();
  std::string path = testing::OutputDir() + "/bad-auth.json";
  std::ofstream(path) << R"({"staticClients": [], "tokenKeys": []})";
  auto process = testing::ServiceProcess::Start(
      "services/auth/server/auth_server",
      {"--database=" + (*db)->RuntimeDsn("auth"), "--config=" + path}, absl::Seconds(10));
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.status().message().find("staticClients must include"), std::string::npos)
      << process.status();
}

}  // namespace
}  // namespace bulwark::auth
