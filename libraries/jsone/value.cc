#include "libraries/jsone/value.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

namespace bulwark::jsone {
namespace {

// A string's characters follow its header in the same allocation.
struct StringRep : internal::Rep {
  size_t size = 0;
  char* chars() { return reinterpret_cast<char*>(this + 1); }
  const char* chars() const { return reinterpret_cast<const char*>(this + 1); }

  static StringRep* New(size_t size) {
    StringRep* rep = new (::operator new(sizeof(StringRep) + size)) StringRep();
    rep->size = size;
    return rep;
  }
  static void Delete(StringRep* rep) {
    rep->~StringRep();
    ::operator delete(rep);
  }
};
struct ArrayRep : internal::Rep {
  explicit ArrayRep(Array a) : value(std::move(a)) {}
  Array value;
};
struct ObjectRep : internal::Rep {
  explicit ObjectRep(Object o) : value(std::move(o)) {}
  Object value;
};
struct FunctionRep : internal::Rep {
  explicit FunctionRep(Function f) : value(std::move(f)) {}
  Function value;
};

// Never freed: its count starts at one and every holder adds one more.
ObjectRep* DeleteMarkerRep() {
  static ObjectRep* const rep = [] {
    auto* marker = new ObjectRep(Object());
    marker->depth = 1;
    return marker;
  }();
  return rep;
}

// 1 + the deepest of `values`, saturating instead of overflowing.
template <typename Range, typename Get>
uint32_t DepthOf(const Range& range, Get get) {
  uint32_t deepest = 0;
  for (const auto& item : range) deepest = std::max(deepest, get(item).depth());
  return deepest == UINT32_MAX ? deepest : deepest + 1;
}

bool KeyLess(const Object::Member& a, const Object::Member& b) { return a.first < b.first; }

}  // namespace

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.payload_.boolean = b;
  return v;
}

Value Value::Number(double d) {
  Value v;
  v.type_ = Type::kNumber;
  v.payload_.number = d;
  return v;
}

Value Value::String(std::string_view s) {
  StringRep* rep = StringRep::New(s.size());
  if (!s.empty()) std::memcpy(rep->chars(), s.data(), s.size());
  return Value(Type::kString, rep);
}

Value Value::Concat(std::string_view a, std::string_view b) {
  StringRep* rep = StringRep::New(a.size() + b.size());
  if (!a.empty()) std::memcpy(rep->chars(), a.data(), a.size());
  if (!b.empty()) std::memcpy(rep->chars() + a.size(), b.data(), b.size());
  return Value(Type::kString, rep);
}

Value Value::MakeArray(Array items) {
  auto* rep = new ArrayRep(std::move(items));
  rep->depth = DepthOf(rep->value, [](const Value& v) -> const Value& { return v; });
  return Value(Type::kArray, rep);
}

Value Value::MakeObject(Object members) {
  auto* rep = new ObjectRep(std::move(members));
  rep->depth =
      DepthOf(rep->value, [](const Object::Member& m) -> const Value& { return m.second; });
  return Value(Type::kObject, rep);
}

Value Value::MakeFunction(Function function) {
  return Value(Type::kFunction, new FunctionRep(std::move(function)));
}

Value Value::DeleteMarker() {
  ObjectRep* rep = DeleteMarkerRep();
  rep->refs.fetch_add(1, std::memory_order_relaxed);
  return Value(Type::kObject, rep);
}

bool Value::IsDeleteMarker() const {
  return type_ == Type::kObject && payload_.rep == DeleteMarkerRep();
}

std::string_view Value::string() const {
  assert(is_string());
  const auto* rep = static_cast<const StringRep*>(payload_.rep);
  return std::string_view(rep->chars(), rep->size);
}

const Array& Value::array() const {
  assert(is_array());
  return static_cast<const ArrayRep*>(payload_.rep)->value;
}

const Object& Value::object() const {
  assert(is_object());
  return static_cast<const ObjectRep*>(payload_.rep)->value;
}

const Function& Value::function() const {
  assert(is_function());
  return static_cast<const FunctionRep*>(payload_.rep)->value;
}

namespace {

void DeleteRep(Value::Type type, internal::Rep* rep) {
  switch (type) {
    case Value::Type::kString:
      StringRep::Delete(static_cast<StringRep*>(rep));
      break;
    case Value::Type::kArray:
      delete static_cast<ArrayRep*>(rep);
      break;
    case Value::Type::kObject:
      delete static_cast<ObjectRep*>(rep);
      break;
    case Value::Type::kFunction:
      delete static_cast<FunctionRep*>(rep);
      break;
    default:
      break;
  }
}

}  // namespace

void Value::Destroy() {
  if (type_ == Type::kString) {  // No members: nothing can recurse.
    DeleteRep(type_, payload_.rep);
    return;
  }
  // Deleting an array or object drops its members, which may delete theirs:
  // queue those deletions and run them here in a loop, so the stack stays flat
  // however deep the value is.
  thread_local std::vector<std::pair<Type, internal::Rep*>> pending;
  thread_local bool draining = false;
  pending.emplace_back(type_, payload_.rep);
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    const auto [type, rep] = pending.back();
    pending.pop_back();
    DeleteRep(type, rep);
  }
  draining = false;
}

Value Value::TooDeep() {
  static const Value* const too_deep = [] {
    Value v = MakeArray({});
    v.payload_.rep->depth = UINT32_MAX;
    return new Value(std::move(v));
  }();
  return *too_deep;
}

Value Value::FromJson(const nlohmann::json& json) { return FromJson(json, 0); }

