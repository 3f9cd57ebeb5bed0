#include "libraries/hawk/header.h"

#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "libraries/hawk/mac.h"

namespace bulwark::hawk {
namespace {

// "" when the header parses; otherwise the failure message. Expected outcomes
// below were produced by npm hawk 9.0.2's utils.parseAuthorizationHeader
// (interop_test re-checks them against the live package).
std::string ParseError(const std::string& header) {
  absl::StatusOr<HeaderAttributes> parsed = ParseAuthorizationHeader(header);
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kUnauthenticated);
  return std::string(parsed.status().message());
}

TEST(ParseAuthorizationHeaderTest, AllAttributes) {
  absl::StatusOr<HeaderAttributes> parsed = ParseAuthorizationHeader(
      "Hawk id=\"1\", ts=\"2\", nonce=\"n\", hash=\"h=\", ext=\"e\", "
      "mac=\"m\", app=\"a\", dlg=\"d\"");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->id, "1");
  EXPECT_EQ(parsed->ts, "2");
  EXPECT_EQ(parsed->nonce, "n");
  EXPECT_EQ(parsed->hash, "h=");
  EXPECT_EQ(parsed->ext, "e");
  EXPECT_EQ(parsed->mac, "m");
  EXPECT_EQ(parsed->app, "a");
  EXPECT_EQ(parsed->dlg, "d");
}

TEST(ParseAuthorizationHeaderTest, AcceptedSpellings) {
  for (const char* header : {
           "hAwK id=\"1\"",
           "Hawk\tid=\"1\"",
           "Hawk id=\"1\",",
           "Hawk id=\"1\" , ts=\"2\"",
           "Hawk id=\"x\",ts=\"1\",nonce=\"n\",mac=\"m\"",
           "Hawk id=\"1\"   ",
           "Hawk \n id=\"1\"",
           "Hawk id=\"1\", ts=\"1\", nonce=\"a b\", mac=\"!#$%&'()*+,-./:;<=>?@[]^_`{|}~\"",
       }) {
    EXPECT_EQ(ParseError(header), "") << header;
  }
  EXPECT_EQ(ParseAuthorizationHeader("Hawk \n id=\"1\"")->id, "1");
}

TEST(ParseAuthorizationHeaderTest, RejectionsMatchHawk) {
  const struct {
    const char* header;
    const char* message;
  } kCases[] = {
      {"", "Bad Request: Invalid header syntax"},
      {"Hawk", "Bad Request: Invalid header syntax"},
      {"Hawk ", "Bad Request: Invalid header syntax"},
      {"Hawk  \t ", "Bad Request: Invalid header syntax"},
      {"Basic abc", "Unauthorized: Unauthorized"},
      {"Hawk id=\"1\", ts=\"1\", foo=\"x\"", "Bad Request: Unknown attribute: foo"},
      {"Hawk id=\"\"", "Bad Request: Bad attribute value: id"},
      {"Hawk id=\"1\", id=\"2\"", "Bad Request: Duplicate attribute: id"},
      {"Hawk id=\"1\" ts=\"2\"", "Bad Request: Bad header format"},
      {"Hawk id=\"a\\\"b\"", "Bad Request: Bad header format"},
      {"Hawk id=\"1\",\n ts=\"2\"", "Bad Request: Invalid header syntax"},
      {"Hawk ,id=\"1\"", "Bad Request: Bad header format"},
      {"Hawk foo=\"x\", id=\"\"", "Bad Request: Bad attribute value: id"},
      {"Hawk id=\"\xc3\xa9\"", "Bad Request: Bad attribute value: id"},
      {"Hawk, id=\"1\"", "Bad Request: Invalid header syntax"},
      {"Hawk id=\"1\"\r", "Bad Request: Invalid header syntax"},
      {"Hawk id=\"1\", ts=\"2\" x", "Bad Request: Bad header format"},
      {"Hawk id=\"1\", ts=\"2\"x", "Bad Request: Bad header format"},
      {"Hawk xid=\"1\"", "Bad Request: Unknown attribute: xid"},
      {"Hawk id=\"1\", ts=\"a\tb\"", "Bad Request: Bad attribute value: ts"},
      // The last error wins.
      {"Hawk id=\"1\", foo=\"x\", bar=\"y\"", "Bad Request: Unknown attribute: bar"},
      {"Hawk id=\"1\", foo=\"\", id=\"2\"", "Bad Request: Duplicate attribute: id"},
      {"Hawk-x id=\"1\"", "Bad Request: Invalid header syntax"},
      {"Hawk id=\"1\", ts=\"2\",, nonce=\"3\"", "Bad Request: Bad header format"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ParseError(c.header), c.message) << c.header;
  }
}

