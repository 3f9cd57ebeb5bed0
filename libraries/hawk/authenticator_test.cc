// Table tests of the credential pipeline: the behaviours of Taskcluster's
// signaturevalidator test vectors (auth.md §4.3 and §7, own vectors, Hawk
// headers only: bewits do not exist on gRPC), then Bulwark's additions (replay,
// skew, length limit, dependency failures, the order that keeps a client's
// scopes private until its key is proven).

#include "libraries/hawk/authenticator.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/hawk/digest.h"
#include "libraries/hawk/ext.h"
#include "libraries/hawk/header.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/test_fixture.h"
#include "libraries/scopes/scope_set.h"
#include "nlohmann/json.hpp"

namespace bulwark::hawk {
namespace {

const absl::Time kNow = absl::FromUnixMillis(1700000000000);
const absl::Time kOneHour = kNow + absl::Hours(1);
const absl::Time kTwoHours = kNow + absl::Hours(2);
const absl::Time kThreeHours = kNow + absl::Hours(3);

std::map<std::string, TestClient> Clients() {
  return {
      {"root", {"root-secret", {"*"}, kTwoHours}},
      {"unpriv", {"unpriv-secret", {"scope2"}, kTwoHours}},
      {"disabled", {"disabled-secret", {"scope2"}, kTwoHours, true}},
      {"expired", {"expired-secret", {"scope2"}, kNow - absl::Seconds(1)}},
      {"creator", {"creator-secret", {"auth:create-client:creator/*", "scope1:*"}, kTwoHours}},
  };
}

// `assume:anonymous` gives `anonscope`; `assume:expansion` gives `expanded`, so
// a role in a certificate must be expanded before authorizedScopes are checked
// (Taskcluster #3903).
std::vector<scopes::Role> Roles() {
  return {{"anonymous", {"anonscope"}}, {"expansion", {"expanded"}}};
}

// A request signed with hawk's client algorithm (BuildHeader; interop_test
// proves it equals npm hawk's).
struct Signing {
  std::string id;
  std::string key;     // default: id + "-secret"
  nlohmann::json ext;  // null: none
  std::string raw_ext;
  absl::Duration ts_offset;
  std::string nonce = "abc123";
  std::string hash;
};

Request BaseRequest() {
  Request request;
  request.resource = "/bulwark.queue.v1.Queue/CreateTask";
  request.host = "queue.example.com";
  request.port = 443;
  return request;
}

Request Signed(const Signing& s) {
  Request request = BaseRequest();
  Credentials credentials;
  credentials.client_id = s.id;
  credentials.access_token = s.key.empty() ? s.id + "-secret" : s.key;
  const std::string ext = s.ext.is_null() ? s.raw_ext : EncodeExt(s.ext);
  absl::StatusOr<std::string> header = BuildHeader(
      credentials, request, absl::ToUnixSeconds(kNow + s.ts_offset), s.nonce, ext, s.hash);
  EXPECT_TRUE(header.ok()) << header.status();
  request.authorization = header.value_or("");
  // The server computed the same hash over the body it received.
  if (!s.hash.empty()) request.payload_hash = s.hash;
  return request;
}

// Taskcluster's testWithTemp: a certificate made by hand, with knobs to break
// it.
struct Temp {
  std::string id;
  std::string access_token;  // the issuer's; default id + "-secret"
  absl::Time start = kNow - absl::Minutes(5);
  absl::Time expiry = kTwoHours;
  std::vector<std::string> scopes;
  std::string credential_name;
  std::string issuer;
  bool omit_client_id_from_sig = false;
  bool omit_issuer_from_cert = false;
  bool omit_issuer_from_sig = false;
  std::string signature_key;  // when set, the signature is HMAC(signature_key, "")
};

struct TempCredentials {
  nlohmann::json certificate;
  std::string key;  // the temporary access token
};

TempCredentials MakeTemp(const Temp& t) {
  const std::string token = t.access_token.empty() ? t.id + "-secret" : t.access_token;
  const std::string seed = std::string(22, 's') + std::string(22, 'S');
  nlohmann::json cert = {{"version", 1},
                         {"scopes", t.scopes},
                         {"start", absl::ToUnixMillis(t.start)},
                         {"expiry", absl::ToUnixMillis(t.expiry)},
                         {"seed", seed}};
  if (!t.issuer.empty() && !t.omit_issuer_from_cert) cert["issuer"] = t.issuer;
  if (!t.signature_key.empty()) {
    cert["signature"] = Base64(HmacSha256(t.signature_key, ""));
  } else {
    std::string text = "version:1\n";
    if (!t.credential_name.empty() && !t.omit_client_id_from_sig) {
      absl::StrAppend(&text, "clientId:", t.credential_name, "\n");
    }
    if (!t.issuer.empty() && !t.omit_issuer_from_sig) {
      absl::StrAppend(&text, "issuer:", t.issuer, "\n");
    }
    absl::StrAppend(&text, "seed:", seed, "\n", "start:", absl::ToUnixMillis(t.start), "\n",
                    "expiry:", absl::ToUnixMillis(t.expiry), "\n", "scopes:\n",
                    absl::StrJoin(t.scopes, "\n"));
    cert["signature"] = Base64(HmacSha256(token, text));
  }
  return {cert, Base64UrlNoPadding(HmacSha256(token, seed))};
}

// A request with temporary credentials; `extra` is merged into ext.
Request SignedTemp(const Temp& t, nlohmann::json extra = nlohmann::json::object()) {
  TempCredentials temp = MakeTemp(t);
  extra["certificate"] = temp.certificate;
  return Signed({.id = t.id, .key = temp.key, .ext = extra});
}

struct Expected {
  AuthResult::Outcome outcome;
  std::string message;
  std::string client_id;
  std::vector<std::string> scopes;
  absl::Time expires;
  std::string hash;
};

Expected Success(std::vector<std::string> scopes, std::string client_id = "root",
                 absl::Time expires = kTwoHours, std::string hash = "") {
  return {AuthResult::Outcome::kSuccess,
          "",
          std::move(client_id),
          std::move(scopes),
          expires,
          std::move(hash)};
}

Expected Failed(std::string message) {
  return {AuthResult::Outcome::kFailed, std::move(message), "", {}, {}, ""};
}

std::string AuthorizedScopesFailure(const std::vector<std::string>& have,
                                    const std::vector<std::string>& wanted) {
  return absl::StrCat(
      "Supplied credentials do not satisfy authorizedScopes; credentials have "
      "scopes:\n\n```\n",
      absl::StrJoin(have, "\n"), "\n```\n\nauthorizedScopes are:\n\n```\n",
      absl::StrJoin(wanted, "\n"), "\n```");
}

struct Vector {
  std::string name;
  std::function<Request()> request;
  Expected expected;
};

const nlohmann::json kGoodCertFields = {{"version", 1},
                                        {"seed", std::string(44, 'x')},
                                        {"start", absl::ToUnixMillis(kNow - absl::Minutes(1))},
                                        {"expiry", absl::ToUnixMillis(kNow + absl::Minutes(1))},
                                        {"scopes", nlohmann::json::array()}};

nlohmann::json CertWith(const char* key, nlohmann::json value) {
  nlohmann::json cert = kGoodCertFields;
  cert[key] = std::move(value);
  return {{"certificate", cert}};
}

std::vector<Vector> Vectors() {
  const std::vector<std::string> anon_temp = {"anonscope", "assume:anonymous", "tmpscope"};
  return {
      // Permanent credentials.
      {"simple_credentials", [] { return Signed({.id = "root"}); }, Success({"*"})},
      {"simple_credentials_with_payload_hash",
       [] {
         return Signed({.id = "root", .hash = "XtNvx1FqrUYVOLlne3l2WzcyRfj9QeC6YtmhMKKFMGY="});
       },
       Success({"*"}, "root", kTwoHours, "XtNvx1FqrUYVOLlne3l2WzcyRfj9QeC6YtmhMKKFMGY=")},
      {"simple_credentials_empty_ext",
       [] { return Signed({.id = "root", .ext = nlohmann::json::object()}); }, Success({"*"})},
      {"unknown_ext_field_is_ignored",
       [] {
         return Signed({.id = "root", .ext = {{"somefield", "foo"}}});
       },
       Success({"*"})},
      {"anonymous_role_merged_for_unprivileged_client", [] { return Signed({.id = "unpriv"}); },
       Success({"anonscope", "assume:anonymous", "scope2"}, "unpriv")},
      {"bad_secret", [] { return Signed({.id = "root", .key = "root-wrong-secret"}); },
       Failed("Unauthorized: Bad mac")},
      {"unknown_client", [] { return Signed({.id = "unknown", .key = "root-secret"}); },
       Failed("Client with clientId 'unknown' not found")},
      {"disabled_client", [] { return Signed({.id = "disabled"}); },
       Failed("Client with clientId 'disabled' is disabled")},
      {"expired_client", [] { return Signed({.id = "expired"}); },
       Failed("Client with clientId: 'expired' has expired")},
      {"bad_ext", [] { return Signed({.id = "root", .raw_ext = "abcd"}); },
       Failed("Failed to parse ext")},
      {"non_object_ext",
       [] { return Signed({.id = "root", .raw_ext = Base64("[\"certificate\"]")}); },
       Failed("Failed to parse ext")},

      // Certificate shape.
      {"non_object_certificate",
       [] {
         return Signed({.id = "root", .ext = {{"certificate", true}}});
       },
       Failed("ext.certificate must be a JSON object")},
      {"falsy_certificate_is_ignored",
       [] {
         return Signed({.id = "root", .ext = {{"certificate", nullptr}}});
       },
       Success({"*"})},
      {"bad_version", [] { return Signed({.id = "root", .ext = CertWith("version", 999)}); },
       Failed("ext.certificate.version must be 1")},
      {"bad_seed_type", [] { return Signed({.id = "root", .ext = CertWith("seed", 123)}); },
       Failed("ext.certificate.seed must be a string")},
      {"bad_seed_length",
       [] { return Signed({.id = "root", .ext = CertWith("seed", std::string(22, 'x'))}); },
       Failed("ext.certificate.seed must be 44 characters")},
      {"bad_start_type",
       [] {
         return Signed({.id = "root", .ext = CertWith("start", "2016-07-27T14:32:15.407820Z")});
       },
       Failed("ext.certificate.start must be a number")},
      {"bad_expiry_type",
       [] {
         return Signed({.id = "root", .ext = CertWith("expiry", "2016-07-27T14:32:15.407820Z")});
       },
       Failed("ext.certificate.expiry must be a number")},
      {"bad_scopes_type",
       [] { return Signed({.id = "root", .ext = CertWith("scopes", "all of them")}); },
       Failed("ext.certificate.scopes must be an array")},
      {"bad_scope_type",
       [] {
         return Signed({.id = "root", .ext = CertWith("scopes", nlohmann::json::array({1, 2}))});
       },
       Failed("ext.certificate.scopes must be an array of valid scopes")},
      {"bad_scope_format",
       [] {
         return Signed(
             {.id = "root", .ext = CertWith("scopes", nlohmann::json::array({"one\ntwo"}))});
       },
       Failed("ext.certificate.scopes must be an array of valid scopes")},

      // authorizedScopes.
      {"authorized_scopes",
       [] {
         return Signed({.id = "root", .ext = {{"authorizedScopes", {"scope1:*", "scope2"}}}});
       },
       Success({"anonscope", "assume:anonymous", "scope1:*", "scope2"})},
      {"authorized_scopes_not_satisfied",
       [] {
         return Signed({.id = "unpriv", .ext = {{"authorizedScopes", {"scope1:*", "scope2"}}}});
       },
       Failed(AuthorizedScopesFailure({"anonscope", "assume:anonymous", "scope2"},
                                      {"scope1:*", "scope2"}))},
      {"authorized_scopes_satisfied_through_anonymous_role",
       [] {
         return Signed({.id = "unpriv", .ext = {{"authorizedScopes", {"anonscope"}}}});
       },
       Success({"anonscope", "assume:anonymous"}, "unpriv")},
      {"authorized_scopes_not_an_array",
       [] {
         return Signed({.id = "unpriv", .ext = {{"authorizedScopes", "scope1:*"}}});
       },
       Failed("ext.authorizedScopes must be an array")},
      {"authorized_scopes_invalid_scope",
       [] {
         return Signed({.id = "unpriv", .ext = {{"authorizedScopes", {"scope1\n**"}}}});
       },
       Failed("ext.authorizedScopes must be an array of valid scopes")},
      {"empty_authorized_scopes_leave_only_anonymous",
       [] {
         return Signed({.id = "root", .ext = {{"authorizedScopes", nlohmann::json::array()}}});
       },
       Success({"anonscope", "assume:anonymous"})},
      // Taskcluster ignores a null authorizedScopes; Bulwark refuses it (issue 13).
      {"null_authorized_scopes_are_refused",
       [] {
         return Signed({.id = "unpriv", .ext = {{"authorizedScopes", nullptr}}});
       },
       Failed("ext.authorizedScopes must be an array")},

      // Temporary credentials.
      {"basic_temporary_credentials",
       [] { return SignedTemp({.id = "root", .scopes = {"tmpscope"}}); }, Success(anon_temp)},
      {"temporary_credentials_issuer_without_explicit_anonymous",
       [] { return SignedTemp({.id = "unpriv", .scopes = {"scope2"}}); },
       Success({"anonscope", "assume:anonymous", "scope2"}, "unpriv")},
      {"expired_temporary_credentials",
       [] {
         return SignedTemp(
             {.id = "root", .start = kNow - absl::Hours(2), .expiry = kNow - absl::Hours(1)});
       },
       Failed("ext.certificate.expiry < now")},
      {"temporary_credentials_expiring_first_set_expires",
       [] { return SignedTemp({.id = "root", .expiry = kOneHour, .scopes = {"tmpscope"}}); },
       Success(anon_temp, "root", kOneHour)},
      {"temporary_credentials_outliving_issuer_get_issuer_expiry",
       [] { return SignedTemp({.id = "root", .expiry = kThreeHours, .scopes = {"tmpscope"}}); },
       Success(anon_temp, "root", kTwoHours)},
      {"postdated_temporary_credentials",
       [] {
         return SignedTemp(
             {.id = "root", .start = kNow + absl::Hours(1), .expiry = kNow + absl::Hours(2)});
       },
       Failed("ext.certificate.start > now")},
      {"year_long_temporary_credentials",
       [] {
         return SignedTemp({.id = "root",
                            .start = kNow - absl::Hours(24 * 185),
                            .expiry = kNow + absl::Hours(24 * 180)});
       },
       Failed("ext.certificate cannot last longer than 31 days!")},
      {"bad_signature",
       [] { return SignedTemp({.id = "root", .signature_key = "not the right one"}); },
       Failed("ext.certificate.signature is not valid")},
      {"temporary_scopes_not_satisfied_by_issuer",
       [] { return SignedTemp({.id = "unpriv", .scopes = {"godlike"}}); },
       Failed("ext.certificate issuer `unpriv` doesn't satisfy all certificate "
              "scopes godlike.  The temporary credentials were not generated "
              "correctly.")},
      {"temporary_credentials_with_authorized_scopes",
       [] {
         return SignedTemp({.id = "root", .scopes = {"scope1:*", "scope2:*"}},
                           {{"authorizedScopes", {"scope1:a", "scope2:b"}}});
       },
       Success({"anonscope", "assume:anonymous", "scope1:a", "scope2:b"})},
      {"temporary_credentials_with_authorized_scopes_needing_expansion",
       [] {
         return SignedTemp({.id = "root", .scopes = {"scope1:*", "scope2:*", "assume:expansion"}},
                           {{"authorizedScopes", {"scope1:a", "scope2:b", "expanded"}}});
       },
       Success({"anonscope", "assume:anonymous", "expanded", "scope1:a", "scope2:b"})},
      {"temporary_credentials_with_authorized_scopes_not_satisfied",
       [] {
         return SignedTemp({.id = "unpriv", .scopes = {"scope2"}},
                           {{"authorizedScopes", {"scope1", "scope2"}}});
       },
       Failed(AuthorizedScopesFailure({"anonscope", "assume:anonymous", "scope2"},
                                      {"scope1", "scope2"}))},
      {"temporary_credentials_with_authorized_scopes_temp_not_satisfied",
       [] {
         return SignedTemp({.id = "unpriv", .scopes = {"scope999"}},
                           {{"authorizedScopes", {"scope999"}}});
       },
       Failed("ext.certificate issuer `unpriv` doesn't satisfy all certificate "
              "scopes scope999.  The temporary credentials were not generated "
              "correctly.")},
      {"zero_scope_certificate_signed_like_taskcluster_client",
       [] {
         // taskcluster-client hashes "scopes:\n" for zero scopes, the server
         // "scopes:".
         return SignedTemp({.id = "root"});
       },
       Failed("ext.certificate.signature is not valid")},
      {"unnamed_certificate_with_client_id",
       [] {
         TempCredentials temp = MakeTemp({.id = "root", .scopes = {"tmpscope"}});
         temp.certificate["clientId"] = "root";
         return Signed({.id = "root", .key = temp.key, .ext = {{"certificate", temp.certificate}}});
       },
       Failed("ext.certificate.clientId must only be used with "
              "ext.certificate.issuer")},

      // Named temporary credentials.
      {"named_temporary_credentials",
       [] {
         return SignedTemp({.id = "my-temp-cred",
                            .access_token = "root-secret",
                            .scopes = {"tmpscope"},
                            .credential_name = "my-temp-cred",
                            .issuer = "root"});
       },
       Success(anon_temp, "my-temp-cred")},
      {"named_temporary_credentials_with_authorized_scopes",
       [] {
         return SignedTemp({.id = "my-temp-cred",
                            .access_token = "root-secret",
                            .scopes = {"scopes:*"},
                            .credential_name = "my-temp-cred",
                            .issuer = "root"},
                           {{"authorizedScopes", {"scopes:1", "scopes:2"}}});
       },
       Success({"anonscope", "assume:anonymous", "scopes:1", "scopes:2"}, "my-temp-cred")},
      {"named_temporary_credentials_issuer_equals_client_id",
       [] {
         return SignedTemp({.id = "root",
                            .access_token = "root-secret",
                            .scopes = {"tmpscope"},
                            .credential_name = "root",
                            .issuer = "root"});
       },
       Failed("ext.certificate.issuer must differ from the supplied clientId")},
      {"named_temporary_credentials_client_id_differs_from_name",
       [] {
         return SignedTemp({.id = "some-temp-cred",
                            .access_token = "root-secret",
                            .scopes = {"tmpscope"},
                            .credential_name = "my-temp-cred",
                            .issuer = "root"});
       },
       Failed("ext.certificate.signature is not valid, or wrong clientId "
              "provided")},
      {"named_temporary_credentials_without_name_in_signature",
       [] {
         return SignedTemp({.id = "my-temp-cred",
                            .access_token = "root-secret",
                            .scopes = {"tmpscope"},
                            .credential_name = "my-temp-cred",
                            .issuer = "root",
                            .omit_client_id_from_sig = true});
       },
       Failed("ext.certificate.signature is not valid, or wrong clientId "
              "provided")},
      {"named_temporary_credentials_without_issuer_in_signature",
       [] {
         return SignedTemp({.id = "my-temp-cred",
                            .access_token = "root-secret",
                            .scopes = {"tmpscope"},
                            .credential_name = "my-temp-cred",
                            .issuer = "root",
                            .omit_issuer_from_sig = true});
       },
       Failed("ext.certificate.signature is not valid, or wrong clientId "
              "provided")},
      {"named_signature_used_without_issuer_in_certificate",
       [] {
         // Without `issuer` the Hawk id is the issuer: a client that does not
         // exist.
         return SignedTemp({.id = "my-temp-cred",
                            .access_token = "root-secret",
                            .scopes = {"tmpscope"},
                            .credential_name = "my-temp-cred",
                            .issuer = "root",
                            .omit_issuer_from_cert = true});
       },
       Failed("Client with clientId 'my-temp-cred' not found")},
      {"named_temporary_credentials_issuer_cannot_create_name",
       [] {
         // Upstream's vector has no scopes, so its signature is invalid (the
         // zero-scope quirk above) and only its check order reports the scope;
         // here the signature is valid, so the scope failure is what remains.
         return SignedTemp({.id = "cant-create-this",
                            .access_token = "unpriv-secret",
                            .scopes = {"scope2"},
                            .credential_name = "cant-create-this",
                            .issuer = "unpriv"});
       },
       Failed("ext.certificate issuer `unpriv` doesn't have "
              "`auth:create-client:cant-create-this` for supplied clientId.")},
      {"named_temporary_credentials_issuer_with_create_client_star",
       [] {
         return SignedTemp({.id = "creator/job-1",
                            .access_token = "creator-secret",
                            .scopes = {"scope1:x"},
                            .credential_name = "creator/job-1",
                            .issuer = "creator"});
       },
       Success({"anonscope", "assume:anonymous", "scope1:x"}, "creator/job-1")},
      {"named_temporary_credentials_disabled_issuer",
       [] {
         return SignedTemp({.id = "my-temp-cred",
                            .access_token = "disabled-secret",
                            .credential_name = "my-temp-cred",
                            .issuer = "disabled"});
       },
       Failed("Client with clientId 'disabled' is disabled")},
      {"named_temporary_credentials_expired_issuer",
       [] {
         return SignedTemp({.id = "my-temp-cred",
                            .access_token = "expired-secret",
                            .credential_name = "my-temp-cred",
                            .issuer = "expired"});
       },
       Failed("Client with clientId: 'expired' has expired")},
      {"issuer_not_a_string",
       [] {
         return Signed({.id = "root", .ext = {{"certificate", {{"issuer", 5}}}}});
       },
       Failed("ext.certificate.issuer must be a string")},
      {"empty_issuer_means_unnamed",
       [] {
         TempCredentials temp = MakeTemp({.id = "root", .scopes = {"tmpscope"}});
         temp.certificate["issuer"] = "";
         return Signed({.id = "root", .key = temp.key, .ext = {{"certificate", temp.certificate}}});
       },
       Success(anon_temp)},

      // Timestamps (hawk: |ts - now| <= skew, checked after the MAC).
      {"timestamp_at_the_edge_of_the_skew",
       [] { return Signed({.id = "root", .ts_offset = absl::Minutes(-15)}); }, Success({"*"})},
      {"stale_timestamp_in_the_past",
       [] { return Signed({.id = "root", .ts_offset = absl::Minutes(-15) - absl::Seconds(1)}); },
       Failed("Unauthorized: Stale timestamp")},
      {"stale_timestamp_in_the_future",
       [] { return Signed({.id = "root", .ts_offset = absl::Minutes(15) + absl::Seconds(1)}); },
       Failed("Unauthorized: Stale timestamp")},
      {"bad_mac_is_reported_before_stale_timestamp",
       [] { return Signed({.id = "root", .key = "nope", .ts_offset = absl::Hours(-5)}); },
       Failed("Unauthorized: Bad mac")},

      // Nothing about a client's scopes is revealed before its key is proven.
      {"bad_mac_hides_authorized_scopes_failure",
       [] {
         return Signed(
             {.id = "unpriv", .key = "guess", .ext = {{"authorizedScopes", {"not-held"}}}});
       },
       Failed("Unauthorized: Bad mac")},
      {"forged_certificate_cannot_probe_issuer_scopes",
       [] {
         return SignedTemp({.id = "probe",
                            .access_token = "guess",
                            .scopes = {"secret:scope"},
                            .credential_name = "probe",
                            .issuer = "unpriv"});
       },
       Failed("ext.certificate.signature is not valid, or wrong clientId "
              "provided")},
      {"bad_mac_hides_certificate_scope_failure",
       [] {
         TempCredentials temp = MakeTemp({.id = "unpriv", .scopes = {"godlike"}});
         return Signed(
             {.id = "unpriv", .key = "wrong-temp-key", .ext = {{"certificate", temp.certificate}}});
       },
       Failed("Unauthorized: Bad mac")},
  };
}

class PipelineVectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(PipelineVectorTest, MatchesExpected) {
  const Vector& v = GetParam();
  auto fixture = AuthenticatorFixture::Create(Clients(), Roles(), kNow);
  const Request request = v.request();
  absl::StatusOr<AuthResult> result = fixture->authenticator->Authenticate(request);
  ASSERT_TRUE(result.ok()) << result.status();
  const Expected& e = v.expected;
  EXPECT_EQ(result->outcome, e.outcome) << result->message;
  EXPECT_EQ(result->message, e.message);
  if (e.outcome == AuthResult::Outcome::kSuccess) {
    EXPECT_EQ(result->client_id, e.client_id);
    EXPECT_EQ(result->scopes, e.scopes);
    EXPECT_EQ(result->expires, e.expires);
    EXPECT_EQ(result->hash, e.hash);
    // Every successful caller holds the anonymous role's scopes.
    EXPECT_TRUE(scopes::SetSatisfies(result->scopes, "anonscope"));
  } else {
    EXPECT_EQ(result->failure_code, absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(result->status().code(), absl::StatusCode::kUnauthenticated);
  }
}

// The same vectors through AuthenticateGrpcAsync (the path AuthenticateRequest takes): the same
// answer, given once.
TEST_P(PipelineVectorTest, AsyncGivesTheSameAnswer) {
  const Vector& v = GetParam();
  const Request request = v.request();
  if (request.method != kGrpcMethod) GTEST_SKIP() << "not a gRPC call";
  auto sync_fixture = AuthenticatorFixture::Create(Clients(), Roles(), kNow);
  absl::StatusOr<AuthResult> want = sync_fixture->authenticator->Authenticate(request);
  auto fixture = AuthenticatorFixture::Create(Clients(), Roles(), kNow);
  int calls = 0;
  absl::StatusOr<AuthResult> got;
  fixture->authenticator->AuthenticateGrpcAsync(
      request.resource, absl::StrCat(request.host, ":", request.port), request.authorization,
      request.deadline, request.payload_hash, request.payload_hash_required,
      [&](absl::StatusOr<AuthResult> result) {
        ++calls;
        got = std::move(result);
      });
  ASSERT_EQ(calls, 1);  // the in-memory cache answers at once
  ASSERT_EQ(got.ok(), want.ok()) << got.status() << " / " << want.status();
  if (!want.ok()) return;
  EXPECT_EQ(got->outcome, want->outcome);
  EXPECT_EQ(got->message, want->message);
  EXPECT_EQ(got->client_id, want->client_id);
  EXPECT_EQ(got->scopes, want->scopes);
  EXPECT_EQ(got->expires, want->expires);
  EXPECT_EQ(got->hash, want->hash);
}

INSTANTIATE_TEST_SUITE_P(Taskcluster, PipelineVectorTest, ::testing::ValuesIn(Vectors()),
                         [](const ::testing::TestParamInfo<Vector>& info) {
                           return info.param.name;
                         });

class AuthenticatorTest : public ::testing::Test {
 protected:
  std::unique_ptr<AuthenticatorFixture> fixture_ =
      AuthenticatorFixture::Create(Clients(), Roles(), kNow);
  const Authenticator& authenticator() { return *fixture_->authenticator; }
};

TEST_F(AuthenticatorTest, NoHeaderIsAnonymous) {
  Request request = BaseRequest();
  absl::StatusOr<AuthResult> result = authenticator().Authenticate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, AuthResult::Outcome::kNoAuth);
  EXPECT_TRUE(result->ok());
  EXPECT_TRUE(result->status().ok());
  EXPECT_EQ(result->scopes, (std::vector<std::string>{"anonscope", "assume:anonymous"}));
  EXPECT_EQ(result->expires, kNow + absl::Minutes(15));
  EXPECT_EQ(result->client_id, "");
}

TEST_F(AuthenticatorTest, SuccessDetails) {
  TempCredentials temp = MakeTemp({.id = "my-temp-cred",
                                   .access_token = "root-secret",
                                   .scopes = {"scopes:*"},
                                   .credential_name = "my-temp-cred",
                                   .issuer = "root"});
  absl::StatusOr<AuthResult> result = authenticator().Authenticate(
      Signed({.id = "my-temp-cred",
              .key = temp.key,
              .ext = nlohmann::json{{"certificate", temp.certificate},
                                    {"authorizedScopes", {"scopes:1"}}}}));
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->outcome, AuthResult::Outcome::kSuccess) << result->message;
  EXPECT_EQ(result->client_id, "my-temp-cred");
  EXPECT_EQ(result->issuer, "root");
  EXPECT_TRUE(result->temporary);
  EXPECT_EQ(result->authorized_scopes, std::optional<std::vector<std::string>>({"scopes:1"}));

