#include "libraries/jsonschema/json_pointer.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

using json = nlohmann::json;

TEST(JsonPointerTest, EscapesTokens) {
  EXPECT_EQ(EscapePointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(EscapePointerToken("~1"), "~01");
  EXPECT_EQ(EscapePointerToken(""), "");
}

// RFC 6901 §5.
TEST(JsonPointerTest, ResolvesRfcExamples) {
  const json doc = json::parse(R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2,
    "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})");
  EXPECT_EQ(*ResolvePointer(doc, "").value(), doc);
  EXPECT_EQ(*ResolvePointer(doc, "/foo").value(), json({"bar", "baz"}));
  EXPECT_EQ(*ResolvePointer(doc, "/foo/0").value(), "bar");
  EXPECT_EQ(*ResolvePointer(doc, "/").value(), 0);
  EXPECT_EQ(*ResolvePointer(doc, "/a~1b").value(), 1);
  EXPECT_EQ(*ResolvePointer(doc, "/c%d").value(), 2);
  EXPECT_EQ(*ResolvePointer(doc, "/k\"l").value(), 6);
  EXPECT_EQ(*ResolvePointer(doc, "/ ").value(), 7);
  EXPECT_EQ(*ResolvePointer(doc, "/m~0n").value(), 8);
}

TEST(JsonPointerTest, ReportsPointersThatLeadNowhere) {
  const json doc = json::parse(R"({"a": [10, 20], "b": {"": {"": 1}}})");
  EXPECT_EQ(*ResolvePointer(doc, "/b//").value(), 1);
  for (const char* pointer : {"/x", "/a/2", "/a/01", "/a/-", "/a/0/x", "a", "/a~2"}) {
    absl::StatusOr<const json*> result = ResolvePointer(doc, pointer);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound) << pointer;
  }
  EXPECT_EQ(ResolvePointer(doc, "/nope").status().message(),
            "JSON pointer \"/nope\" does not resolve");
}

TEST(JsonPointerTest, Formats) {
  for (const char* p : {"", "/", "/foo/0", "/a~0b~1c", "//"}) {
    EXPECT_TRUE(IsJsonPointer(p)) << p;
  }
  for (const char* p : {"foo", "/~", "/~2", "#/foo"}) {
    EXPECT_FALSE(IsJsonPointer(p)) << p;
  }
  for (const char* p : {"0", "1/a", "0#", "12/x~1y"}) {
    EXPECT_TRUE(IsRelativeJsonPointer(p)) << p;
  }
  for (const char* p : {"", "/a", "01/a", "-1/a", "0##", "1a"}) {
    EXPECT_FALSE(IsRelativeJsonPointer(p)) << p;
  }
}

}  // namespace
}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
