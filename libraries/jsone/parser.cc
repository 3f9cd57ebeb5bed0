#include "libraries/jsone/parser.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "libraries/jsone/error.h"
#include "libraries/jsone/js_number.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {
namespace {

constexpr char kExpectedOperand[] =
    "!, (, +, -, [, false, identifier, null, number, string, true, {";
constexpr char kExpectedOperator[] = "!=, &&, (, *, **, +, -, ., /, <, <=, ==, >, >=, [, in, ||";

// The deepest nesting of an expression (parentheses, operators, postfix
// chains).
constexpr int kMaxDepth = 1000;

// The precedence level of a binary operator, lowest first (|| is 0, ** is 7);
// -1 for tokens that are not binary operators.
constexpr int kPowLevel = 7;
int LevelOf(TokenKind kind) {
  switch (kind) {
    case TokenKind::kOr:
      return 0;
    case TokenKind::kAnd:
      return 1;
    case TokenKind::kIn:
      return 2;
    case TokenKind::kEq:
    case TokenKind::kNe:
      return 3;
    case TokenKind::kLt:
    case TokenKind::kGt:
    case TokenKind::kLe:
    case TokenKind::kGe:
      return 4;
    case TokenKind::kPlus:
    case TokenKind::kMinus:
      return 5;
    case TokenKind::kStar:
    case TokenKind::kSlash:
      return 6;
    case TokenKind::kPow:
      return kPowLevel;
    default:
      return -1;
  }
}

}  // namespace

class Parser {
 public:
  explicit Parser(std::string_view source) : lexer_(source) {
    // Small enough to stay out of malloc's large bins for most expressions.
    expression_.nodes_.reserve(std::min<size_t>(source.size() / 3 + 2, 16));
  }

  absl::Status Start() { return Advance(0); }

  static absl::Status TooDeep() {
    return SyntaxError("expression nests too deeply (more than 1000 levels)");
  }

  absl::StatusOr<Expression> Finish(int32_t root) {
    if (tree_too_deep_) return TooDeep();
    expression_.root_ = root;
    return std::move(expression_);
  }

  bool has_token() const { return current_.has_token; }
  const Token& token() const { return current_.token; }
  bool At(TokenKind kind) const { return current_.has_token && current_.token.kind == kind; }

  static absl::Status FoundError(const Token& token, std::string_view expected) {
    return SyntaxError(Cat("Found: ", token.text, " token, expected one of: ", expected));
  }

  // Parses operators of level >= `min_level` (precedence climbing). This builds
  // the same tree as the reference's one-function-per-level grammar: levels 0-6
  // associate to the left, ** to the right.
  absl::StatusOr<int32_t> ParseLevel(int min_level) {
    const Nesting nesting(this);
    if (nesting.too_deep()) return TooDeep();
    BULWARK_ASSIGN_OR_RETURN(int32_t node, ParsePostfix());
    while (has_token()) {
      const TokenKind op = token().kind;
      const int level = LevelOf(op);
      if (level < min_level) break;
      BULWARK_RETURN_IF_ERROR(Advance(token().end));
      BULWARK_ASSIGN_OR_RETURN(int32_t right, ParseLevel(level == kPowLevel ? level : level + 1));
      node = AddBinary(op, node, right);
    }
    return node;
  }

 private:
  absl::Status Advance(size_t offset) {
    BULWARK_ASSIGN_OR_RETURN(current_, lexer_.Next(offset));
    return absl::OkStatus();
  }

  absl::Status Take(TokenKind kind) {
    if (!has_token()) return SyntaxError("Unexpected end of input");
    if (token().kind != kind) return FoundError(token(), TokenKindName(kind));
    return Advance(token().end);
  }

  absl::Status RequireToken() {
    if (!has_token()) return SyntaxError("Unexpected end of input");
    return absl::OkStatus();
  }

  bool IsMissing(int32_t node) const { return expression_.nodes_[node].kind == ExprKind::kMissing; }