  absl::StatusOr<AuthResult> permanent = authenticator().Authenticate(Signed({.id = "unpriv"}));
  ASSERT_TRUE(permanent.ok());
  EXPECT_EQ(permanent->issuer, "unpriv");
  EXPECT_FALSE(permanent->temporary);
  EXPECT_FALSE(permanent->authorized_scopes.has_value());
}

TEST_F(AuthenticatorTest, MissingAttributes) {
  for (const char* header :
       {"Hawk ts=\"1\", nonce=\"n\", mac=\"m\"", "Hawk id=\"root\", nonce=\"n\", mac=\"m\"",
        "Hawk id=\"root\", ts=\"1\", mac=\"m\"", "Hawk id=\"root\", ts=\"1\", nonce=\"n\""}) {
    Request request = BaseRequest();
    request.authorization = header;
    absl::StatusOr<AuthResult> result = authenticator().Authenticate(request);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->outcome, AuthResult::Outcome::kFailed);
    EXPECT_EQ(result->message, "Bad Request: Missing attributes") << header;
  }
}

TEST_F(AuthenticatorTest, MalformedHeaderIsUnauthenticated) {
  Request request = BaseRequest();
  request.authorization = "Hawk id=\"root\" ts=\"1\"";
  absl::StatusOr<AuthResult> result = authenticator().Authenticate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->message, "Bad Request: Bad header format");
  EXPECT_EQ(result->status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, HeaderOverLimitIsInvalidArgument) {
  // Many authorizedScopes make a long header (Taskcluster issue #5660).
  std::vector<std::string> many;
  for (int i = 0; i < 300; ++i) many.push_back(absl::StrCat("scope1:", i));
  Request request = BaseRequest();
  const std::string ext = EncodeExt({{"authorizedScopes", many}});
  request.authorization = absl::StrCat("Hawk id=\"root\", ts=\"", absl::ToUnixSeconds(kNow),
                                       "\", nonce=\"n\", ext=\"", ext, "\", mac=\"whatever\"");
  ASSERT_GT(request.authorization.size(), kMaxHeaderLength);
  absl::StatusOr<AuthResult> result = authenticator().Authenticate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, AuthResult::Outcome::kFailed);
  EXPECT_EQ(result->message, "Bad Request: Header length too long");
  EXPECT_EQ(result->failure_code, absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result->status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AuthenticatorTest, EverySignedPartIsCovered) {
  const Request good = Signed({.id = "root",
                               .ext = nlohmann::json{{"authorizedScopes", {"scope1:*"}}},
                               .hash = "aGFzaA=="});
  ASSERT_EQ(authenticator().Authenticate(good)->outcome, AuthResult::Outcome::kSuccess);
  std::vector<std::pair<std::string, Request>> tampered;
  auto add = [&](std::string what, const std::function<void(Request&)>& change) {
    Request request = good;
    change(request);
    tampered.emplace_back(std::move(what), std::move(request));
  };
  add("method", [](Request& r) { r.method = "GET"; });
  add("resource", [](Request& r) { r.resource = "/bulwark.queue.v1.Queue/GetTask"; });
  add("host", [](Request& r) { r.host = "hooks.example.com"; });
  add("port", [](Request& r) { r.port = 444; });
  auto replace = [](Request& r, const std::string& from, const std::string& to) {
    const size_t at = r.authorization.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    r.authorization.replace(at, from.size(), to);
  };
  add("ts", [&](Request& r) {
    replace(r, absl::StrCat("ts=\"", absl::ToUnixSeconds(kNow)),
            absl::StrCat("ts=\"", absl::ToUnixSeconds(kNow) + 1));
  });
  add("nonce", [&](Request& r) { replace(r, "nonce=\"abc123", "nonce=\"abc124"); });
  add("hash", [&](Request& r) { replace(r, "hash=\"aGFzaA==", "hash=\"aGFzaB=="); });
  add("ext", [&](Request& r) {
    replace(r, absl::StrCat("ext=\"", EncodeExt({{"authorizedScopes", {"scope1:*"}}})),
            absl::StrCat("ext=\"", EncodeExt({{"authorizedScopes", {"scope1:x"}}})));
  });
  add("mac", [&](Request& r) {
    const size_t at = r.authorization.find("mac=\"") + 5;
    r.authorization[at] = r.authorization[at] == 'A' ? 'B' : 'A';
  });
  for (const auto& [what, request] : tampered) {
    absl::StatusOr<AuthResult> result = authenticator().Authenticate(request);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->message, "Unauthorized: Bad mac") << what;
  }
  // The host is compared lower-cased, as hawk does.
  Request upper = good;
  upper.host = "QUEUE.Example.com";
  upper.authorization = Signed({.id = "root", .nonce = "other"}).authorization;
  EXPECT_EQ(authenticator().Authenticate(upper)->outcome, AuthResult::Outcome::kSuccess);
}

