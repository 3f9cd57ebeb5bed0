#include "libraries/hawk/certificate.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libraries/hawk/digest.h"

namespace bulwark::hawk {
namespace {

const absl::Time kNow = absl::FromUnixMillis(1700000000000);
const std::string kSeed = std::string(22, 'A') + std::string(22, 'B');

Credentials Root() {
  Credentials root;
  root.client_id = "root";
  root.access_token = "root-secret";
  return root;
}

// Known answers computed in Node with taskcluster-client's signing code.
TEST(CertificateSignatureTest, KnownAnswers) {
  const std::vector<std::string> scopes = {"a", "b:*"};
  EXPECT_EQ(Base64(HmacSha256("root-secret",
                              CertificateSignatureText("my-temp", "root", kSeed, "1700000000000",
                                                       "1700003600000", scopes))),
            "MThMeuq/03c1OiPn8mcMOfwenqgWOHrPhLnGSzh01xQ=");
  EXPECT_EQ(
      Base64(HmacSha256("root-secret", CertificateSignatureText("root", "", kSeed, "1700000000000",
                                                                "1700003600000", scopes))),
      "BYQSjl8W8bMDUiMBQhohudhedJZZHfMHi0JnrlFZ75Q=");
  EXPECT_EQ(TemporaryAccessToken("root-secret", kSeed),
            "FIwFtesMaHmfrYkcEFWDTXj2X0eAJfjdTaK7DscTVIQ");
}

TEST(CertificateSignatureTest, ExactText) {
  EXPECT_EQ(CertificateSignatureText("n", "i", "S", "1", "2", {"x", "y"}),
            "version:1\nclientId:n\nissuer:i\nseed:S\nstart:1\nexpiry:2\n"
            "scopes:\nx\ny");
  // The server's text for zero scopes ends in "scopes:" (taskcluster-client
  // hashes "scopes:\n", so its zero-scope certificates are refused everywhere).
  EXPECT_EQ(CertificateSignatureText("n", "", "S", "1", "2", {}),
            "version:1\nseed:S\nstart:1\nexpiry:2\nscopes:");
}

TEST(CreateTemporaryCredentialsTest, Unnamed) {
  SeededRandom random(7);
  TemporaryCredentialsOptions options;
  options.start = kNow;
  options.expiry = kNow + absl::Hours(1);
  options.scopes = {"queue:*", "assume:x"};
  absl::StatusOr<Credentials> temp = CreateTemporaryCredentials(Root(), options, random);
  ASSERT_TRUE(temp.ok()) << temp.status();
  EXPECT_EQ(temp->client_id, "root");
  nlohmann::json cert = nlohmann::json::parse(temp->certificate);
  // Field order as taskcluster-client's JSON.stringify writes it.
  EXPECT_EQ(temp->certificate.rfind(R"({"version":1,"scopes":["queue:*","assume:x"],)"
                                    R"("start":1700000000000,"expiry":1700003600000,"seed":")",
                                    0),
            0u)
      << temp->certificate;
  EXPECT_EQ(cert["start"], 1700000000000);
  EXPECT_EQ(cert["expiry"], 1700003600000);
  EXPECT_FALSE(cert.contains("issuer"));
  const std::string seed = cert["seed"];
  EXPECT_EQ(seed.size(), 44u);
  EXPECT_EQ(temp->access_token, TemporaryAccessToken("root-secret", seed));
  EXPECT_EQ(temp->access_token.size(), 43u);
  EXPECT_EQ(
      cert["signature"],
      Base64(HmacSha256("root-secret", CertificateSignatureText("root", "", seed, "1700000000000",
                                                                "1700003600000", options.scopes))));

  absl::StatusOr<CheckedCertificate> checked =
      CheckCertificate(cert, "root", "root", "root-secret", kNow);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->access_token, temp->access_token);
  EXPECT_EQ(checked->expiry, kNow + absl::Hours(1));
  EXPECT_EQ(checked->scopes, options.scopes);
}