TEST(ParseAuthorizationHeaderTest, LengthLimitIsItsOwnError) {
  const std::string prefix = "Hawk id=\"";
  std::string at_limit = prefix + std::string(kMaxHeaderLength - prefix.size() - 1, 'a') + "\"";
  ASSERT_EQ(at_limit.size(), kMaxHeaderLength);
  EXPECT_TRUE(ParseAuthorizationHeader(at_limit).ok());
  std::string over = prefix + std::string(kMaxHeaderLength - prefix.size(), 'a') + "\"";
  absl::StatusOr<HeaderAttributes> parsed = ParseAuthorizationHeader(over);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(), "Bad Request: Header length too long");
  // Even garbage is refused for its length first.
  EXPECT_EQ(ParseAuthorizationHeader(std::string(5000, '"')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ValidAttributeValueTest, PrintableAsciiWithoutQuoteOrBackslash) {
  EXPECT_TRUE(ValidAttributeValue("abc ~!"));
  EXPECT_FALSE(ValidAttributeValue(""));
  EXPECT_FALSE(ValidAttributeValue("a\"b"));
  EXPECT_FALSE(ValidAttributeValue("a\\b"));
  EXPECT_FALSE(ValidAttributeValue("a\tb"));
  EXPECT_FALSE(ValidAttributeValue("a\x7f"));
}

Credentials Creds(std::string id, std::string key) {
  Credentials credentials;
  credentials.client_id = std::move(id);
  credentials.access_token = std::move(key);
  return credentials;
}

TEST(BuildHeaderTest, MatchesHawkClientHeader) {
  // hawk.client.header('http://example.com:8000/resource/1?b=1&a=2', 'POST',
  //   {credentials: {id: '123456', key: '2983d45yun89q', algorithm: 'sha256'},
  //    timestamp: 1353809207, nonce: 'Ygvqdz', ext: 'Bazinga!',
  //    hash: 'nJjkVtBE5Y/Bk38Aiokwn0jiJxt/0S2WRSUwWLCf5xk='}).header
  Request request;
  request.resource = "/resource/1?b=1&a=2";
  request.host = "example.com";
  request.port = 8000;
  absl::StatusOr<std::string> header =
      BuildHeader(Creds("123456", "2983d45yun89q"), request, 1353809207, "Ygvqdz", "Bazinga!",
                  "nJjkVtBE5Y/Bk38Aiokwn0jiJxt/0S2WRSUwWLCf5xk=");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(*header,
            "Hawk id=\"123456\", ts=\"1353809207\", nonce=\"Ygvqdz\", "
            "hash=\"nJjkVtBE5Y/Bk38Aiokwn0jiJxt/0S2WRSUwWLCf5xk=\", "
            "ext=\"Bazinga!\", mac=\"Qx/T+SC6r4j5vw1nmTTIt4uxEcCPMCrEN8Q7bfuVmus=\"");
}

TEST(BuildHeaderTest, RoundTripsThroughTheParser) {
  Request request;
  request.resource = "/bulwark.queue.v1.Queue/CreateTask";
  request.host = "queue";
  request.port = 50052;
  absl::StatusOr<std::string> header = BuildHeader(Creds("c", "k"), request, 1700000000, "abc", "");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->find("ext="), std::string::npos);
  EXPECT_EQ(header->find("hash="), std::string::npos);
  absl::StatusOr<HeaderAttributes> parsed = ParseAuthorizationHeader(*header);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  MacFields fields;
  fields.ts = "1700000000";
  fields.nonce = "abc";
  fields.method = "POST";
  fields.resource = request.resource;
  fields.host = "queue";
  fields.port = 50052;
  EXPECT_EQ(parsed->mac, CalculateMac("k", fields));
}

TEST(BuildHeaderTest, RefusesWhatAServerCannotParse) {
  Request request;
  request.resource = "/";
  request.host = "h";
  for (const auto& [id, nonce, ext] :
       {std::make_tuple("", "n", ""), std::make_tuple("a\"b", "n", ""),
        std::make_tuple("a", "", ""), std::make_tuple("a", "n\\", ""),
        std::make_tuple("a", "n", "x\ny")}) {
    EXPECT_EQ(BuildHeader(Creds(id, "k"), request, 1, nonce, ext).status().code(),
              absl::StatusCode::kInvalidArgument)
        << id << " " << nonce << " " << ext;
  }
  EXPECT_EQ(BuildHeader(Creds("a", "k"), request, 1, "n", std::string(4096, 'e')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::hawk