TEST_F(AuthenticatorTest, ReplayIsRefusedWithinTheWindow) {
  const Request request = Signed({.id = "unpriv", .nonce = "once"});
  EXPECT_EQ(authenticator().Authenticate(request)->outcome, AuthResult::Outcome::kSuccess);
  absl::StatusOr<AuthResult> replay = authenticator().Authenticate(request);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->message, "Unauthorized: replayed request");
  EXPECT_EQ(replay->failure_code, absl::StatusCode::kUnauthenticated);
  // Still refused at the last second of the window...
  fixture_->clock.Advance(absl::Minutes(15));
  EXPECT_EQ(authenticator().Authenticate(request)->message, "Unauthorized: replayed request");
  // ...and after it the request is stale anyway.
  fixture_->clock.Advance(absl::Seconds(1));
  EXPECT_EQ(authenticator().Authenticate(request)->message, "Unauthorized: Stale timestamp");
  // A different nonce, ts or id is a different request.
  fixture_->clock.Set(kNow);
  EXPECT_TRUE(authenticator().Authenticate(Signed({.id = "unpriv", .nonce = "twice"}))->ok());
  EXPECT_TRUE(
      authenticator()
          .Authenticate(Signed({.id = "unpriv", .ts_offset = absl::Seconds(1), .nonce = "once"}))
          ->ok());
  EXPECT_TRUE(authenticator().Authenticate(Signed({.id = "root", .nonce = "once"}))->ok());
}