Value Value::FromJson(const nlohmann::json& json, uint32_t depth) {
  using json_t = nlohmann::json::value_t;
  if (depth >= kMaxDepth && (json.is_array() || json.is_object())) {
    return TooDeep();
  }
  switch (json.type()) {
    case json_t::boolean:
      return Bool(json.get<bool>());
    case json_t::number_integer:
      return Number(static_cast<double>(json.get<int64_t>()));
    case json_t::number_unsigned:
      return Number(static_cast<double>(json.get<uint64_t>()));
    case json_t::number_float:
      return Number(json.get<double>());
    case json_t::string:
      return String(json.get_ref<const std::string&>());
    case json_t::array: {
      Array items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(FromJson(item, depth + 1));
      return MakeArray(std::move(items));
    }
    case json_t::object: {
      // nlohmann::json keeps keys sorted in byte order, as Object does.
      std::vector<Object::Member> members;
      members.reserve(json.size());
      for (const auto& [key, item] : json.items()) {
        members.emplace_back(key, FromJson(item, depth + 1));
      }
      return MakeObject(Object::FromMembers(std::move(members)));
    }
    default:
      return Null();
  }
}

namespace {

// JSON for a value known to hold no functions; built bottom-up so every node
// is constructed once, in place.
nlohmann::json ToJsonUnchecked(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
    case Value::Type::kFunction:
      return nullptr;
    case Value::Type::kBool:
      return v.bool_value();
    case Value::Type::kNumber: {
      const double d = v.number();
      if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
        return static_cast<int64_t>(d);  // Also turns -0 into 0.
      }
      return d;
    }
    case Value::Type::kString:
      return nlohmann::json(std::string(v.string()));
    case Value::Type::kArray: {
      nlohmann::json::array_t items;
      items.reserve(v.array().size());
      for (const Value& item : v.array()) {
        items.push_back(ToJsonUnchecked(item));
      }
      return nlohmann::json(std::move(items));
    }
    case Value::Type::kObject: {
      nlohmann::json::object_t members;
      for (const auto& [key, item] : v.object()) {
        members.emplace_hint(members.end(), key, ToJsonUnchecked(item));
      }
      return nlohmann::json(std::move(members));
    }
  }
  return nullptr;
}

}  // namespace

bool Value::ToJson(nlohmann::json* out) const {
  if (ContainsFunctions()) return false;
  *out = ToJsonUnchecked(*this);
  return true;
}

bool Value::ContainsFunctions() const {
  switch (type_) {
    case Type::kFunction:
      return true;
    case Type::kArray:
      return std::any_of(array().begin(), array().end(),
                         [](const Value& v) { return v.ContainsFunctions(); });
    case Type::kObject:
      for (const auto& member : object()) {
        if (member.second.ContainsFunctions()) return true;
      }
      return false;
    default:
      return false;
  }
}

Object Object::FromMembers(std::vector<Member> members) {
  Object object;
  if (!std::is_sorted(members.begin(), members.end(), KeyLess)) {
    std::stable_sort(members.begin(), members.end(), KeyLess);
  }
  // Keep the last of each run of equal keys.
  size_t out = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (i + 1 < members.size() && members[i + 1].first == members[i].first) {
      continue;
    }
    if (out != i) members[out] = std::move(members[i]);
    ++out;
  }
  members.resize(out);
  object.members_ = std::move(members);
  return object;
}

void Object::Set(std::string key, Value value) {
  auto it = std::lower_bound(members_.begin(), members_.end(), key,
                             [](const Member& m, const std::string& k) { return m.first < k; });
  if (it != members_.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    members_.emplace(it, std::move(key), std::move(value));
  }
}

const Value* Object::Find(std::string_view key) const {
  // Small objects (the common case): a scan that compares sizes first beats a
  // binary search that compares characters at every step.
  if (members_.size() <= 8) {
    for (const Member& member : members_) {
      if (member.first.size() == key.size() &&
          std::memcmp(member.first.data(), key.data(), key.size()) == 0) {
        return &member.second;
      }
    }
    return nullptr;
  }
  auto it = std::lower_bound(members_.begin(), members_.end(), key,
                             [](const Member& m, std::string_view k) { return m.first < k; });
  if (it != members_.end() && it->first == key) return &it->second;
  return nullptr;
}

bool IsTruthy(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNull:
      return false;
    case Value::Type::kBool:
      return value.bool_value();
    case Value::Type::kNumber:
      return value.number() != 0;  // NaN is truthy, as in the reference.
    case Value::Type::kString:
      return !value.string().empty();
    case Value::Type::kArray:
      return !value.array().empty();
    case Value::Type::kObject:
      return !value.object().empty();
    case Value::Type::kFunction:
      return true;
  }
  return false;
}

bool Equals(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kNull:
      return true;
    case Value::Type::kBool:
      return a.bool_value() == b.bool_value();
    case Value::Type::kNumber:
      return a.number() == b.number();
    case Value::Type::kString:
      return a.string() == b.string();
    case Value::Type::kArray: {
      const Array& x = a.array();
      const Array& y = b.array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!Equals(x[i], y[i])) return false;
      }
      return true;
    }
    case Value::Type::kObject: {
      const Object& x = a.object();
      const Object& y = b.object();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !Equals(i->second, j->second)) return false;
      }
      return true;
    }
    case Value::Type::kFunction:
      return a.SameStorage(b);
  }
  return false;
}

std::string_view TypeName(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return "boolean";
    case Value::Type::kNumber:
      return "number";
    case Value::Type::kString:
      return "string";
    case Value::Type::kArray:
      return "array";
    case Value::Type::kObject:
      return "object";
    case Value::Type::kFunction:
      return "function";
  }
  return "null";
}

}  // namespace bulwark::jsone
