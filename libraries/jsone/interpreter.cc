#include "libraries/jsone/interpreter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "libraries/jsone/error.h"
#include "libraries/jsone/js_number.h"
#include "libraries/jsone/json_context.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/jsone/unicode.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {
namespace {

absl::Status Expects(std::string_view op, std::string_view expectation) {
  return InterpreterError(Cat(op, " expects ", expectation));
}

double JsPow(double base, double exponent) {
  if (std::isnan(exponent)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(exponent) && std::fabs(base) == 1) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return std::pow(base, exponent);
}

// JavaScript's ToNumber after ToPrimitive, as a relational comparison applies
// it.
double LooseNumber(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNumber:
      return v.number();
    case Value::Type::kNull:
      return 0;
    case Value::Type::kBool:
      return v.bool_value() ? 1 : 0;
    case Value::Type::kString:
      return ParseJsNumber(v.string());
    case Value::Type::kArray:
      return ParseJsNumber(JsString(v));
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

// A sequence indexed by position: an array, or a string by code point.
class Sequence {
 public:
  explicit Sequence(const Value& v) : value_(v) {
    if (v.is_array()) {
      length_ = v.array().size();
    } else {
      ascii_ = IsAscii(v.string());
      length_ = ascii_ ? v.string().size() : CodePointCount(v.string());
    }
  }
  double length() const { return static_cast<double>(length_); }

  Value At(size_t i) const {
    if (value_.is_array()) return value_.array()[i];
    return Value::String(Substr(i, i + 1));
  }
  Value Slice(size_t begin, size_t end) const {
    end = std::min(end, length_);
    begin = std::min(begin, end);
    if (value_.is_array()) {
      const Array& items = value_.array();
      return Value::MakeArray(Array(items.begin() + begin, items.begin() + end));
    }
    return Value::String(Substr(begin, end));
  }

 private:
  std::string_view Substr(size_t begin, size_t end) const {
    if (ascii_) return value_.string().substr(begin, end - begin);
    return CodePointSubstr(value_.string(), begin, end);
  }

  const Value& value_;
  size_t length_ = 0;
  bool ascii_ = false;
};

// a[left] or a[left:right] on an array or string, with the reference's
// arithmetic. `right` is null when absent.
absl::StatusOr<Value> IndexOrSlice(const Value& target, bool interval, const Value& left,
                                   const Value& right) {
  const Sequence seq(target);
  const double len = seq.length();
  if (!interval) {
    if (!left.is_number()) {
      return InterpreterError("should only use integers to access arrays or strings");
    }
    double i = left.number();
    if (i < 0) i = std::max(len + i, 0.0);
    if (!IsJsInteger(i)) {
      return InterpreterError("should only use integers to access arrays or strings");
    }
    if (i >= len) return InterpreterError("index out of bounds");
    return seq.At(static_cast<size_t>(i));
  }
  const auto non_integer = [] {
    return InterpreterError("cannot perform interval access with non-integers");
  };
  // The end: absent (or null) is the length; otherwise it must be a number.
  double end = len;
  if (!right.is_null()) {
    if (!right.is_number()) return non_integer();
    end = right.number();
    if (end < 0) end = std::max(len + end, 0.0);
  }
  double begin;
  if (left.is_number()) {
    begin = left.number();
    if (begin < 0) begin = std::max(len + begin, 0.0);
    if (begin > end) begin = end;
  } else {
    // A non-number start only survives if JavaScript's `start > end` replaces
    // it by end.
    const double loose = LooseNumber(left);
    if (loose < 0 || !(loose > end)) return non_integer();
    begin = end;
  }
  if (!IsJsInteger(begin) || !IsJsInteger(end)) return non_integer();
  // Clamp to [0, length] before converting: the bounds may be huge.
  const auto clamp = [len](double x) {
    return static_cast<size_t>(std::min(std::max(x, 0.0), len));
  };
  return seq.Slice(clamp(begin), clamp(end));
}

class Interpreter {
 public:
  Interpreter(const Expression& expression, const Scope& scope)
      : expression_(expression), scope_(scope) {}

  absl::StatusOr<Value> Eval(int32_t index) {
    const ExprNode& node = expression_.node(index);
    switch (node.kind) {
      case ExprKind::kLiteral:
        return node.value;
      case ExprKind::kIdentifier: {
        const Value* value = scope_.Lookup(expression_.text(node));
        if (value == nullptr) {
          return InterpreterError(Cat("unknown context value ", expression_.text(node)));
        }
        return *value;
      }
      case ExprKind::kUnary:
        return EvalUnary(node);
      case ExprKind::kBinary:
        return EvalBinary(node);
      case ExprKind::kDot: {
        if (std::optional<absl::StatusOr<Value>> read = EvalPath(node)) {
          return *std::move(read);
        }
        BULWARK_ASSIGN_OR_RETURN(Value target, Eval(node.a));
        if (!target.is_object()) return Expects("infix: .", "objects");
        const Value* member = target.object().Find(expression_.text(node));
        if (member == nullptr) {
          return InterpreterError(Cat("object has no property \"", expression_.text(node), "\""));
        }
        return *member;
      }
      case ExprKind::kAccess:
        return EvalAccess(node);
      case ExprKind::kCall:
        return EvalCall(node);
      case ExprKind::kList: {
        Array items;
        items.reserve(node.count);
        for (int32_t child : expression_.children(node)) {
          BULWARK_ASSIGN_OR_RETURN(Value item, Eval(child));
          items.push_back(std::move(item));
        }
        return Value::MakeArray(std::move(items));
      }
      case ExprKind::kObject: {
        std::vector<Object::Member> members;
        members.reserve(node.count);
        const auto children = expression_.children(node);
        for (int32_t i = 0; i < node.count; ++i) {
          BULWARK_ASSIGN_OR_RETURN(Value item, Eval(children[i]));
          members.emplace_back(expression_.key(node.b + i), std::move(item));
        }
        return Value::MakeObject(Object::FromMembers(std::move(members)));
      }
      case ExprKind::kMissing:
        return SyntaxError(expression_.text(node));
    }
    return SyntaxError("invalid expression");
  }

 private:
  // name.p1.p2...: resolves `name` once and follows the properties, in the
  // JSON when `name` is a member of the JSON context (converting only the
  // end). nullopt when the chain does not start with a name.
  std::optional<absl::StatusOr<Value>> EvalPath(const ExprNode& dot) {
    absl::InlinedVector<std::string_view, 8> properties;
    const ExprNode* node = &dot;
    while (node->kind == ExprKind::kDot) {
      properties.push_back(expression_.text(*node));
      node = &expression_.node(node->a);
    }
    if (node->kind != ExprKind::kIdentifier) return std::nullopt;
    std::reverse(properties.begin(), properties.end());
    const std::string& name = expression_.text(*node);
    const Scope::Resolved resolved = scope_.Resolve(name);
    if (!resolved.found()) {
      return InterpreterError(Cat("unknown context value ", name));
    }
    if (resolved.json != nullptr) {
      return scope_.json_context()->Walk(*resolved.json, properties);
    }
    const Value* value = resolved.value;
    for (std::string_view property : properties) {
      if (!value->is_object()) return Expects("infix: .", "objects");
      value = value->object().Find(property);
      if (value == nullptr) {
        return InterpreterError(Cat("object has no property \"", property, "\""));
      }
    }
    return *value;
  }

  absl::StatusOr<Value> EvalUnary(const ExprNode& node) {
    BULWARK_ASSIGN_OR_RETURN(Value operand, Eval(node.a));
    switch (node.op) {
      case TokenKind::kNot:
        return Value::Bool(!IsTruthy(operand));
      case TokenKind::kMinus:
        if (!operand.is_number()) return Expects("unary -", "number");
        return Value::Number(-operand.number());
      default:
        if (!operand.is_number()) return Expects("unary +", "number");
        return operand;
    }
  }

  absl::StatusOr<Value> EvalBinary(const ExprNode& node) {
    if (node.op == TokenKind::kPow) {
      // The reference evaluates the exponent first.
      BULWARK_ASSIGN_OR_RETURN(Value exponent, Eval(node.b));
      BULWARK_ASSIGN_OR_RETURN(Value base, Eval(node.a));
      if (!base.is_number() || !exponent.is_number()) {
        return Expects("infix: **", "number ** number");
      }
      return Value::Number(JsPow(base.number(), exponent.number()));
    }
    BULWARK_ASSIGN_OR_RETURN(Value left, Eval(node.a));
    if (node.op == TokenKind::kOr || node.op == TokenKind::kAnd) {
      const bool truthy = IsTruthy(left);
      if (truthy == (node.op == TokenKind::kOr)) return Value::Bool(truthy);
      BULWARK_ASSIGN_OR_RETURN(Value right, Eval(node.b));
      return Value::Bool(IsTruthy(right));
    }
    BULWARK_ASSIGN_OR_RETURN(Value right, Eval(node.b));
    const bool numbers = left.is_number() && right.is_number();
    const bool strings = left.is_string() && right.is_string();
    switch (node.op) {
      case TokenKind::kPlus:
        if (numbers) return Value::Number(left.number() + right.number());
        if (strings) {
          BULWARK_RETURN_IF_ERROR(scope_.Produce(left.string().size() + right.string().size()));
          return Value::Concat(left.string(), right.string());
        }
        return Expects("infix: +", "numbers/strings + numbers/strings");
      case TokenKind::kMinus:
        if (!numbers) return Expects("infix: -", "number - number");
        return Value::Number(left.number() - right.number());
      case TokenKind::kStar:
        if (!numbers) return Expects("infix: *", "number * number");
        return Value::Number(left.number() * right.number());
      case TokenKind::kSlash:
        if (!numbers) return Expects("infix: /", "number / number");
        if (right.number() == 0) return InterpreterError("division by zero");
        return Value::Number(left.number() / right.number());
      case TokenKind::kEq:
        return Value::Bool(Equals(left, right));
      case TokenKind::kNe:
        return Value::Bool(!Equals(left, right));
      case TokenKind::kIn:
        return EvalIn(left, right);
      default:
        return Compare(node.op, left, right, numbers, strings);
    }
  }

  static absl::StatusOr<Value> Compare(TokenKind op, const Value& left, const Value& right,
                                       bool numbers, bool strings) {
    const std::string_view name = TokenKindName(op);
    if (!numbers && !strings) {
      return Expects(Cat("infix: ", name), Cat("numbers/strings ", name, " numbers/strings"));
    }
    bool less, greater;
    if (numbers) {
      less = left.number() < right.number();
      greater = left.number() > right.number();
    } else {
      const int c = CompareUtf16(left.string(), right.string());
      less = c < 0;
      greater = c > 0;
    }
    switch (op) {
      case TokenKind::kLt:
        return Value::Bool(less);
      case TokenKind::kGt:
        return Value::Bool(greater);
      case TokenKind::kLe:
        return Value::Bool(numbers ? left.number() <= right.number() : !greater);
      default:
        return Value::Bool(numbers ? left.number() >= right.number() : !less);
    }
  }

  static absl::StatusOr<Value> EvalIn(const Value& left, const Value& right) {
    if (right.is_object()) {
      if (!left.is_string()) {
        return Expects("Infix: in-object", "string on left side");
      }
      return Value::Bool(right.object().Contains(left.string()));
    }
    if (right.is_string()) {
      if (!left.is_string()) {
        return Expects("Infix: in-string", "string on left side");
      }
      return Value::Bool(right.string().find(left.string()) != std::string_view::npos);
    }
    if (!right.is_array()) {
      return Expects("Infix: in", "Array, string, or object on right side");
    }
    for (const Value& item : right.array()) {
      if (Equals(left, item)) return Value::Bool(true);
    }
    return Value::Bool(false);
  }

  absl::StatusOr<Value> EvalAccess(const ExprNode& node) {
    BULWARK_ASSIGN_OR_RETURN(Value target, Eval(node.a));
    Value left = Value::Number(0);
    Value right;
    if (node.b >= 0) {
      BULWARK_ASSIGN_OR_RETURN(left, Eval(node.b));
    }
    if (node.c >= 0) {
      BULWARK_ASSIGN_OR_RETURN(right, Eval(node.c));
    }
    if (target.is_array() || target.is_string()) {
      return IndexOrSlice(target, node.interval, left, right);
    }
    if (!target.is_object()) {
      return Expects("infix: \"[..]\"", "object, array, or string");
    }
    if (!left.is_string()) return InterpreterError("object keys must be strings");
    const Value* member = target.object().Find(left.string());
    return member != nullptr ? *member : Value();
  }

  absl::StatusOr<Value> EvalCall(const ExprNode& node) {
    BULWARK_ASSIGN_OR_RETURN(Value callee, Eval(node.a));
    if (!callee.is_function()) {
      return InterpreterError(Cat(JsString(callee), " is not callable"));
    }
    std::vector<Value> args;
    args.reserve(node.count);
    for (int32_t child : expression_.children(node)) {
      BULWARK_ASSIGN_OR_RETURN(Value arg, Eval(child));
      args.push_back(std::move(arg));
    }
    BULWARK_ASSIGN_OR_RETURN(Value result, callee.function().Call(scope_, args));
    if (result.depth() > Value::kMaxDepth) {
      return InterpreterError(
          Cat(callee.function().name(), "() returned a value nested too deeply"));
    }
    return result;
  }

  const Expression& expression_;
  const Scope& scope_;
};

}  // namespace

absl::StatusOr<Value> Evaluate(const Expression& expression, const Scope& scope) {
  BULWARK_RETURN_IF_ERROR(scope.Step());
  return Interpreter(expression, scope).Eval(expression.root());
}

}  // namespace bulwark::jsone