TEST_F(AuthenticatorTest, FailedRequestsAreNotRecorded) {
  // A request refused for its scopes leaves no nonce behind (nor does a forged
  // one).
  const Request refused = Signed({.id = "unpriv", .ext = {{"authorizedScopes", {"godlike"}}}});
  EXPECT_EQ(authenticator().Authenticate(refused)->outcome, AuthResult::Outcome::kFailed);
  EXPECT_NE(authenticator().Authenticate(refused)->message, "Unauthorized: replayed request");
  EXPECT_EQ(fixture_->nonces->size(), 0u);
}

TEST_F(AuthenticatorTest, ThePayloadHashMustMatchTheBodyReceived) {
  const std::string signed_body = GrpcPayloadHash("\n\003abc");
  // The same header arriving with another body (a captured header on a wider CreateClient).
  Request other = Signed({.id = "root", .nonce = "p1", .hash = signed_body});
  other.payload_hash = GrpcPayloadHash("\n\003abd");
  absl::StatusOr<AuthResult> result = authenticator().Authenticate(other);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, AuthResult::Outcome::kFailed);
  EXPECT_EQ(result->message,
            "Unauthorized: Bad payload hash (the request message is not the one signed)");
  EXPECT_EQ(result->failure_code, absl::StatusCode::kUnauthenticated);
  // The body it was signed over passes.
  Request same = Signed({.id = "root", .nonce = "p2", .hash = signed_body});
  EXPECT_EQ(authenticator().Authenticate(same)->outcome, AuthResult::Outcome::kSuccess);
  // A hash the server cannot check (no computed hash: a streaming method) fails.
  Request unchecked = Signed({.id = "root", .nonce = "p3", .hash = signed_body});
  unchecked.payload_hash.reset();
  EXPECT_EQ(authenticator().Authenticate(unchecked)->outcome, AuthResult::Outcome::kFailed);
}