TEST(CreateTemporaryCredentialsTest, NamedAndEmptyScopes) {
  SeededRandom random(8);
  TemporaryCredentialsOptions options;
  options.start = kNow;
  options.expiry = kNow + kMaxCertificateSpan;  // exactly 31 days is allowed
  options.name = "root/temp";
  absl::StatusOr<Credentials> temp = CreateTemporaryCredentials(Root(), options, random);
  ASSERT_TRUE(temp.ok()) << temp.status();
  EXPECT_EQ(temp->client_id, "root/temp");
  nlohmann::json cert = nlohmann::json::parse(temp->certificate);
  EXPECT_EQ(cert["issuer"], "root");
  absl::StatusOr<CheckedCertificate> checked =
      CheckCertificate(cert, "root/temp", "root", "root-secret", kNow);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_TRUE(checked->scopes.empty());
  // Under another name, the signature does not match.
  EXPECT_EQ(CheckCertificate(cert, "root/other", "root", "root-secret", kNow).status().message(),
            "ext.certificate.signature is not valid, or wrong clientId "
            "provided");
}

TEST(CreateTemporaryCredentialsTest, Refusals) {
  SeededRandom random(9);
  TemporaryCredentialsOptions ok;
  ok.start = kNow;
  ok.expiry = kNow + absl::Hours(1);
  ASSERT_TRUE(CreateTemporaryCredentials(Root(), ok, random).ok());

  Credentials temporary_issuer = Root();
  temporary_issuer.certificate = "{}";
  TemporaryCredentialsOptions too_long = ok;
  too_long.expiry = kNow + kMaxCertificateSpan + absl::Milliseconds(1);
  TemporaryCredentialsOptions backwards = ok;
  backwards.expiry = kNow - absl::Seconds(1);
  TemporaryCredentialsOptions same_name = ok;
  same_name.name = "root";
  TemporaryCredentialsOptions bad_scope = ok;
  bad_scope.scopes = {"tab\there"};
  Credentials no_token = Root();
  no_token.access_token.clear();

  EXPECT_EQ(CreateTemporaryCredentials(temporary_issuer, ok, random).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateTemporaryCredentials(no_token, ok, random).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (const auto* options : {&too_long, &backwards, &same_name, &bad_scope}) {
    EXPECT_EQ(CreateTemporaryCredentials(Root(), *options, random).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(CreateTemporaryCredentials(Root(), same_name, random).status().message(),
            "Credential issuer must be different from the name");
}

// A certificate signed by root-secret for unnamed use by "root".
nlohmann::json SignedCertificate(double start, double expiry, std::vector<std::string> scopes,
                                 const std::string& start_text, const std::string& expiry_text) {
  nlohmann::json cert = {
      {"version", 1}, {"scopes", scopes}, {"start", start}, {"expiry", expiry}, {"seed", kSeed}};
  cert["signature"] = Base64(HmacSha256(
      "root-secret", CertificateSignatureText("root", "", kSeed, start_text, expiry_text, scopes)));
  return cert;
}

std::string CheckMessage(const nlohmann::json& cert) {
  absl::StatusOr<CheckedCertificate> checked =
      CheckCertificate(cert, "root", "root", "root-secret", kNow);
  if (checked.ok()) return "";
  EXPECT_EQ(checked.status().code(), absl::StatusCode::kUnauthenticated);
  return std::string(checked.status().message());
}

TEST(CheckCertificateTest, EveryRuleInOrder) {
  const double start = 1700000000000 - 60000;
  const double expiry = 1700000000000 + 60000;
  const nlohmann::json good =
      SignedCertificate(start, expiry, {"s"}, "1699999940000", "1700000060000");
  ASSERT_EQ(CheckMessage(good), "");

  auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json cert = good;
    cert[key] = std::move(value);
    return cert;
  };
  auto without = [&](const char* key) {
    nlohmann::json cert = good;
    cert.erase(key);
    return cert;
  };
  const struct {
    nlohmann::json cert;
    const char* message;
  } kCases[] = {
      {true, "ext.certificate must be a JSON object"},
      {"text", "ext.certificate must be a JSON object"},
      {42, "ext.certificate must be a JSON object"},
      {nlohmann::json::array({1}), "ext.certificate.version must be 1"},
      {with("version", 999), "ext.certificate.version must be 1"},
      {with("version", "1"), "ext.certificate.version must be 1"},
      {without("version"), "ext.certificate.version must be 1"},
      {with("seed", 123), "ext.certificate.seed must be a string"},
      {with("seed", std::string(22, 'A')), "ext.certificate.seed must be 44 characters"},
      {with("seed", std::string(45, 'A')), "ext.certificate.seed must be 44 characters"},
      {with("start", "2016-07-27T14:32:15.407820Z"), "ext.certificate.start must be a number"},
      {with("expiry", "2016-07-27T14:32:15.407820Z"), "ext.certificate.expiry must be a number"},
      {with("scopes", "all of them"), "ext.certificate.scopes must be an array"},
      {with("scopes", nlohmann::json::array({1, 2})),
       "ext.certificate.scopes must be an array of valid scopes"},
      {with("scopes", nlohmann::json::array({"one\ntwo"})),
       "ext.certificate.scopes must be an array of valid scopes"},
      {with("start", 1700000000000 + int64_t{5} * 60000 + 1), "ext.certificate.start > now"},
      {with("expiry", 1700000000000 - int64_t{5} * 60000 - 1), "ext.certificate.expiry < now"},
      {with("start", 1700000060000.0 - 31 * 86400000.0 - 1),
       "ext.certificate cannot last longer than 31 days!"},
      {with("clientId", "root"),
       "ext.certificate.clientId must only be used with "
       "ext.certificate.issuer"},
      {with("signature", "AAAA"), "ext.certificate.signature is not valid"},
      {with("signature", 5), "ext.certificate.signature is not valid"},
      {without("signature"), "ext.certificate.signature is not valid"},
      {with("scopes", nlohmann::json::array({"other"})), "ext.certificate.signature is not valid"},
      {with("start", start + 1), "ext.certificate.signature is not valid"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(CheckMessage(c.cert), c.message) << c.cert.dump();
  }
}

TEST(CheckCertificateTest, SlackBoundariesAreInclusive) {
  const double now = 1700000000000;
  EXPECT_EQ(CheckMessage(SignedCertificate(now + 300000, now + 600000, {}, "1700000300000",
                                           "1700000600000")),
            "");
  EXPECT_EQ(CheckMessage(SignedCertificate(now - 600000, now - 300000, {}, "1699999400000",
                                           "1699999700000")),
            "");
}

TEST(CheckCertificateTest, NumbersAreSignedAsJavaScriptPrintsThem) {
  // 1.7e12 written as a float and a fractional start both sign as
  // String(number) does.
  const nlohmann::json cert =
      SignedCertificate(1699999999999.5, 1.70000006e12, {"s"}, "1699999999999.5", "1700000060000");
  EXPECT_EQ(CheckMessage(cert), "");
}

TEST(CheckCertificateTest, Utf16LengthOfSeed) {
  // 43 UTF-16 units + one astral character (2 units, 4 UTF-8 bytes) = 45 units.
  nlohmann::json cert =
      SignedCertificate(1700000000000, 1700000000000, {}, "1700000000000", "1700000000000");
  cert["seed"] = std::string(43, 'A') + "\xf0\x9f\x98\x80";
  EXPECT_EQ(CheckMessage(cert), "ext.certificate.seed must be 44 characters");
  cert["seed"] = std::string(42, 'A') + "\xf0\x9f\x98\x80";  // 44 units
  EXPECT_EQ(CheckMessage(cert), "ext.certificate.signature is not valid");
}

TEST(CheckCertificateScopesTest, CreateClientAndSubsetRules) {
  CheckedCertificate cert;
  cert.scopes = {"a:1", "b"};
  EXPECT_TRUE(CheckCertificateScopes(cert, "root", "root", {"a:*", "b"}).ok());
  absl::Status missing = CheckCertificateScopes(cert, "root", "root", {"a:*"});
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(missing.message(),
            "ext.certificate issuer `root` doesn't satisfy all certificate "
            "scopes a:1, b.  The temporary credentials were not generated "
            "correctly.");
  EXPECT_EQ(CheckCertificateScopes(cert, "temp", "root", {"a:*", "b"}).message(),
            "ext.certificate issuer `root` doesn't have `auth:create-client:temp` "
            "for supplied clientId.");
  EXPECT_TRUE(
      CheckCertificateScopes(cert, "temp", "root", {"a:*", "auth:create-client:te*", "b"}).ok());
  // Not even `*` may name temporary credentials after a static client.
  absl::Status impersonation = CheckCertificateScopes(cert, "static/bulwark/hooks", "root", {"*"});
  EXPECT_EQ(impersonation.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(impersonation.message().find("static/"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::hawk