  int32_t Add(ExprNode node) {
    // Depth of the tree below this node, so that evaluating it (which
    // recurses) stays bounded even for long operator or postfix chains.
    int32_t depth = 0;
    // (For kObject, b indexes the keys, not a node.)
    const int32_t b = node.kind == ExprKind::kObject ? -1 : node.b;
    for (int32_t child : {node.a, b, node.c}) {
      if (child >= 0) depth = std::max(depth, expression_.nodes_[child].depth);
    }
    for (int32_t i = 0; i < node.count; ++i) {
      depth = std::max(depth, expression_.nodes_[expression_.lists_[node.first + i]].depth);
    }
    node.depth = depth + 1;
    if (node.depth > kMaxDepth) tree_too_deep_ = true;
    expression_.nodes_.push_back(std::move(node));
    return static_cast<int32_t>(expression_.nodes_.size() - 1);
  }

  int32_t AddString(std::string_view text) {
    expression_.strings_.emplace_back(text);
    return static_cast<int32_t>(expression_.strings_.size() - 1);
  }

  int32_t AddBinary(TokenKind op, int32_t a, int32_t b) {
    ExprNode node;
    node.kind = ExprKind::kBinary;
    node.op = op;
    node.a = a;
    node.b = b;
    return Add(std::move(node));
  }

  // Appends a kList/kCall/kObject child list and returns its first position.
  int32_t AddList(absl::Span<const int32_t> items) {
    const int32_t first = static_cast<int32_t>(expression_.lists_.size());
    expression_.lists_.insert(expression_.lists_.end(), items.begin(), items.end());
    return first;
  }

  absl::StatusOr<int32_t> ParsePostfix() {
    BULWARK_ASSIGN_OR_RETURN(int32_t node, ParseUnit());
    while (has_token()) {
      const TokenKind kind = token().kind;
      if (kind == TokenKind::kLBracket) {
        BULWARK_ASSIGN_OR_RETURN(node, ParseAccess(node));
      } else if (kind == TokenKind::kDot) {
        BULWARK_RETURN_IF_ERROR(Advance(token().end));
        BULWARK_RETURN_IF_ERROR(RequireToken());
        ExprNode dot;
        dot.kind = ExprKind::kDot;
        dot.a = node;
        dot.text = AddString(token().text);
        BULWARK_RETURN_IF_ERROR(Take(TokenKind::kIdentifier));
        node = Add(std::move(dot));
      } else if (kind == TokenKind::kLParen) {
        BULWARK_ASSIGN_OR_RETURN(node, ParseSequence(ExprKind::kCall, node));
      } else {
        break;
      }
    }
    return node;
  }

  absl::StatusOr<int32_t> ParseUnit() {
    BULWARK_RETURN_IF_ERROR(RequireToken());
    const Nesting nesting(this);
    if (nesting.too_deep()) return TooDeep();
    const Token t = token();
    ExprNode node;
    switch (t.kind) {
      case TokenKind::kMinus:
      case TokenKind::kPlus:
      case TokenKind::kNot: {
        BULWARK_RETURN_IF_ERROR(Advance(t.end));
        BULWARK_ASSIGN_OR_RETURN(int32_t operand, ParseUnit());
        node.kind = ExprKind::kUnary;
        node.op = t.kind;
        node.a = operand;
        return Add(std::move(node));
      }
      case TokenKind::kNumber: {
        node.value = Value::Number(ParseJsNumber(t.text));
        break;
      }
      case TokenKind::kString:
        node.value = Value::String(t.text.substr(1, t.text.size() - 2));
        break;
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        node.value = Value::Bool(t.kind == TokenKind::kTrue);
        break;
      case TokenKind::kNull:
        break;
      case TokenKind::kIdentifier:
        BULWARK_RETURN_IF_ERROR(Advance(t.end));
        node.kind = ExprKind::kIdentifier;
        node.text = AddString(t.text);
        return Add(std::move(node));
      case TokenKind::kLParen: {
        BULWARK_RETURN_IF_ERROR(Advance(t.end));
        BULWARK_ASSIGN_OR_RETURN(int32_t inner, ParseLevel(0));
        if (IsMissing(inner)) {
          BULWARK_RETURN_IF_ERROR(RequireToken());
          return FoundError(token(), kExpectedOperand);
        }
        BULWARK_RETURN_IF_ERROR(Take(TokenKind::kRParen));
        return inner;
      }
      case TokenKind::kLBracket:
        return ParseSequence(ExprKind::kList);
      case TokenKind::kLBrace:
        return ParseObject();
      default:
        // No operand here; the reference only fails if this is evaluated.
        node.kind = ExprKind::kMissing;
        node.text =
            AddString(Cat("Found: ", t.text, " token, expected one of: ", kExpectedOperand));
        return Add(std::move(node));
    }
    BULWARK_RETURN_IF_ERROR(Advance(t.end));
    node.kind = ExprKind::kLiteral;
    return Add(std::move(node));
  }