TEST_F(AuthenticatorTest, AHeaderWithoutAHashOnlyWhereNotRequired) {
  Request read_only = Signed({.id = "root", .nonce = "q1"});
  read_only.payload_hash = GrpcPayloadHash("");
  EXPECT_EQ(authenticator().Authenticate(read_only)->outcome, AuthResult::Outcome::kSuccess);
  Request changes = Signed({.id = "root", .nonce = "q2"});
  changes.payload_hash = GrpcPayloadHash("");
  changes.payload_hash_required = true;
  absl::StatusOr<AuthResult> result = authenticator().Authenticate(changes);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, AuthResult::Outcome::kFailed);
  EXPECT_THAT(result->message, ::testing::HasSubstr("Missing payload hash"));
  // Through AuthenticateGrpc too.
  const Request signed_request = Signed({.id = "root", .nonce = "q3"});
  EXPECT_THAT(authenticator()
                  .AuthenticateGrpc(signed_request.resource, "queue.example.com:443",
                                    signed_request.authorization, absl::InfiniteFuture(),
                                    GrpcPayloadHash(""), /*payload_hash_required=*/true)
                  ->message,
              ::testing::HasSubstr("Missing payload hash"));
}

TEST_F(AuthenticatorTest, AFalsyNonArrayAuthorizedScopesIsRefused) {
  int n = 0;
  for (const nlohmann::json& value :
       {nlohmann::json(""), nlohmann::json(0), nlohmann::json(false), nlohmann::json(nullptr),
        nlohmann::json("scope1:*"), nlohmann::json::object()}) {
    absl::StatusOr<AuthResult> result =
        authenticator().Authenticate(Signed({.id = "root",
                                             .ext = nlohmann::json{{"authorizedScopes", value}},
                                             .nonce = absl::StrCat("f", n++)}));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->outcome, AuthResult::Outcome::kFailed) << value.dump();
    EXPECT_EQ(result->message, "ext.authorizedScopes must be an array") << value.dump();
  }
  // An empty array is a restriction to nothing (but the anonymous role).
  absl::StatusOr<AuthResult> empty = authenticator().Authenticate(
      Signed({.id = "root",
              .ext = nlohmann::json{{"authorizedScopes", nlohmann::json::array()}},
              .nonce = "f-empty"}));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->outcome, AuthResult::Outcome::kSuccess) << empty->message;
  EXPECT_FALSE(scopes::SetSatisfies(empty->scopes, "scope1:x"));
}

