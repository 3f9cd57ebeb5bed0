#include "libraries/jsonschema/formats.h"

#include <initializer_list>

#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace {

void ExpectFormat(absl::string_view format, std::initializer_list<const char*> valid,
                  std::initializer_list<const char*> invalid) {
  const FormatChecker checker = FindFormatChecker(format);
  ASSERT_NE(checker, nullptr) << format;
  for (const char* value : valid) EXPECT_TRUE(checker(value)) << format << ": " << value;
  for (const char* value : invalid) EXPECT_FALSE(checker(value)) << format << ": " << value;
}

TEST(FormatsTest, UnknownFormatsHaveNoChecker) {
  EXPECT_EQ(FindFormatChecker("color"), nullptr);
  EXPECT_EQ(FindFormatChecker(""), nullptr);
  EXPECT_EQ(FindFormatChecker("EMAIL"), nullptr);
}

TEST(FormatsTest, DateTime) {
  ExpectFormat(
      "date-time",
      {"1963-06-19T08:30:06.283185Z", "1963-06-19T08:30:06Z", "1937-01-01T12:00:27.87+00:20",
       "1990-12-31T15:59:59-08:00", "1998-12-31T23:59:60Z", "1998-12-31T15:59:60.123-08:00",
       "1963-06-19t08:30:06.283185z", "2020-02-29T00:00:00Z"},
      {"1990-02-31T15:59:59.123-08:00", "1990-12-31T15:59:59-24:00", "06/19/1963 08:30:06 PST",
       "2013-350T01:01:01", "1963-06-19T08:30:06", "1963-06-19 08:30:06Z", "1998-12-31T23:58:60Z",
       "2019-02-29T00:00:00Z", "1963-06-19T08:30:06.Z", "1963-06-1\xd9\xa4T00:00:00Z"});
}

TEST(FormatsTest, DateAndTime) {
  ExpectFormat("date", {"1963-06-19", "2020-01-31", "2000-02-29", "2020-12-31"},
               {"06/19/1963", "2013-350", "1998-1-20", "2021-02-29", "1900-02-29", "2020-13-01",
                "2020-00-10", "2020-04-31", "1963-06-19T08:30:06Z", ""});
  ExpectFormat("time",
               {"08:30:06Z", "08:30:06.283185Z", "23:59:60Z", "15:59:60-08:00", "08:30:06+00:20",
                "08:30:06z"},
               {"08:30:06", "8:30:06Z", "24:00:00Z", "08:60:00Z", "22:59:60Z", "08:30:06+24:00",
                "08:30:06 PST", "01:01:01,1111Z", "12:00:00.Z"});
}

TEST(FormatsTest, Email) {
  ExpectFormat("email",
               {"joe.bloggs@example.com", "te~st@example.com", "\"joe bloggs\"@example.com",
                "\"joe..bloggs\"@example.com", "joe.bloggs@[127.0.0.1]", "joe@[IPv6:::1]",
                "user+tag@mail.example.org"},
               {"2962", ".test@example.com", "test.@example.com", "te..st@example.com",
                "joe.bloggs@invalid=domain.com", "joe@[127.0.0.300]", "@example.com", "joe@",
                "j\xc3\xa9@example.com"});
  ExpectFormat("idn-email",
               {"\xec\x8b\xa4\xeb\xa1\x80@\xec\x8b\xa4\xeb\xa1\x80."
                "\xed\x85\x8c\xec\x8a\xa4\xed\x8a\xb8",
                "joe.bloggs@example.com"},
               {"2962", "a@@b"});
}

TEST(FormatsTest, Hostname) {
  // One label of 91 characters (at most 63 are allowed).
  const char* const too_long =
      "a-vvvvvvvvvvvvvvvveeeeeeeeeeeeeeeerrrrrrrrrrrrrrrryyyyyyyyyyyyyyyy-long-host-name-component";
  ExpectFormat(
      "hostname",
      {"www.example.com", "xn--4gbwdl.xn--wgbh1c", "a", "example.com.", "1host", "a-b.c-d"},
      {"-a-host-name-that-starts-with--", "not_a_valid_host_name", "", ".", "a..b", "host-.com",
       too_long, "\xe5\xae\x9e\xe4\xbe\x8b.\xe6\xb5\x8b\xe8\xaf\x95"});
  ExpectFormat("idn-hostname",
               {"\xe5\xae\x9e\xe4\xbe\x8b.\xe6\xb5\x8b\xe8\xaf\x95", "www.example.com"},
               {"", "-x", "a..b"});
}

TEST(FormatsTest, IpAddresses) {
  ExpectFormat("ipv4", {"192.168.0.1"}, {"127.0.0.0.1", "256.0.0.1", "::1"});
  ExpectFormat("ipv6", {"::1", "::ffff:192.168.0.1"}, {"12345::", "127.0.0.1"});
}

TEST(FormatsTest, UrisAndIris) {
  ExpectFormat("uri", {"http://foo.bar/?baz=qux#quux", "urn:isbn:0451450523"},
               {"//foo.bar/?baz=qux#quux", "abc", "http://\xc3\xa9.com"});
  ExpectFormat("uri-reference", {"/abc", "#fragment", "", "http://x"},
               {"\\\\WINDOWS\\fileshare", "#frag#ment"});
  ExpectFormat("iri", {"http://\xc3\xa9.com/\xc3\xa9", "http://x"}, {"\xc3\xa9", "/abc"});
  ExpectFormat("iri-reference", {"\xc3\xa9", "/abc"}, {"\\\\WINDOWS\\filesh\xc3\xa9re"});
  ExpectFormat("uri-template",
               {"http://example.com/dictionary/{term:1}/{term}", "dictionary/{term:1}/{term}",
                "{+path}/here", "{?x,y*}", "{/list*,path:4}", "plain", "{var.sub}", "%20{x}"},
               {"http://example.com/dictionary/{term:1}/{term", "{}", "{x:0}", "{x:10000}", "a b",
                "{x y}", "{.x.}", "%zz", "}"});
}

TEST(FormatsTest, JsonPointers) {
  ExpectFormat("json-pointer", {"", "/foo/bar~0/baz~1/%a", "/"}, {"/foo/bar~", "#/x", "a"});
  ExpectFormat("relative-json-pointer", {"1", "0/foo/bar", "2#"}, {"/foo", "-1/x", "01/a"});
}

TEST(FormatsTest, RegexAndUuid) {
  ExpectFormat("regex", {"([abc])+\\s+$", "^[a-z]+$", ""}, {"^(abc]", "a**", "\\p{L}"});
  ExpectFormat("uuid",
               {"2eb8aa08-aa98-11ea-b4aa-73b441d16380", "2EB8AA08-AA98-11EA-B4AA-73B441D16380"},
               {"2eb8aa08-aa98-11ea-b4aa-73b441d1638", "2eb8aa08aa9811eab4aa73b441d16380",
                "2eb8aa08-aa98-11ea-b4aa-73b441d1638g"});
}

}  // namespace
}  // namespace jsonschema
}  // namespace bulwark