  // Parses "expr (, expr)*" up to (not including) `close`; a missing operand
  // before a comma is an error.
  using Items = absl::InlinedVector<int32_t, 8>;
  absl::StatusOr<Items> ParseItems(TokenKind close) {
    Items items;
    BULWARK_RETURN_IF_ERROR(RequireToken());
    if (token().kind == close) return items;
    BULWARK_ASSIGN_OR_RETURN(int32_t item, ParseLevel(0));
    items.push_back(item);
    while (At(TokenKind::kComma)) {
      if (IsMissing(items.back())) return FoundError(token(), kExpectedOperand);
      BULWARK_RETURN_IF_ERROR(Advance(token().end));
      BULWARK_ASSIGN_OR_RETURN(item, ParseLevel(0));
      items.push_back(item);
    }
    return items;
  }

  // A call's arguments (kCall, after `callee`) or a list literal (kList).
  absl::StatusOr<int32_t> ParseSequence(ExprKind kind, int32_t callee = -1) {
    const TokenKind open = kind == ExprKind::kCall ? TokenKind::kLParen : TokenKind::kLBracket;
    const TokenKind close = kind == ExprKind::kCall ? TokenKind::kRParen : TokenKind::kRBracket;
    BULWARK_RETURN_IF_ERROR(Take(open));
    BULWARK_ASSIGN_OR_RETURN(Items items, ParseItems(close));
    BULWARK_RETURN_IF_ERROR(Take(close));
    ExprNode node;
    node.kind = kind;
    node.a = callee;
    node.first = AddList(items);
    node.count = static_cast<int32_t>(items.size());
    return Add(std::move(node));
  }

  absl::StatusOr<int32_t> ParseAccess(int32_t target) {
    BULWARK_RETURN_IF_ERROR(Take(TokenKind::kLBracket));
    BULWARK_RETURN_IF_ERROR(RequireToken());
    if (At(TokenKind::kRBracket)) return FoundError(token(), kExpectedOperand);
    ExprNode node;
    node.kind = ExprKind::kAccess;
    node.a = target;
    if (!At(TokenKind::kColon)) {
      BULWARK_ASSIGN_OR_RETURN(node.b, ParseLevel(0));
    }
    BULWARK_RETURN_IF_ERROR(RequireToken());
    if (At(TokenKind::kColon)) {
      node.interval = true;
      BULWARK_RETURN_IF_ERROR(Advance(token().end));
    }
    BULWARK_RETURN_IF_ERROR(RequireToken());
    if (!At(TokenKind::kRBracket)) {
      BULWARK_ASSIGN_OR_RETURN(node.c, ParseLevel(0));
    }
    // The reference treats an absent operand and a missing one alike here.
    if (node.b >= 0 && IsMissing(node.b)) node.b = -1;
    if (node.c >= 0 && IsMissing(node.c)) node.c = -1;
    if (node.interval && node.c < 0 && has_token() && !At(TokenKind::kRBracket)) {
      return FoundError(token(), kExpectedOperand);
    }
    BULWARK_RETURN_IF_ERROR(Take(TokenKind::kRBracket));
    return Add(std::move(node));
  }

