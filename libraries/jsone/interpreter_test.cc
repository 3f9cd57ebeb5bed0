// Parser and interpreter tests beyond the specification suite: precedence and
// associativity, laziness of missing operands, lexer laziness, coercions in
// slices, and error messages.

#include "libraries/jsone/interpreter.h"

#include "gtest/gtest.h"
#include "libraries/jsone/builtins.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/parser.h"

namespace bulwark::jsone {
namespace {

// Evaluates `source` with context {a: 2, s: "héllo", o: {k: 1}, l: [1, 2, 3]}
// and returns the result as JSON text or the error message.
std::string Eval(std::string_view source) {
  static const Value* const context =
      new Value(Value::FromJson(nlohmann::json::parse(R"({"a": 2, "s": "héllo", "o": {"k": 1},
                               "l": [1, 2, 3]})")));
  const Value now = Value::String("2017-01-19T16:27:20.974Z");
  Scope::Root root;
  root.variables = &context->object();
  root.now = &now;
  root.builtins = &Builtins();
  root.clock = absl::FromUnixMillis(1484843240974);
  const Scope scope(&root);
  absl::StatusOr<Expression> expression = ParseExpression(source);
  if (!expression.ok()) return std::string(expression.status().message());
  absl::StatusOr<Value> value = Evaluate(*expression, scope);
  if (!value.ok()) return std::string(value.status().message());
  return Stringify(*value);
}

TEST(InterpreterTest, Precedence) {
  EXPECT_EQ(Eval("1 + 2 * 3"), "7");
  EXPECT_EQ(Eval("(1 + 2) * 3"), "9");
  EXPECT_EQ(Eval("2 ** 3 ** 2"), "512");
  EXPECT_EQ(Eval("-2 ** 2"), "4");  // Unary binds tighter, as in the reference.
  EXPECT_EQ(Eval("10 - 4 - 3"), "3");
  EXPECT_EQ(Eval("12 / 3 / 2"), "2");
  EXPECT_EQ(Eval("1 < 2 == true"), "true");
  EXPECT_EQ(Eval("'a' in 'cat' && 2 in l || false"), "true");
  EXPECT_EQ(Eval("!a"), "false");
  EXPECT_EQ(Eval("-a.b"), "InterpreterError: infix: . expects objects");
}

TEST(InterpreterTest, ShortCircuitAndBooleans) {
  EXPECT_EQ(Eval("0 || 'x'"), "true");
  EXPECT_EQ(Eval("1 && 0"), "false");
  EXPECT_EQ(Eval("false && nope"), "false");
  EXPECT_EQ(Eval("true || nope"), "true");
  // A missing operand fails only when evaluated.
  EXPECT_EQ(Eval("false && [1, ]"), "false");
  EXPECT_EQ(Eval("[1, ]"),
            "SyntaxError: Found: ] token, expected one of: !, (, +, -, [, "
            "false, identifier, null, number, string, true, {");
}

TEST(InterpreterTest, LiteralsAndAccess) {
  EXPECT_EQ(Eval("{a: 1, 'b c': [2], a: 3}"), R"({"a":3,"b c":[2]})");
  EXPECT_EQ(Eval("o.k + o['k']"), "2");
  EXPECT_EQ(Eval("o['missing']"), "null");
  EXPECT_EQ(Eval("o.missing"), "InterpreterError: object has no property \"missing\"");
  EXPECT_EQ(Eval("l[-1]"), "3");
  EXPECT_EQ(Eval("l[-10]"), "1");  // Clamped to 0, as in the reference.
  EXPECT_EQ(Eval("l[3]"), "InterpreterError: index out of bounds");
  EXPECT_EQ(Eval("s[1]"), R"("é")");
  EXPECT_EQ(Eval("s[1:3]"), R"("él")");
  EXPECT_EQ(Eval("l[1:null]"), "[2,3]");
  EXPECT_EQ(Eval("l[1:10 ** 300]"), "[2,3]");
  EXPECT_EQ(Eval("l[-(10 ** 300):1]"), "[1]");
  EXPECT_EQ(Eval("l[10 ** 300]"), "InterpreterError: index out of bounds");
  EXPECT_EQ(Eval("l[true:0]"), "[]");  // JavaScript's true > 0.
  EXPECT_EQ(Eval("l['x':1]"), "InterpreterError: cannot perform interval access with non-integers");
  EXPECT_EQ(Eval("'abc' + 'def'"), R"("abcdef")");
  EXPECT_EQ(Eval("'b' < 'a'"), "false");
}

TEST(InterpreterTest, Errors) {
  EXPECT_EQ(Eval("nope"), "InterpreterError: unknown context value nope");
  EXPECT_EQ(Eval("a(1)"), "InterpreterError: 2 is not callable");
  EXPECT_EQ(Eval("l(1)"), "InterpreterError: 1,2,3 is not callable");
  EXPECT_EQ(Eval("1 / 0"), "InterpreterError: division by zero");
  EXPECT_EQ(Eval("1 = 2"), "SyntaxError: Unexpected input for '1 = 2' at '= 2'");
  EXPECT_EQ(Eval(""), "SyntaxError: Unexpected end of input");
  EXPECT_EQ(Eval("1 2"),
            "SyntaxError: Found: 2 token, expected one of: !=, &&, (, *, **, +, "
            "-, ., /, <, <=, ==, >, >=, [, in, ||");
  EXPECT_EQ(Eval("1 in 2"),
            "InterpreterError: Infix: in expects Array, string, or object on "
            "right side");
  EXPECT_EQ(Eval("sqrt(4, 5)"), "BuiltinError: invalid arguments to builtin: sqrt");
  EXPECT_EQ(Eval("range(1, 5, 0)"), "BuiltinError: invalid arguments to builtin: range");
}

TEST(InterpreterTest, Builtins) {
  EXPECT_EQ(Eval("[min(3, 1, 2), max(1, 4), abs(-2), floor(1.5), ceil(1.2)]"), "[1,4,2,1,2]");
  EXPECT_EQ(Eval("[len(s), len(l), str(1.0), str(null), number('0x10')]"),
            R"([5,3,"1","null",16])");
  EXPECT_EQ(Eval("split('a,b,,c', ',')"), R"(["a","b","","c"])");
  EXPECT_EQ(Eval("split('héé', '')"), R"(["h","é","é"])");
  EXPECT_EQ(Eval("join(l, 0)"), R"("10203")");
  EXPECT_EQ(Eval("[strip(' x '), lstrip(' x '), rstrip(' x ')]"), R"(["x","x "," x"])");
  EXPECT_EQ(Eval("[typeof(min), typeof(o), defined('a'), defined('zz')]"),
            R"(["function","object",true,false])");
  EXPECT_EQ(Eval("range(0, 10, 3)"), "[0,3,6,9]");
  EXPECT_EQ(Eval("fromNow('1 hour')"), R"("2017-01-19T17:27:20.974Z")");
}

TEST(ParserTest, InterpolationStopsAtTheClosingBrace) {
  size_t length = 0;
  // Text after the "}" is never tokenized, even if it would not tokenize.
  absl::StatusOr<Expression> e = ParseInterpolation("a + {x: 1}.x } @@@", &length);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(length, 14u);
  EXPECT_EQ(ParseInterpolation("a + 1", &length).status().message(),
            "SyntaxError: unterminated ${..} expression");
  EXPECT_EQ(ParseInterpolation("a b}", &length).status().message(),
            "SyntaxError: Found: b token, expected one of: !=, &&, (, *, **, +, "
            "-, ., /, <, <=, ==, >, >=, [, in, ||");
}

}  // namespace
}  // namespace bulwark::jsone
