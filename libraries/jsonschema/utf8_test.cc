#include "libraries/jsonschema/utf8.h"

#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

TEST(Utf8Test, CountsCodePoints) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("\xc3\xa1"), 1u);
  EXPECT_EQ(CodePointCount("\xf0\x9f\x92\xa9\xf0\x9f\x92\xa9"), 2u);
  EXPECT_EQ(CodePointCount("a\xe2\x82\xac"), 2u);
}

TEST(Utf8Test, DecodesToUtf32) {
  EXPECT_EQ(DecodeUtf8("a\xc3\xa1\xe2\x82\xac\xf0\x9f\x92\xa9"),
            std::wstring({L'a', 0xE1, 0x20AC, 0x1F4A9}));
}

TEST(Utf8Test, IllFormedBytesBecomeReplacementCharacters) {
  EXPECT_EQ(DecodeUtf8("\xff"), std::wstring(1, 0xFFFD));
  EXPECT_EQ(DecodeUtf8("\xc3"), std::wstring(1, 0xFFFD));          // Truncated.
  EXPECT_EQ(DecodeUtf8("\xc0\xaf"), std::wstring(2, 0xFFFD));      // Overlong.
  EXPECT_EQ(DecodeUtf8("\xed\xa0\x80"), std::wstring(3, 0xFFFD));  // Surrogate.
  EXPECT_EQ(DecodeUtf8("\xe2\x82x"), std::wstring({0xFFFD, 0xFFFD, L'x'}));
  EXPECT_EQ(CodePointCount("\xe2\x82x"), 3u);
}

TEST(Utf8Test, IsAscii) {
  EXPECT_TRUE(IsAscii("plain text"));
  EXPECT_FALSE(IsAscii("caf\xc3\xa9"));
}

}  // namespace
}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