TEST(AuthenticatorOptionsTest, ConfigurableSkew) {
  Authenticator::Options options;
  options.clock_skew = absl::Seconds(60);
  auto fixture = AuthenticatorFixture::Create(Clients(), Roles(), kNow, options);
  EXPECT_TRUE(
      fixture->authenticator->Authenticate(Signed({.id = "root", .ts_offset = absl::Seconds(60)}))
          ->ok());
  EXPECT_EQ(
      fixture->authenticator->Authenticate(Signed({.id = "root", .ts_offset = absl::Seconds(61)}))
          ->message,
      "Unauthorized: Stale timestamp");
}

TEST_F(AuthenticatorTest, NonNumericTimestampIsStale) {
  // A correctly signed ts that is not a number (hawk would let NaN through).
  Request request = BaseRequest();
  MacFields fields;
  fields.ts = "17e8";
  fields.nonce = "n";
  fields.method = request.method;
  fields.resource = request.resource;
  fields.host = request.host;
  fields.port = request.port;
  request.authorization = absl::StrCat("Hawk id=\"root\", ts=\"17e8\", nonce=\"n\", mac=\"",
                                       CalculateMac("root-secret", fields), "\"");
  EXPECT_EQ(authenticator().Authenticate(request)->message, "Unauthorized: Stale timestamp");
}

// The sync path calls on_verified the same way: once the signature is verified, also for a
// request the replay check then refuses, never for a bad MAC.
TEST_F(AuthenticatorTest, OnVerifiedRunsBeforeTheReplayCheck) {
  const Request signed_request = Signed({.id = "root"});
  int verified = 0;
  const auto note = [&](const AuthResult& r) {
    EXPECT_EQ(r.client_id, "root");
    ++verified;
  };
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<AuthResult> result = authenticator().AuthenticateGrpc(
        signed_request.resource, "queue.example.com:443", signed_request.authorization,
        absl::InfiniteFuture(), std::nullopt, false, note);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->message, i == 0 ? "" : "Unauthorized: replayed request");
  }
  EXPECT_EQ(verified, 2);
  ASSERT_TRUE(authenticator()
                  .AuthenticateGrpc(signed_request.resource, "queue.example.com:443",
                                    Signed({.id = "root", .key = "wrong"}).authorization,
                                    absl::InfiniteFuture(), std::nullopt, false, note)
                  .ok());
  EXPECT_EQ(verified, 2);
}

TEST_F(AuthenticatorTest, AuthenticateGrpc) {
  const Request signed_request = Signed({.id = "root"});
  absl::StatusOr<AuthResult> result = authenticator().AuthenticateGrpc(
      signed_request.resource, "queue.example.com:443", signed_request.authorization);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->outcome, AuthResult::Outcome::kSuccess) << result->message;
  // The authority without a port means 443.
  EXPECT_EQ(authenticator()
                .AuthenticateGrpc(signed_request.resource, "queue.example.com",
                                  Signed({.id = "root", .nonce = "n2"}).authorization)
                ->outcome,
            AuthResult::Outcome::kSuccess);
  EXPECT_EQ(authenticator()
                .AuthenticateGrpc(signed_request.resource, "queue.example.com:50052",
                                  Signed({.id = "root", .nonce = "n3"}).authorization)
                ->message,
            "Unauthorized: Bad mac");
  absl::StatusOr<AuthResult> bad_authority = authenticator().AuthenticateGrpc(
      signed_request.resource, "queue.example.com:http", signed_request.authorization);
  ASSERT_TRUE(bad_authority.ok());
  EXPECT_EQ(bad_authority->message, "Bad Request: Invalid Host header");
  EXPECT_EQ(bad_authority->failure_code, absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(authenticator().AuthenticateGrpc("/x", "bad authority", "")->outcome,
            AuthResult::Outcome::kNoAuth);
}

