#include "libraries/jsone/lexer.h"

#include "libraries/jsone/error.h"
#include "libraries/jsone/identifier.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/jsone/unicode.h"

namespace bulwark::jsone {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Keyword {
  std::string_view text;
  TokenKind kind;
};
constexpr Keyword kKeywords[] = {
    {"true", TokenKind::kTrue},
    {"false", TokenKind::kFalse},
    {"in", TokenKind::kIn},
    {"null", TokenKind::kNull},
};

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kPow:
      return "**";
    case TokenKind::kPlus:
      return "+";
    case TokenKind::kMinus:
      return "-";
    case TokenKind::kStar:
      return "*";
    case TokenKind::kSlash:
      return "/";
    case TokenKind::kLBracket:
      return "[";
    case TokenKind::kRBracket:
      return "]";
    case TokenKind::kDot:
      return ".";
    case TokenKind::kLParen:
      return "(";
    case TokenKind::kRParen:
      return ")";
    case TokenKind::kLBrace:
      return "{";
    case TokenKind::kRBrace:
      return "}";
    case TokenKind::kColon:
      return ":";
    case TokenKind::kComma:
      return ",";
    case TokenKind::kGe:
      return ">=";
    case TokenKind::kLe:
      return "<=";
    case TokenKind::kLt:
      return "<";
    case TokenKind::kGt:
      return ">";
    case TokenKind::kEq:
      return "==";
    case TokenKind::kNe:
      return "!=";
    case TokenKind::kNot:
      return "!";
    case TokenKind::kAnd:
      return "&&";
    case TokenKind::kOr:
      return "||";
    case TokenKind::kTrue:
      return "true";
    case TokenKind::kFalse:
      return "false";
    case TokenKind::kIn:
      return "in";
    case TokenKind::kNull:
      return "null";
    case TokenKind::kNumber:
      return "number";
    case TokenKind::kIdentifier:
      return "identifier";
    case TokenKind::kString:
      return "string";
  }
  return "";
}

absl::StatusOr<Lexer::Result> Lexer::Next(size_t offset) const {
  const std::string_view s = source_;
  // Skip whitespace (JavaScript's \s).
  while (offset < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[offset]);
    if (c < 0x80) {
      if (c != ' ' && (c < '\t' || c > '\r')) break;
      ++offset;
      continue;
    }
    size_t next = offset;
    if (!IsJsWhitespace(DecodeUtf8(s, &next))) break;
    offset = next;
  }
  Result result;
  if (offset >= s.size()) return result;
  result.has_token = true;
  const auto make = [&](TokenKind kind, size_t length) {
    result.token = Token{kind, s.substr(offset, length), offset, offset + length};
    return result;
  };
  const char c = s[offset];
  const char next = offset + 1 < s.size() ? s[offset + 1] : '\0';
  switch (c) {
    case '*':
      return next == '*' ? make(TokenKind::kPow, 2) : make(TokenKind::kStar, 1);
    case '+':
      return make(TokenKind::kPlus, 1);
    case '-':
      return make(TokenKind::kMinus, 1);
    case '/':
      return make(TokenKind::kSlash, 1);
    case '[':
      return make(TokenKind::kLBracket, 1);
    case ']':
      return make(TokenKind::kRBracket, 1);
    case '.':
      return make(TokenKind::kDot, 1);
    case '(':
      return make(TokenKind::kLParen, 1);
    case ')':
      return make(TokenKind::kRParen, 1);
    case '{':
      return make(TokenKind::kLBrace, 1);
    case '}':
      return make(TokenKind::kRBrace, 1);
    case ':':
      return make(TokenKind::kColon, 1);
    case ',':
      return make(TokenKind::kComma, 1);
    case '>':
      return next == '=' ? make(TokenKind::kGe, 2) : make(TokenKind::kGt, 1);
    case '<':
      return next == '=' ? make(TokenKind::kLe, 2) : make(TokenKind::kLt, 1);
    case '=':
      if (next == '=') return make(TokenKind::kEq, 2);
      break;
    case '!':
      return next == '=' ? make(TokenKind::kNe, 2) : make(TokenKind::kNot, 1);
    case '&':
      if (next == '&') return make(TokenKind::kAnd, 2);
      break;
    case '|':
      if (next == '|') return make(TokenKind::kOr, 2);
      break;
    case '\'':
    case '"': {
      const size_t close = s.find(c, offset + 1);
      if (close != std::string_view::npos) {
        return make(TokenKind::kString, close - offset + 1);
      }
      break;
    }
    default:
      if (IsDigit(c)) {
        size_t end = offset;
        while (end < s.size() && IsDigit(s[end])) ++end;
        if (end + 1 < s.size() && s[end] == '.' && IsDigit(s[end + 1])) {
          end += 1;
          while (end < s.size() && IsDigit(s[end])) ++end;
        }
        return make(TokenKind::kNumber, end - offset);
      }
      if (IsIdentifierStart(c)) {
        size_t end = offset;
        while (end < s.size() && IsIdentifierChar(s[end])) ++end;
        const std::string_view word = s.substr(offset, end - offset);
        for (const Keyword& keyword : kKeywords) {
          if (word == keyword.text) return make(keyword.kind, end - offset);
        }
        return make(TokenKind::kIdentifier, end - offset);
      }
  }
  return SyntaxError(Cat("Unexpected input for '", s, "' at '", s.substr(offset), "'"));
}

}  // namespace bulwark::jsone
