// File: libraries/jsone/lexer.h
//
// Tokenizer of the JSON-e expression language. Tokens are produced on demand,
// so text after the end of an expression (e.g. after the `}` of a ${...}
// interpolation) is never examined. Token kinds and their precedence follow
// the reference tokenizer:
//  - whitespace (JavaScript's \s) is skipped;
//  - `**` before `*`, two-character comparisons before one-character ones;
//  - true/false/in/null only when not followed by an identifier character;
//  - numbers are [0-9]+(.[0-9]+)?; strings are '...' or "..." without escapes.
//
// Thread-safety: a Lexer is used by one thread. Errors: SyntaxError
// "Unexpected input for '<source>' at '<rest>'".

#ifndef BULWARK_LIBRARIES_JSONE_LEXER_H_
#define BULWARK_LIBRARIES_JSONE_LEXER_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"

namespace bulwark::jsone {

enum class TokenKind : unsigned char {
  kPow,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kLBracket,
  kRBracket,
  kDot,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kColon,
  kComma,
  kGe,
  kLe,
  kLt,
  kGt,
  kEq,
  kNe,
  kNot,
  kAnd,
  kOr,
  kTrue,
  kFalse,
  kIn,
  kNull,
  kNumber,
  kIdentifier,
  kString,
};

// The kind's name as the reference spells it in messages: "**", "+", ...,
// "true", "in", "number", "identifier", "string".
std::string_view TokenKindName(TokenKind kind);

struct Token {
  TokenKind kind;
  std::string_view text;  // The token's characters (strings keep their quotes).
  size_t start;           // Byte offsets into the source.
  size_t end;
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  // The next token at or after byte `offset`, or nullopt-like `has_token ==
  // false` at the end.
  struct Result {
    bool has_token = false;
    Token token{};
  };
  absl::StatusOr<Result> Next(size_t offset) const;

  std::string_view source() const { return source_; }

 private:
  std::string_view source_;
};

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_LEXER_H_