  absl::StatusOr<int32_t> ParseObject() {
    BULWARK_RETURN_IF_ERROR(Take(TokenKind::kLBrace));
    std::vector<std::pair<std::string, int32_t>> members;
    while (At(TokenKind::kString) || At(TokenKind::kIdentifier)) {
      const Token key_token = token();
      std::string key(key_token.kind == TokenKind::kString
                          ? key_token.text.substr(1, key_token.text.size() - 2)
                          : key_token.text);
      BULWARK_RETURN_IF_ERROR(Advance(key_token.end));
      BULWARK_RETURN_IF_ERROR(Take(TokenKind::kColon));
      BULWARK_ASSIGN_OR_RETURN(int32_t value, ParseLevel(0));
      if (IsMissing(value)) {
        BULWARK_RETURN_IF_ERROR(RequireToken());
        return FoundError(token(), kExpectedOperand);
      }
      // A repeated key keeps its first position and takes the last value.
      auto it = std::find_if(members.begin(), members.end(),
                             [&](const auto& m) { return m.first == key; });
      if (it != members.end()) {
        it->second = value;
      } else {
        members.emplace_back(std::move(key), value);
      }
      if (At(TokenKind::kRBrace)) break;
      BULWARK_RETURN_IF_ERROR(Take(TokenKind::kComma));
    }
    BULWARK_RETURN_IF_ERROR(Take(TokenKind::kRBrace));
    ExprNode node;
    node.kind = ExprKind::kObject;
    node.first = static_cast<int32_t>(expression_.lists_.size());
    node.count = static_cast<int32_t>(members.size());
    node.b = static_cast<int32_t>(expression_.strings_.size());
    for (auto& [key, value] : members) {
      expression_.lists_.push_back(value);
      expression_.strings_.push_back(std::move(key));
    }
    return Add(std::move(node));
  }

  // Bounds the parser's recursion: ParseLevel and ParseUnit count themselves.
  class Nesting {
   public:
    explicit Nesting(Parser* parser) : parser_(parser) { ++parser_->nesting_; }
    ~Nesting() { --parser_->nesting_; }
    // ParseLevel and ParseUnit each recurse once per level of nesting.
    bool too_deep() const { return parser_->nesting_ > 2 * kMaxDepth + 2; }

   private:
    Parser* parser_;
  };

  int nesting_ = 0;
  bool tree_too_deep_ = false;  // Set by Add; see ExprNode depth.
  Lexer lexer_;
  Lexer::Result current_;
  Expression expression_;
};

absl::StatusOr<Expression> ParseExpression(std::string_view source) {
  Parser parser(source);
  BULWARK_RETURN_IF_ERROR(parser.Start());
  BULWARK_ASSIGN_OR_RETURN(int32_t root, parser.ParseLevel(0));
  if (parser.has_token()) {
    return Parser::FoundError(parser.token(), kExpectedOperator);
  }
  return parser.Finish(root);
}

absl::StatusOr<Expression> ParseInterpolation(std::string_view source, size_t* length) {
  Parser parser(source);
  BULWARK_RETURN_IF_ERROR(parser.Start());
  BULWARK_ASSIGN_OR_RETURN(int32_t root, parser.ParseLevel(0));
  if (!parser.has_token()) {
    return SyntaxError("unterminated ${..} expression");
  }
  if (parser.token().kind != TokenKind::kRBrace) {
    return Parser::FoundError(parser.token(), kExpectedOperator);
  }
  *length = parser.token().end;
  return parser.Finish(root);
}

}  // namespace bulwark::jsone
