#include "libraries/hawk/ext.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace bulwark::hawk {
namespace {

TEST(DecodeExtTest, StandardAndUrlSafeBase64WithOrWithoutPadding) {
  // {"a":"~~~"} encodes with '+' and '/'... pick text whose base64 uses them.
  const std::string json = R"({"authorizedScopes":["a>?"],"k":"~~~???"})";
  const std::string standard = absl::Base64Escape(json);
  const std::string url_safe = absl::WebSafeBase64Escape(json);
  ASSERT_NE(standard.find_first_of("+/"), std::string::npos);
  for (const std::string& ext : {standard, url_safe, standard.substr(0, standard.find('='))}) {
    absl::StatusOr<nlohmann::json> decoded = DecodeExt(ext);
    ASSERT_TRUE(decoded.ok()) << ext << ": " << decoded.status();
    EXPECT_EQ((*decoded)["authorizedScopes"][0], "a>?");
  }
}

TEST(DecodeExtTest, FailsLikeTaskcluster) {
  for (const std::string& ext : {
           std::string("abcd"),                      // not JSON
           absl::Base64Escape("5"),                  // not an object
           absl::Base64Escape("null"),               //
           absl::Base64Escape("[1]"),                //
           absl::Base64Escape("{\"a\": \"\xff\"}"),  // invalid UTF-8
           absl::Base64Escape("{\"a\": 1"),          // truncated
           std::string("e30=!"),                     // not base64
           std::string("ab+-"),                      // mixed alphabets
       }) {
    absl::StatusOr<nlohmann::json> decoded = DecodeExt(ext);
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kUnauthenticated) << ext;
    EXPECT_EQ(decoded.status().message(), "Failed to parse ext") << ext;
  }
  EXPECT_TRUE(DecodeExt(absl::Base64Escape("{}")).ok());
}

TEST(BuildExtTest, NothingToSend) {
  EXPECT_EQ(*BuildExt(Credentials{"id", "token", "", std::nullopt}), "");
}

TEST(BuildExtTest, CertificateAsObjectAndAuthorizedScopes) {
  Credentials credentials;
  credentials.certificate = R"({"version":1,"seed":"s"})";
  credentials.authorized_scopes = std::vector<std::string>{"a:*", "b"};
  absl::StatusOr<std::string> ext = BuildExt(credentials);
  ASSERT_TRUE(ext.ok()) << ext.status();
  absl::StatusOr<nlohmann::json> decoded = DecodeExt(*ext);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, nlohmann::json::parse(
                          R"({"certificate":{"version":1,"seed":"s"},
                              "authorizedScopes":["a:*","b"]})"));
}

TEST(BuildExtTest, EmptyAuthorizedScopesAreSent) {
  Credentials credentials;
  credentials.authorized_scopes = std::vector<std::string>{};
  absl::StatusOr<nlohmann::json> decoded = DecodeExt(*BuildExt(credentials));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, nlohmann::json::parse(R"({"authorizedScopes":[]})"));
}

TEST(BuildExtTest, RefusesBadInput) {
  Credentials bad_certificate;
  bad_certificate.certificate = "[1,2]";
  EXPECT_EQ(BuildExt(bad_certificate).status().code(), absl::StatusCode::kInvalidArgument);
  bad_certificate.certificate = "{not json";
  EXPECT_EQ(BuildExt(bad_certificate).status().code(), absl::StatusCode::kInvalidArgument);
  Credentials bad_scope;
  bad_scope.authorized_scopes = std::vector<std::string>{"ok", "new\nline"};
  EXPECT_EQ(BuildExt(bad_scope).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::hawk