// The authenticator merges a client's (expanded) scopes with the expansion of
// assume:anonymous instead of re-expanding both; that must equal the full
// expansion.
TEST(ExpansionShortcutTest, EqualsFullExpansionOnRandomClients) {
  const std::vector<scopes::Role> roles = {
      {"anonymous", {"anon:x", "assume:project:public", "assume:b*"}},
      {"project:*", {"secrets:<..>/*", "assume:repo:<..>"}},
      {"repo:*", {"index:<..>", "queue:route:<..>*"}},
      {"b*", {"bee:<..>"}},
      {"bc", {"assume:project:bc", "c*"}},
      {"static", {"s:1", "s:2"}},
  };
  const std::vector<std::string> pool = {"*",
                                         "assume:*",
                                         "assume:project:*",
                                         "assume:project:a",
                                         "assume:b",
                                         "assume:bc",
                                         "assume:static",
                                         "anon:x",
                                         "anon:*",
                                         "secrets:public/x",
                                         "queue:route:a",
                                         "c",
                                         "assume:repo:",
                                         "assume:b*",
                                         "index:*",
                                         "s:1"};
  auto fixture = AuthenticatorFixture::Create({}, roles, kNow);
  const scopes::Resolver& resolver = *fixture->resolver;
  const std::vector<std::string> anonymous =
      resolver.Expand(std::vector<std::string>{"assume:anonymous"});
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<std::string> client;
    const int n = static_cast<int>(next() % 5);
    for (int i = 0; i < n; ++i) client.push_back(pool[next() % pool.size()]);
    const std::vector<std::string> expanded = resolver.Expand(client);
    std::vector<std::string> with_anonymous = expanded;
    with_anonymous.push_back("assume:anonymous");
    EXPECT_EQ(scopes::MergeScopeSets(expanded, anonymous), resolver.Expand(with_anonymous))
        << testing::PrintToString(client);
  }
}

