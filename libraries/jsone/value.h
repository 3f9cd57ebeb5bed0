// File: libraries/jsone/value.h
//
// Value: the data JSON-e computes with. JSON's types plus functions (builtins
// and C++ callables put in the context), with JavaScript number semantics
// (every number is a double). Strings are UTF-8. Objects keep their members
// sorted by key (byte order, which is code point order) with unique keys.
// Values are immutable and share their storage, so copying one is a
// reference-count increment; FromJson/ToJson convert at the API boundary.
//
// The "delete marker" (what `$if` without a taken branch renders to) is an
// empty object that IsDeleteMarker() recognises; everywhere else it behaves as
// `{}`, as in the reference.
//
// Destroying a value never recurses, so arbitrarily deep values are safe to
// drop; other recursive operations rely on the kMaxDepth limit.
//
// Thread-safety: a Value may be read and copied from any number of threads at
// once. Errors: accessors require the matching type (checked with assert in
// debug builds).

#ifndef BULWARK_LIBRARIES_JSONE_VALUE_H_
#define BULWARK_LIBRARIES_JSONE_VALUE_H_

#include <atomic>
#include <cassert>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone {

class Scope;
class Value;
class Object;
class Function;
using Array = std::vector<Value>;

namespace internal {
// Shared, immutable storage of strings, arrays, objects and functions.
struct Rep {
  mutable std::atomic<int32_t> refs{1};
  uint32_t depth = 0;  // Arrays and objects: nesting depth (see Value::depth).
};
}  // namespace internal

class Value {
 public:
  enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject, kFunction };

  Value() noexcept : type_(Type::kNull) { payload_.number = 0; }
  Value(const Value& other) noexcept : type_(other.type_), payload_(other.payload_) {
    if (is_shared()) payload_.rep->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Value(Value&& other) noexcept : type_(other.type_), payload_(other.payload_) {
    other.type_ = Type::kNull;
  }
  Value& operator=(const Value& other) noexcept {
    Value copy(other);
    Swap(copy);
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    Value moved(std::move(other));
    Swap(moved);
    return *this;
  }
  ~Value() {
    if (is_shared()) Unref();
  }

  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Number(double d);
  static Value String(std::string_view s);
  // The string a + b (one allocation).
  static Value Concat(std::string_view a, std::string_view b);
  static Value MakeArray(Array items);
  static Value MakeObject(Object members);
  static Value MakeFunction(Function function);
  // The delete marker (see the file comment).
  static Value DeleteMarker();

  // Converts parsed JSON (numbers become doubles; binary values become null).
  static Value FromJson(const nlohmann::json& json);
  // Converts to JSON; integral numbers below 2^53 become JSON integers and -0
  // becomes 0. Returns false, leaving *out unchanged, when the value contains
  // a function.
  bool ToJson(nlohmann::json* out) const;

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_function() const { return type_ == Type::kFunction; }
  bool IsDeleteMarker() const;

  bool bool_value() const {
    assert(is_bool());
    return payload_.boolean;
  }
  double number() const {
    assert(is_number());
    return payload_.number;
  }
  std::string_view string() const;
  const Array& array() const;
  const Object& object() const;
  const Function& function() const;

  // True when this value or anything inside it is a function.
  bool ContainsFunctions() const;

  // How deeply arrays and objects nest: 0 for scalars, strings and functions,
  // 1 + the deepest member for arrays and objects. Kept at construction, so
  // this is O(1). Values read by FromJson deeper than kMaxDepth are cut off
  // there and report a depth above kMaxDepth.
  uint32_t depth() const { return is_array() || is_object() ? payload_.rep->depth : 0; }
  // The nesting JSON-e accepts in contexts, templates and computed values;
  // deeper input fails to render instead of exhausting the stack.
  static constexpr uint32_t kMaxDepth = 1000;

  // True when both hold the same shared storage (identity, as JavaScript's ===
  // on objects).
  bool SameStorage(const Value& other) const {
    return is_shared() && type_ == other.type_ && payload_.rep == other.payload_.rep;
  }

  void Swap(Value& other) noexcept {
    std::swap(type_, other.type_);
    std::swap(payload_, other.payload_);
  }

 private:
  union Payload {
    bool boolean;
    double number;
    internal::Rep* rep;
  };

  Value(Type type, internal::Rep* rep) : type_(type) { payload_.rep = rep; }
  static Value FromJson(const nlohmann::json& json, uint32_t depth);
  // An empty array reporting a depth above kMaxDepth: what FromJson leaves
  // where its input nests too deeply.
  static Value TooDeep();
  bool is_shared() const { return type_ >= Type::kString; }
  void Unref() {
    if (payload_.rep->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Destroy();
    }
  }
  void Destroy();

  Type type_;
  Payload payload_;
};

// An object's members, sorted by key with unique keys.
class Object {
 public:
  using Member = std::pair<std::string, Value>;
  using const_iterator = std::vector<Member>::const_iterator;

  Object() = default;
  // Builds an object from members in any order; when a key repeats, the last
  // one wins.
  static Object FromMembers(std::vector<Member> members);

  // Inserts or replaces the member `key`.
  void Set(std::string key, Value value);
  // The value of `key`, or nullptr.
  const Value* Find(std::string_view key) const;
  bool Contains(std::string_view key) const { return Find(key) != nullptr; }

  size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  const_iterator begin() const { return members_.begin(); }
  const_iterator end() const { return members_.end(); }
  void Reserve(size_t n) { members_.reserve(n); }

 private:
  std::vector<Member> members_;
};

// A callable value: a builtin (which may look at the scope it is called from,
// e.g. `defined`) or a C++ function supplied in the context.
class Function {
 public:
  using Native = std::function<absl::StatusOr<Value>(absl::Span<const Value>)>;
  using Builtin = absl::StatusOr<Value> (*)(const Scope& scope, absl::Span<const Value> args);

  Function(std::string name, Native native) : name_(std::move(name)), native_(std::move(native)) {}
  Function(std::string name, Builtin builtin) : name_(std::move(name)), builtin_(builtin) {}

  const std::string& name() const { return name_; }
  absl::StatusOr<Value> Call(const Scope& scope, absl::Span<const Value> args) const {
    return builtin_ != nullptr ? builtin_(scope, args) : native_(args);
  }

 private:
  std::string name_;
  Native native_;
  Builtin builtin_ = nullptr;
};

// JSON-e truthiness: null, false, 0, "", [] and {} are false; everything else
// (NaN and functions included) is true.
bool IsTruthy(const Value& value);

// JSON-e equality (==): deep for arrays and objects, identity for functions,
// IEEE for numbers.
bool Equals(const Value& a, const Value& b);

// The name `typeof` returns: string, number, boolean, array, object, function
// or null.
std::string_view TypeName(const Value& value);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_VALUE_H_
