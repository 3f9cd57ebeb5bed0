// File: libraries/jsone/expression.h
//
// Expression: a parsed JSON-e expression, stored as a flat array of nodes that
// refer to each other by index. Built by parser.h, evaluated by interpreter.h.
//
// A node of kind kMissing stands where the reference parser found no operand
// (e.g. the end of "[1, ]"); the reference fails only if such a node is
// evaluated, so evaluating it gives the SyntaxError recorded in `text`.
//
// Thread-safety: immutable once built; may be evaluated from any number of
// threads.

#ifndef BULWARK_LIBRARIES_JSONE_EXPRESSION_H_
#define BULWARK_LIBRARIES_JSONE_EXPRESSION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "libraries/jsone/lexer.h"
#include "libraries/jsone/value.h"

namespace bulwark::jsone {

enum class ExprKind : uint8_t {
  kLiteral,     // `value`
  kIdentifier,  // text() is the name
  kUnary,       // `op` applied to child a
  kBinary,      // a `op` b (for **, a is the base and b the exponent)
  kDot,         // a.text()
  kAccess,      // a[b] or, when `interval`, a[b:c]; b and c may be -1 (absent)
  kCall,        // a(list...)
  kList,        // [list...]
  kObject,      // {key(b + i): list[i]...}
  kMissing,     // no operand; text() is the SyntaxError message
};

struct ExprNode {
  ExprKind kind = ExprKind::kMissing;
  TokenKind op = TokenKind::kPlus;
  bool interval = false;
  int32_t a = -1;
  int32_t b = -1;
  int32_t c = -1;
  // Children of kCall, kList and kObject: positions [first, first + count) of
  // the child list.
  int32_t first = 0;
  int32_t count = 0;
  int32_t depth = 1;  // Height of the subtree rooted here.
  int32_t text = -1;  // Index of the node's text (see Expression::text).
  Value value;
};

class Expression {
 public:
  const ExprNode& node(int32_t index) const { return nodes_[index]; }
  int32_t root() const { return root_; }
  absl::Span<const int32_t> children(const ExprNode& node) const {
    return absl::MakeConstSpan(lists_).subspan(node.first, node.count);
  }
  // Object literal keys are strings b, b + 1, ... of their kObject node.
  const std::string& key(int32_t index) const { return strings_[index]; }
  const std::string& text(const ExprNode& node) const { return strings_[node.text]; }

 private:
  friend class Parser;
  std::vector<ExprNode> nodes_;
  std::vector<int32_t> lists_;
  std::vector<std::string> strings_;  // Names, messages and object keys.
  int32_t root_ = -1;
};

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_EXPRESSION_H_
