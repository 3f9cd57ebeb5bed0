#include "libraries/jsone/unicode.h"

#include "gtest/gtest.h"

namespace bulwark::jsone {
namespace {

TEST(UnicodeTest, CountsAndSlicesByCodePoint) {
  const std::string text = "☢abc😁";
  EXPECT_EQ(CodePointCount(text), 5u);
  EXPECT_EQ(CodePointSubstr(text, 0, 1), "☢");
  EXPECT_EQ(CodePointSubstr(text, 1, 4), "abc");
  EXPECT_EQ(CodePointSubstr(text, 4, 5), "😁");
  EXPECT_EQ(CodePointSubstr(text, 5, 5), "");
  EXPECT_FALSE(IsAscii(text));
  EXPECT_TRUE(IsAscii("plain"));
}

TEST(UnicodeTest, EncodesAndDecodes) {
  for (char32_t c : {U'a', U'é', U'☃', U'😁', U'\U0010FFFF'}) {
    std::string encoded;
    AppendUtf8(c, &encoded);
    size_t pos = 0;
    EXPECT_EQ(DecodeUtf8(encoded, &pos), c);
    EXPECT_EQ(pos, encoded.size());
  }
}

TEST(UnicodeTest, ComparesInUtf16Order) {
  EXPECT_LT(CompareUtf16("a", "b"), 0);
  EXPECT_LT(CompareUtf16("ab", "abc"), 0);
  EXPECT_EQ(CompareUtf16("😁", "😁"), 0);
  // U+FF5E is above the surrogates in code points but its UTF-16 unit 0xFF5E
  // sorts after the high surrogate 0xD83D of U+1F601, unlike code point order.
  EXPECT_GT(CompareUtf16("～", "😁"), 0);
  EXPECT_GT(CompareUtf16("\xee\x80\x80", "😁"), 0);  // U+E000 likewise.
  EXPECT_LT(CompareUtf16("a😁", "b"), 0);
}

TEST(UnicodeTest, TrimsJavaScriptWhitespace) {
  EXPECT_EQ(TrimJsWhitespace(" \t\n x y \r", true, true), "x y");
  EXPECT_EQ(TrimJsWhitespace("\xc2\xa0x\xe3\x80\x80", true, true),
            "x");  // NBSP, U+3000
  EXPECT_EQ(TrimJsWhitespace("  x  ", true, false), "x  ");
  EXPECT_EQ(TrimJsWhitespace("  x  ", false, true), "  x");
  EXPECT_EQ(TrimJsWhitespace("   ", true, true), "");
  EXPECT_TRUE(IsJsWhitespace(0xFEFF));
  EXPECT_FALSE(IsJsWhitespace(0x200B));  // Zero-width space is not whitespace.
}

TEST(UnicodeTest, MapsCase) {
  EXPECT_EQ(JsToLower("HEllo"), "hello");
  EXPECT_EQ(JsToUpper("hello"), "HELLO");
  EXPECT_EQ(JsToUpper("straße"), "STRASSE");
  EXPECT_EQ(JsToLower("ÀÉÎ"), "àéî");
  EXPECT_EQ(JsToUpper("ÿ"), "Ÿ");
  EXPECT_EQ(JsToUpper("привет"), "ПРИВЕТ");
  EXPECT_EQ(JsToLower("Ł"), "ł");
  EXPECT_EQ(JsToLower("İ"), "i̇");
  EXPECT_EQ(JsToUpper("日本"), "日本");
  // Beyond Latin, Greek and Cyrillic: Armenian, Georgian, Cherokee, Deseret.
  EXPECT_EQ(JsToUpper("աբ"), "ԱԲ");
  EXPECT_EQ(JsToUpper("ა"), "Ა");
  EXPECT_EQ(JsToLower("Ꭰ"), "ꭰ");
  EXPECT_EQ(JsToLower("𐐀"), "𐐨");
  // Special casing: ligatures and Greek iota subscripts grow.
  EXPECT_EQ(JsToUpper("ﬁ ﬃ ŉ ᾳ ΐ"), "FI FFI ʼN ΑΙ \u0399\u0308\u0301");
  EXPECT_EQ(JsToLower("ǅ"), "ǆ");
}

TEST(UnicodeTest, FinalSigma) {
  EXPECT_EQ(JsToLower("ΣΑΣ"), "σας");
  EXPECT_EQ(JsToLower("ΣΑΣ ΣΑΣ."), "σας σας.");
  EXPECT_EQ(JsToLower("Σ"), "σ");      // No letter before it.
  EXPECT_EQ(JsToLower("ΑΣΑ"), "ασα");  // A letter after it.
  EXPECT_EQ(JsToLower("ΑΣ'Α"), "ασ'α");
}

}  // namespace
}  // namespace bulwark::jsone
