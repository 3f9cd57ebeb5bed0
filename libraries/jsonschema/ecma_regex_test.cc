#include "libraries/jsonschema/ecma_regex.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulwark {
namespace jsonschema {
namespace {

using ::testing::HasSubstr;

bool Matches(const std::string& pattern, const std::string& text) {
  absl::StatusOr<EcmaRegex> regex = EcmaRegex::Compile(pattern);
  EXPECT_TRUE(regex.ok()) << regex.status();
  if (!regex.ok()) return false;
  absl::StatusOr<bool> result = regex->Search(text);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() && *result;
}

TEST(EcmaRegexTest, SearchIsUnanchored) {
  EXPECT_TRUE(Matches("a+", "xxaayy"));
  EXPECT_FALSE(Matches("a+", "xyz"));
  EXPECT_TRUE(Matches("", "anything"));
  EXPECT_TRUE(Matches("b|^a", "cb"));
}

TEST(EcmaRegexTest, AnchoredAndUnanchoredAlternatives) {
  EXPECT_TRUE(Matches("^a|b", "xb"));
  EXPECT_FALSE(Matches("^a|^b", "xb"));
  EXPECT_TRUE(Matches("^(a|b)c", "bc"));
  EXPECT_FALSE(Matches("^(a|b)c", "xbc"));
  EXPECT_TRUE(Matches("^[|]x|y", "zy"));
  EXPECT_TRUE(Matches("^\\|x|y", "zy"));
  EXPECT_TRUE(Matches("^[]|y", "zy"));
  EXPECT_TRUE(Matches("^[^]|y", "y"));
  EXPECT_TRUE(Matches("^[^\\]|]x", "yx"));
  EXPECT_FALSE(Matches("^[^\\]|]x", "zzx"));
}

TEST(EcmaRegexTest, AnchorsAreAbsolute) {
  EXPECT_TRUE(Matches("^a*$", "aaa"));
  EXPECT_FALSE(Matches("^a*$", "aab"));
  EXPECT_FALSE(Matches("^b", "ab"));
  EXPECT_FALSE(Matches("a$", "ab"));
  EXPECT_FALSE(Matches("^a$", "a\na"));  // Not multiline.
}

TEST(EcmaRegexTest, MatchesByCodePoint) {
  EXPECT_TRUE(Matches("^.$", "\xc3\xa1"));                    // U+00E1, two bytes.
  EXPECT_TRUE(Matches("^.$", "\xf0\x9f\x90\xb2"));            // U+1F432, four bytes.
  EXPECT_TRUE(Matches("^[\xc3\xa1-\xc3\xa9]$", "\xc3\xa4"));  // Range of code points.
  EXPECT_TRUE(Matches("^\\u00e1$", "\xc3\xa1"));
  EXPECT_TRUE(Matches("^\\u{1F432}$", "\xf0\x9f\x90\xb2"));
  EXPECT_TRUE(Matches("^\\ud83d\\udc32$", "\xf0\x9f\x90\xb2"));
  EXPECT_TRUE(Matches("^\xc3\xa1", "\xc3\xa1rm\xc3\xa1nyos"));
}

TEST(EcmaRegexTest, ClassEscapesFollowEcmaScript) {
  EXPECT_TRUE(Matches("^\\s$", "\xc2\xa0"));  // NO-BREAK SPACE is white space.
  EXPECT_TRUE(Matches("^[\\s]$", "\xe2\x80\xa8"));
  EXPECT_FALSE(Matches("^\\S$", "\xef\xbb\xbf"));
  EXPECT_TRUE(Matches("^\\S$", "x"));
  EXPECT_FALSE(Matches("^\\w$", "\xc3\xa1"));  // \w is ASCII only.
  EXPECT_FALSE(Matches("^\\d$", "\xd9\xa3"));  // So is \d.
  EXPECT_TRUE(Matches("^[a-z\\d_]+$", "ab_1"));
  EXPECT_FALSE(Matches("^.$", "\n"));
  EXPECT_TRUE(Matches("^\\cJ$", "\n"));
  EXPECT_TRUE(Matches("^[^]$", "\n"));
  EXPECT_FALSE(Matches("[]", "a"));
}

TEST(EcmaRegexTest, Quantifiers) {
  EXPECT_TRUE(Matches("^a{2}$", "aa"));
  EXPECT_TRUE(Matches("^a{2,}?b+?c*?d??$", "aaabcd"));
  EXPECT_TRUE(Matches("^(ab)+$", "abab"));
  EXPECT_TRUE(Matches("^[*+?]+$", "*+?"));
  EXPECT_TRUE(Matches("^\\**$", "**"));
}

TEST(EcmaRegexTest, LookaheadAndBackreferences) {
  EXPECT_TRUE(Matches("^(?=.*\\d)\\w+$", "ab1"));
  EXPECT_FALSE(Matches("^(?!.*\\d)\\w+$", "ab1"));
  EXPECT_TRUE(Matches("^(a+)b\\1$", "aabaa"));
  EXPECT_FALSE(Matches("^(a+)b\\1$", "aaba"));
}

TEST(EcmaRegexTest, RejectsInvalidAndUnsupportedPatterns) {
  struct Case {
    const char* pattern;
    const char* message;
  };
  for (const Case& c : {Case{"^[a-", "invalid regular expression \"^[a-\""},
                        Case{"(", "invalid regular expression"}, Case{"a**", "nothing to repeat"},
                        Case{"a{2}+", "nothing to repeat"}, Case{"\\", "\\ at end of pattern"},
                        Case{"(?<=a)b", "lookbehind assertions and named groups"},
                        Case{"(?<name>a)", "lookbehind assertions and named groups"},
                        Case{"\\p{L}", "Unicode property escapes"},
                        Case{"\\u{110000}", "invalid \\u{...} escape"}}) {
    absl::StatusOr<EcmaRegex> regex = EcmaRegex::Compile(c.pattern);
    EXPECT_EQ(regex.status().code(), absl::StatusCode::kInvalidArgument) << c.pattern;
    EXPECT_THAT(regex.status().message(), HasSubstr(c.message)) << c.pattern;
  }
}

TEST(EcmaRegexTest, LongTextsDoNotExhaustTheStack) {
  const std::string text(200'000, 'a');
  EXPECT_TRUE(Matches("^(a|b)*$", text));
  EXPECT_FALSE(Matches("^a*b$", text));
  EXPECT_FALSE(Matches("x.*y", std::string(100'000, 'x')));
}

TEST(EcmaRegexTest, BackreferencePatternsRefuseLongTexts) {
  absl::StatusOr<EcmaRegex> regex = EcmaRegex::Compile("(a)\\1");
  ASSERT_TRUE(regex.ok()) << regex.status();
  EXPECT_TRUE(regex->Search(std::string(EcmaRegex::kMaxBacktrackingLength, 'a')).value());
  absl::StatusOr<bool> result =
      regex->Search(std::string(EcmaRegex::kMaxBacktrackingLength + 1, 'a'));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(result.status().message(), HasSubstr("backreferences"));
}

TEST(EcmaRegexTest, KeepsSource) { EXPECT_EQ(EcmaRegex::Compile("^x$")->source(), "^x$"); }

}  // namespace
}  // namespace jsonschema
}  // namespace bulwark
