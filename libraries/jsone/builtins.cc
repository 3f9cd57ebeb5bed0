#include "libraries/jsone/builtins.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "libraries/jsone/error.h"
#include "libraries/jsone/from_now.h"
#include "libraries/jsone/js_number.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/scope.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/jsone/unicode.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {
namespace {

using Args = absl::Span<const Value>;

// Argument type tests, combinable with |.
enum TypeTest : unsigned {
  kAny = 0,
  kString = 1 << 0,
  kNumber = 1 << 1,
  kInteger = 1 << 2,
  kBoolean = 1 << 3,
  kArray = 1 << 4,
  kObject = 1 << 5,
  kNull = 1 << 6,
  kFunction = 1 << 7,
};

bool Passes(const Value& v, unsigned tests) {
  switch (v.type()) {
    case Value::Type::kString:
      return tests & kString;
    case Value::Type::kNumber:
      return (tests & kNumber) || ((tests & kInteger) && IsJsInteger(v.number()));
    case Value::Type::kBool:
      return tests & kBoolean;
    case Value::Type::kArray:
      return tests & kArray;
    case Value::Type::kObject:
      return tests & kObject;
    case Value::Type::kNull:
      return tests & kNull;
    case Value::Type::kFunction:
      return tests & kFunction;
  }
  return false;
}

struct Signature {
  std::vector<unsigned> tests;  // One per positional argument.
  size_t min_args = 0;
  unsigned variadic = kAny;  // Test for arguments past `tests`; kAny: not variadic.
};

absl::Status InvalidArguments(std::string_view name) {
  return BuiltinError(Cat("invalid arguments to builtin: ", name));
}

absl::Status Check(std::string_view name, const Signature& sig, Args args) {
  const bool variadic = sig.variadic != kAny;
  if (!variadic && args.size() < sig.tests.size()) return InvalidArguments(name);
  if (sig.min_args > 0 && args.size() < sig.min_args) {
    return BuiltinError(Cat("invalid arguments to builtin: ", name, ": expected at least ",
                            sig.min_args, " arguments"));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const unsigned test = i < sig.tests.size() ? sig.tests[i] : sig.variadic;
    if (test == kAny || !Passes(args[i], test)) return InvalidArguments(name);
  }
  return absl::OkStatus();
}

// --- Implementations (arguments already checked) ---

Value MinMax(Args args, bool max) {
  double result =
      max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  for (const Value& arg : args) {
    const double x = arg.number();
    if (std::isnan(x)) return Value::Number(x);
    // Math.max(-0, 0) is 0 and Math.min(0, -0) is -0.
    if (max ? (x > result || (x == result && !std::signbit(x)))
            : (x < result || (x == result && std::signbit(x)))) {
      result = x;
    }
  }
  return Value::Number(result);
}

absl::StatusOr<Value> Range(std::string_view name, Args args, const Scope& scope) {
  const double start = args[0].number();
  const double stop = args[1].number();
  const double step = args.size() > 2 ? args[2].number() : 1;
  const double length = std::ceil((stop - start) / step);
  if (std::isnan(length) || length <= 0) return Value::MakeArray({});
  if (length > 4294967295.0) return InvalidArguments(name);
  BULWARK_RETURN_IF_ERROR(scope.Produce(static_cast<size_t>(length)));  // before allocating
  Array items;
  items.reserve(static_cast<size_t>(length));
  for (size_t i = 0; i < static_cast<size_t>(length); ++i) {
    items.push_back(Value::Number(start + static_cast<double>(i) * step));
  }
  return Value::MakeArray(std::move(items));
}

Value Split(std::string_view input, std::string_view delimiter) {
  Array parts;
  if (delimiter.empty()) {
    // One item per character (code point).
    size_t pos = 0;
    while (pos < input.size()) {
      const size_t start = pos;
      DecodeUtf8(input, &pos);
      parts.push_back(Value::String(input.substr(start, pos - start)));
    }
    return Value::MakeArray(std::move(parts));
  }
  size_t start = 0;
  while (true) {
    const size_t found = input.find(delimiter, start);
    if (found == std::string_view::npos) break;
    parts.push_back(Value::String(input.substr(start, found - start)));
    start = found + delimiter.size();
  }
  parts.push_back(Value::String(input.substr(start)));
  return Value::MakeArray(std::move(parts));
}

Value Join(const Array& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.append(separator);
    if (!items[i].is_null()) AppendJsString(items[i], &out);
  }
  return Value::String(std::move(out));
}