// Random edits of a valid header never crash the pipeline or turn into a
// dependency error, and a header that still authenticates carries exactly the
// attribute values that were signed.
TEST(AuthenticatorRobustnessTest, MutatedHeaders) {
  auto fixture = AuthenticatorFixture::Create(Clients(), Roles(), kNow, {},
                                              /*replay_protection=*/false);
  TempCredentials temp = MakeTemp({.id = "root", .scopes = {"tmpscope"}});
  const Request original = Signed({.id = "root",
                                   .key = temp.key,
                                   .ext = nlohmann::json{{"certificate", temp.certificate},
                                                         {"authorizedScopes", {"tmpscope"}}}});
  const HeaderAttributes signed_attributes =
      ParseAuthorizationHeader(original.authorization).value();
  const std::string alphabet = "Hawk idtsnoncemacext=\", \t\nAZaz09+/_-~";
  uint64_t state = 99;
  auto next = [&](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  int successes = 0;
  for (int trial = 0; trial < 5000; ++trial) {
    Request request = original;
    std::string& header = request.authorization;
    const int edits = 1 + static_cast<int>(next(3));
    for (int e = 0; e < edits && !header.empty(); ++e) {
      const size_t at = next(header.size());
      switch (next(3)) {
        case 0:
          header[at] = alphabet[next(alphabet.size())];
          break;
        case 1:
          header.erase(at, 1 + next(4));
          break;
        default:
          header.insert(at, 1, alphabet[next(alphabet.size())]);
      }
    }
    absl::StatusOr<AuthResult> result = fixture->authenticator->Authenticate(request);
    ASSERT_TRUE(result.ok()) << header << ": " << result.status();
    if (result->outcome != AuthResult::Outcome::kSuccess) continue;
    ++successes;
    const HeaderAttributes attributes = ParseAuthorizationHeader(header).value();
    EXPECT_EQ(attributes.id, signed_attributes.id) << header;
    EXPECT_EQ(attributes.ts, signed_attributes.ts) << header;
    EXPECT_EQ(attributes.nonce, signed_attributes.nonce) << header;
    EXPECT_EQ(attributes.ext, signed_attributes.ext) << header;
    EXPECT_EQ(attributes.mac, signed_attributes.mac) << header;
  }
  // Some edits are harmless (whitespace, the scheme's case), most are not.
  EXPECT_LT(successes, 5000);
}

class FailingLoader final : public ClientLoader {
 public:
  explicit FailingLoader(absl::Status status) : status_(std::move(status)) {}
  absl::StatusOr<std::shared_ptr<const ClientRecord>> Load(absl::string_view,
                                                           absl::Time deadline) const override {
    last_deadline = deadline;
    return status_;
  }
  mutable absl::Time last_deadline = absl::InfinitePast();

 private:
  absl::Status status_;
};

class FailingNonceCache final : public NonceCache {
 public:
  explicit FailingNonceCache(absl::Status status = absl::UnavailableError("nonce store down"))
      : status_(std::move(status)) {}
  absl::Status Record(absl::string_view, absl::string_view, absl::string_view, absl::Time,
                      absl::Time, absl::Time deadline) override {
    last_deadline = deadline;
    return status_;
  }
  absl::Time last_deadline = absl::InfinitePast();

 private:
  absl::Status status_;
};

std::unique_ptr<Authenticator> Make(const ClientLoader* loader, const Clock* clock,
                                    NonceCache* nonces = nullptr) {
  Authenticator::Dependencies dependencies;
  dependencies.clients = loader;
  dependencies.expand = [](absl::Span<const std::string> s) {
    return std::vector<std::string>(s.begin(), s.end());
  };
  dependencies.clock = clock;
  dependencies.nonces = nonces;
  return Authenticator::Create({}, std::move(dependencies)).value();
}

TEST(AuthenticatorDependencyTest, TheCallsDeadlineBoundsTheClientLookup) {
  SimulatedClock clock(kNow);
  FailingLoader slow(absl::DeadlineExceededError("client lookup"));
  Request request = Signed({.id = "root"});
  request.deadline = absl::FromUnixSeconds(1800000000);
  absl::StatusOr<AuthResult> result = Make(&slow, &clock)->Authenticate(request);
  EXPECT_EQ(slow.last_deadline, request.deadline);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(AuthenticatorDependencyTest, LoaderFailureIsNotAnAuthenticationOutcome) {
  SimulatedClock clock(kNow);
  FailingLoader unavailable(absl::UnavailableError("database down"));
  absl::StatusOr<AuthResult> result =
      Make(&unavailable, &clock)->Authenticate(Signed({.id = "root"}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);

  FailingLoader confusing(absl::UnauthenticatedError("database password"));
  result = Make(&confusing, &clock)->Authenticate(Signed({.id = "root"}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);

  FailingLoader not_found(absl::NotFoundError("nope"));
  result = Make(&not_found, &clock)->Authenticate(Signed({.id = "root"}));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->message, "Client with clientId 'root' not found");
}

TEST(AuthenticatorDependencyTest, NonceCacheFailurePropagates) {
  SimulatedClock clock(kNow);
  StaticClientLoader loader({{"root", {"root-secret", {"*"}, kTwoHours, false}}});
  FailingNonceCache nonces;
  EXPECT_EQ(Make(&loader, &clock, &nonces)->Authenticate(Signed({.id = "root"})).status().code(),
            absl::StatusCode::kUnavailable);
  // Without a nonce cache there is no replay check.
  auto without = Make(&loader, &clock);
  const Request request = Signed({.id = "root"});
  EXPECT_TRUE(without->Authenticate(request)->ok());
  EXPECT_TRUE(without->Authenticate(request)->ok());
}

// A nonce cache that answers RecordAsync only when told to (as a shared store answers from its
// writer thread).
class DeferredNonceCache final : public NonceCache {
 public:
  absl::Status Record(absl::string_view, absl::string_view, absl::string_view, absl::Time,
                      absl::Time, absl::Time) override {
    return absl::InternalError("the async path must not call Record");
  }
  void RecordAsync(absl::string_view id, absl::string_view, absl::string_view nonce, absl::Time,
                   absl::Time, absl::Time deadline, RecordDone done) override {
    asked.push_back(absl::StrCat(id, "/", nonce));
    last_deadline = deadline;
    waiting = std::move(done);
  }
  void Answer(absl::Status status) { std::move(waiting)(std::move(status)); }
  std::vector<std::string> asked;
  absl::Time last_deadline = absl::InfinitePast();
  RecordDone waiting;
};

TEST(AuthenticatorAsyncTest, TheAnswerWaitsForTheReplayStoreAndFollowsIt) {
  SimulatedClock clock(kNow);
  StaticClientLoader loader({{"root", {"root-secret", {"*"}, kTwoHours, false}}});
  DeferredNonceCache nonces;
  auto authenticator = Make(&loader, &clock, &nonces);
  const absl::Time deadline = absl::FromUnixSeconds(1800000000);
  struct Case {
    absl::Status store;
    absl::StatusCode code;  // of the answer's status
    AuthResult::Outcome outcome;
    std::string message;
  };
  const std::vector<Case> cases = {
      {absl::OkStatus(), absl::StatusCode::kOk, AuthResult::Outcome::kSuccess, ""},
      {absl::AlreadyExistsError(kNonceAlreadyUsed), absl::StatusCode::kOk,
       AuthResult::Outcome::kFailed, "Unauthorized: replayed request"},
      {absl::AlreadyExistsError("signed before the nonces were lost"), absl::StatusCode::kOk,
       AuthResult::Outcome::kFailed,
       "Unauthorized: replayed request (signed before the nonces were lost)"},
      {absl::UnavailableError("replay protection unavailable"), absl::StatusCode::kUnavailable,
       AuthResult::Outcome::kFailed, ""},
      {absl::DeadlineExceededError("replay protection: deadline"),
       absl::StatusCode::kDeadlineExceeded, AuthResult::Outcome::kFailed, ""},
  };
  int verified_calls = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string nonce = absl::StrCat("n", i);
    const Request request = Signed({.id = "root", .nonce = nonce});
    int calls = 0;
    absl::StatusOr<AuthResult> got;
    authenticator->AuthenticateGrpcAsync(
        request.resource, "queue.example.com:443", request.authorization, deadline, std::nullopt,
        false,
        [&](absl::StatusOr<AuthResult> result) {
          ++calls;
          got = std::move(result);
        },
        [&](const AuthResult& verified) {
          EXPECT_EQ(verified.client_id, "root");
          ++verified_calls;
        });
    EXPECT_EQ(calls, 0) << i << ": answered before the replay store";
    // The signature was verified (on this thread) before the store was asked.
    EXPECT_EQ(verified_calls, static_cast<int>(i) + 1);
    ASSERT_EQ(nonces.asked.size(), i + 1);
    EXPECT_EQ(nonces.asked.back(), "root/" + nonce);
    EXPECT_EQ(nonces.last_deadline, deadline);
    nonces.Answer(c.store);
    ASSERT_EQ(calls, 1) << i;
    EXPECT_EQ(got.status().code(), c.code) << i << ": " << got.status();
    if (!got.ok()) continue;
    EXPECT_EQ(got->outcome, c.outcome) << i;
    EXPECT_EQ(got->message, c.message) << i;
    if (c.outcome == AuthResult::Outcome::kSuccess) {
      EXPECT_EQ(got->client_id, "root");
    }
  }
  // A request that fails before the replay check never reaches the store.
  int calls = 0;
  authenticator->AuthenticateGrpcAsync(
      "/x", "queue.example.com:443", Signed({.id = "root", .key = "wrong"}).authorization, deadline,
      std::nullopt, false,
      [&](absl::StatusOr<AuthResult> result) {
        ++calls;
        ASSERT_TRUE(result.ok());
        EXPECT_EQ(result->message, "Unauthorized: Bad mac");
      },
      [&](const AuthResult&) { ++verified_calls; });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(nonces.asked.size(), cases.size());
  EXPECT_EQ(verified_calls, static_cast<int>(cases.size())) << "a bad MAC is not verified";
}

// Issue 13 item 6: a shared replay store waits no longer than the call's deadline, and a
// reason it gives for refusing (its nonces were lost) reaches the caller after the usual message.
TEST(AuthenticatorDependencyTest, TheCallsDeadlineBoundsTheNonceStoreAndItsReasonIsShown) {
  SimulatedClock clock(kNow);
  StaticClientLoader loader({{"root", {"root-secret", {"*"}, kTwoHours, false}}});
  FailingNonceCache slow(absl::DeadlineExceededError("replay protection: deadline"));
  Request request = Signed({.id = "root"});
  request.deadline = absl::FromUnixSeconds(1800000000);
  EXPECT_EQ(Make(&loader, &clock, &slow)->Authenticate(request).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(slow.last_deadline, request.deadline);

  FailingNonceCache reset(absl::AlreadyExistsError("signed before the nonces were lost"));
  absl::StatusOr<AuthResult> result = Make(&loader, &clock, &reset)->Authenticate(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->message, "Unauthorized: replayed request (signed before the nonces were lost)");
  FailingNonceCache seen(absl::AlreadyExistsError(kNonceAlreadyUsed));
  EXPECT_EQ(Make(&loader, &clock, &seen)->Authenticate(request)->message,
            "Unauthorized: replayed request");
}

// Issue 14 item 7: a replay cache full of live nonces refuses the request (RESOURCE_EXHAUSTED,
// a dependency error, not an authentication outcome), and the nonces it holds stay refused.
TEST(AuthenticatorDependencyTest, AFullReplayCacheRefusesRatherThanForgets) {
  SimulatedClock clock(kNow);
  StaticClientLoader loader({{"root", {"root-secret", {"*"}, kTwoHours, false}}});
  InMemoryNonceCache::Options options;
  options.max_entries = 2;
  options.shards = 1;
  auto nonces = InMemoryNonceCache::Create(options).value();
  auto authenticator = Make(&loader, &clock, nonces.get());
  const Request first = Signed({.id = "root", .nonce = "a"});
  ASSERT_TRUE(authenticator->Authenticate(first)->ok());
  ASSERT_TRUE(authenticator->Authenticate(Signed({.id = "root", .nonce = "b"}))->ok());
  EXPECT_EQ(authenticator->Authenticate(Signed({.id = "root", .nonce = "c"})).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(authenticator->Authenticate(first)->message, "Unauthorized: replayed request");
}

TEST(AuthenticatorCreateTest, RefusesMissingDependencies) {
  SimulatedClock clock;
  StaticClientLoader loader({});
  Authenticator::Dependencies dependencies;
  dependencies.clients = &loader;
  dependencies.clock = &clock;
  EXPECT_EQ(Authenticator::Create({}, dependencies).status().code(),
            absl::StatusCode::kInvalidArgument);  // no expander
  dependencies.expand = [](absl::Span<const std::string> s) {
    return std::vector<std::string>(s.begin(), s.end());
  };
  EXPECT_TRUE(Authenticator::Create({}, dependencies).ok());
  Authenticator::Options zero_skew;
  zero_skew.clock_skew = absl::ZeroDuration();
  EXPECT_EQ(Authenticator::Create(zero_skew, dependencies).status().code(),
            absl::StatusCode::kInvalidArgument);
  dependencies.clock = nullptr;
  EXPECT_EQ(Authenticator::Create({}, dependencies).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::hawk
