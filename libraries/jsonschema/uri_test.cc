#include "libraries/jsonschema/uri.h"

#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

TEST(UriTest, SplitsLikeAppendixB) {
  const UriParts parts = SplitUri("HTTP://user@host:80/a/b?q=1#frag");
  EXPECT_EQ(parts.scheme.value_or("-"), "HTTP");
  EXPECT_EQ(parts.authority.value_or("-"), "user@host:80");
  EXPECT_EQ(parts.path, "/a/b");
  EXPECT_EQ(parts.query.value_or("-"), "q=1");
  EXPECT_EQ(parts.fragment.value_or("-"), "frag");
  EXPECT_EQ(parts.ToString(), "HTTP://user@host:80/a/b?q=1#frag");

  const UriParts urn = SplitUri("urn:uuid:deadbeef#x");
  EXPECT_EQ(urn.scheme.value_or("-"), "urn");
  EXPECT_FALSE(urn.authority.has_value());
  EXPECT_EQ(urn.path, "uuid:deadbeef");

  const UriParts relative = SplitUri("a:b/c");  // Scheme "a".
  EXPECT_EQ(relative.scheme.value_or("-"), "a");
  EXPECT_FALSE(SplitUri("./a:b").scheme.has_value());
  EXPECT_FALSE(SplitUri("#only").scheme.has_value());
}

// RFC 3986 §5.4.1 and §5.4.2.
TEST(UriTest, ResolvesRfcExamples) {
  const char* base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
  };
  for (const auto& [reference, expected] : cases) {
    EXPECT_EQ(ResolveUri(base, reference), expected) << reference;
  }
}

TEST(UriTest, ResolvesJsonSchemaIds) {
  EXPECT_EQ(ResolveUri("http://localhost:1234/sibling_id/base/", "foo.json"),
            "http://localhost:1234/sibling_id/base/foo.json");
  EXPECT_EQ(ResolveUri("http://example.com/b/c.json", "d.json"), "http://example.com/b/d.json");
  EXPECT_EQ(ResolveUri("urn:uuid:deadbeef-1234", "#/definitions/bar"),
            "urn:uuid:deadbeef-1234#/definitions/bar");
  EXPECT_EQ(ResolveUri("file:///c:/folder/file.json", "#foo"), "file:///c:/folder/file.json#foo");
  EXPECT_EQ(ResolveUri("http://example.com/ref/absref.json", "/absref/foobar.json"),
            "http://example.com/absref/foobar.json");
  EXPECT_EQ(ResolveUri("HTTP://x/y", "z"), "http://x/z");
}

TEST(UriTest, SplitsAndDecodesFragments) {
  EXPECT_EQ(SplitFragment("http://x/y#/a/b"),
            std::make_pair(std::string("http://x/y"), std::string("/a/b")));
  EXPECT_EQ(SplitFragment("http://x/y"),
            std::make_pair(std::string("http://x/y"), std::string("")));
  EXPECT_EQ(PercentDecode("percent%25field%22%zz%4"), "percent%field\"%zz%4");
}

TEST(UriTest, UriGrammar) {
  for (const char* uri :
       {"http://foo.bar/?baz=qux#quux", "urn:isbn:0451450523", "mailto:John.Doe@example.com",
        "http://[2001:db8::7]/c=GB?one", "ldap://[2001:db8::7]/c=GB?objectClass?one",
        "tel:+1-816-555-1212", "file:///c:/folder/file.json", "http://x:8080", "a+b-c.d:"}) {
    EXPECT_TRUE(IsUri(uri)) << uri;
    EXPECT_TRUE(IsUriReference(uri)) << uri;
  }
  for (const char* not_uri :
       {"//foo.bar/?baz=qux#quux", "/abc", "abc", "1http://x", "http://exa mple.com",
        "http://x:port", "http://[::1/", "http://x/%zz", "http://x/\\y", "http://\xc3\xa9.com"}) {
    EXPECT_FALSE(IsUri(not_uri)) << not_uri;
  }
  EXPECT_TRUE(IsUri("http://\xc3\xa9.com/\xc3\xa9", /*iri=*/true));
  for (const char* reference : {"", "#", "#foo", "/abc", "abc/def", "../x?y#z", "//host/p",
                                "#/definitions/percent%25field"}) {
    EXPECT_TRUE(IsUriReference(reference)) << reference;
  }
  for (const char* not_reference :
       {"\\\\WINDOWS\\fileshare", "abc#d#e", "a:b:c d", "#\"", "http://x/{y}"}) {
    EXPECT_FALSE(IsUriReference(not_reference)) << not_reference;
  }
}

TEST(UriTest, IpAddresses) {
  for (const char* ip : {"192.168.0.1", "0.0.0.0", "255.255.255.255"}) {
    EXPECT_TRUE(IsIpv4(ip)) << ip;
  }
  for (const char* ip : {"127.0.0.0.1", "256.256.256.256", "087.10.0.1", "1.2.3", "1.2.3.",
                         "0x7f000001", "1.2.3.\xd9\xa3"}) {
    EXPECT_FALSE(IsIpv4(ip)) << ip;
  }
  for (const char* ip : {"::1", "::", "1::", "::abef", "1:2:3:4:5:6:7:8", "1::8",
                         "::ffff:192.168.0.1", "1:2:3:4:5:6:1.2.3.4", "fe80::1:2:3:4:5:6"}) {
    EXPECT_TRUE(IsIpv6(ip)) << ip;
  }
  for (const char* ip :
       {"12345::", "1:1:1:1:1:1:1:1:1", "1::2::3", ":::", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7",
        "1::2:3:4:5:6:7:8", "1.2.3.4::", "::1.2.3", "fe80::1%eth0", "", "1:2:3:4:5:6:7:1.2.3.4"}) {
    EXPECT_FALSE(IsIpv6(ip)) << ip;
  }
}

}  // namespace
}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