// String(x) of a string-or-number separator/delimiter argument.
std::string TextOf(const Value& v) {
  return v.is_string() ? std::string(v.string()) : FormatJsNumber(v.number());
}

using Impl = absl::StatusOr<Value> (*)(const Scope& scope, Args args);

struct Entry {
  const char* name;
  Signature signature;
  Impl impl;
};

Value Trim(Args args, bool left, bool right) {
  return Value::String(TrimJsWhitespace(args[0].string(), left, right));
}

absl::StatusOr<Value> FromNowBuiltin(const Scope& scope, Args args) {
  Value reference = args.size() > 1 ? args[1] : Value();
  if (!IsTruthy(reference)) {
    const Value* now = scope.Lookup("now");
    reference = now != nullptr ? *now : Value();
  }
  return FromNow(args[0].string(), reference, scope.clock());
}

constexpr size_t kBuiltinCount = 20;

const std::vector<Entry>& Entries() {
  static const auto* const entries = new std::vector<Entry>{
      {"abs",
       {{kNumber}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::Number(std::fabs(a[0].number()));
       }},
      {"ceil",
       {{kNumber}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::Number(std::ceil(a[0].number()));
       }},
      {"defined",
       {{kString}},
       [](const Scope& scope, Args a) -> absl::StatusOr<Value> {
         return Value::Bool(scope.Resolve(a[0].string()).found());
       }},
      {"floor",
       {{kNumber}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::Number(std::floor(a[0].number()));
       }},
      {"fromNow", {{}, 1, kString}, &FromNowBuiltin},
      {"join",
       {{kArray, kString | kNumber}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Join(a[0].array(), TextOf(a[1]));
       }},
      {"len",
       {{kString | kArray}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::Number(static_cast<double>(a[0].is_string() ? CodePointCount(a[0].string())
                                                                   : a[0].array().size()));
       }},
      {"lowercase",
       {{kString}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::String(JsToLower(a[0].string()));
       }},
      {"lstrip",
       {{kString}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> { return Trim(a, true, false); }},
      {"max",
       {{}, 1, kNumber},
       [](const Scope&, Args a) -> absl::StatusOr<Value> { return MinMax(a, true); }},
      {"min",
       {{}, 1, kNumber},
       [](const Scope&, Args a) -> absl::StatusOr<Value> { return MinMax(a, false); }},
      {"number",
       {{kString}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::Number(ParseJsNumber(a[0].string()));
       }},
      {"range",
       {{kInteger, kInteger, kInteger}, 2, kNumber},
       [](const Scope& s, Args a) { return Range("range", a, s); }},
      {"rstrip",
       {{kString}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> { return Trim(a, false, true); }},
      {"split",
       {{kString, kString | kNumber}, 2},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Split(a[0].string(), TextOf(a[1]));
       }},
      {"sqrt",
       {{kNumber}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::Number(std::sqrt(a[0].number()));
       }},
      {"str",
       {{kString | kNumber | kBoolean | kNull}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> { return Value::String(JsString(a[0])); }},
      {"strip",
       {{kString}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> { return Trim(a, true, true); }},
      {"typeof",
       {{kString | kNumber | kBoolean | kArray | kObject | kNull | kFunction}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> { return Value::String(TypeName(a[0])); }},
      {"uppercase",
       {{kString}},
       [](const Scope&, Args a) -> absl::StatusOr<Value> {
         return Value::String(JsToUpper(a[0].string()));
       }},
  };
  return *entries;
}

// One function per table entry: checks the arguments, then runs the
// implementation.
template <size_t kIndex>
absl::StatusOr<Value> Call(const Scope& scope, Args args) {
  const Entry& entry = Entries()[kIndex];
  absl::Status status = Check(entry.name, entry.signature, args);
  if (!status.ok()) return status;
  return entry.impl(scope, args);
}

template <size_t... kIndices>
Object MakeTable(std::index_sequence<kIndices...>) {
  assert(Entries().size() == sizeof...(kIndices));
  std::vector<Object::Member> members;
  (members.emplace_back(Entries()[kIndices].name,
                        Value::MakeFunction(Function(Entries()[kIndices].name, &Call<kIndices>))),
   ...);
  return Object::FromMembers(std::move(members));
}

}  // namespace

const Object& Builtins() {
  static const Object* const table =
      new Object(MakeTable(std::make_index_sequence<kBuiltinCount>()));
  return *table;
}

}  // namespace bulwark::jsone
