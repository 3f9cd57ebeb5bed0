#include "libraries/jsone/renderer.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libraries/jsone/error.h"
#include "libraries/jsone/interpolate.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {
namespace {

using internal::Operator;

struct OperatorName {
  std::string_view name;
  Operator op;
};
constexpr OperatorName kOperators[] = {
    {"$eval", Operator::kEval},
    {"$flatten", Operator::kFlatten},
    {"$flattenDeep", Operator::kFlattenDeep},
    {"$fromNow", Operator::kFromNow},
    {"$if", Operator::kIf},
    {"$json", Operator::kJson},
    {"$let", Operator::kLet},
    {"$map", Operator::kMap},
    {"$reduce", Operator::kReduce},
    {"$find", Operator::kFind},
    {"$match", Operator::kMatch},
    {"$switch", Operator::kSwitch},
    {"$merge", Operator::kMerge},
    {"$mergeDeep", Operator::kMergeDeep},
    {"$reverse", Operator::kReverse},
    {"$sort", Operator::kSort},
};

std::optional<Operator> OperatorOf(std::string_view key) {
  if (key.size() < 3 || key[1] < 'e' || key[1] > 's') return std::nullopt;
  for (const OperatorName& entry : kOperators) {
    if (entry.name == key) return entry.op;
  }
  return std::nullopt;
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ^\$[a-zA-Z][a-zA-Z0-9]*$
bool IsReservedKey(std::string_view key) {
  if (key.size() < 2 || key[0] != '$' || !IsLetter(key[1])) return false;
  for (size_t i = 2; i < key.size(); ++i) {
    if (!IsLetter(key[i]) && !(key[i] >= '0' && key[i] <= '9')) return false;
  }
  return true;
}

absl::StatusOr<Value> RenderString(const std::string& text, const Scope& scope) {
  if (!NeedsInterpolation(text)) return Value::String(text);
  // Interpolate into a per-thread buffer, so the only allocation is the
  // Value's. A context function that renders again while the buffer is in use
  // gets a buffer of its own.
  thread_local std::string buffer;
  thread_local bool buffer_in_use = false;
  std::string own;
  std::string* out = buffer_in_use ? &own : &buffer;
  const bool borrowed = out == &buffer;
  if (borrowed) buffer_in_use = true;
  out->clear();
  const absl::Status status = Interpolate(text, scope, out);
  if (borrowed) buffer_in_use = false;
  if (!status.ok()) return status;
  return Value::String(*out);
}

absl::StatusOr<Value> RenderArray(const Json& tmpl, const Scope& scope) {
  Array items;
  items.reserve(tmpl.size());
  size_t index = 0;
  for (const Json& item : tmpl) {
    absl::StatusOr<Value> rendered = RenderTemplate(item, scope);
    if (!rendered.ok()) {
      return PrependLocation(rendered.status(), "[" + std::to_string(index) + "]");
    }
    if (!rendered->IsDeleteMarker()) items.push_back(*std::move(rendered));
    ++index;
  }
  return Value::MakeArray(std::move(items));
}

absl::StatusOr<Value> RenderObject(const Json& tmpl, const Scope& scope) {
  const auto& members = tmpl.get_ref<const Json::object_t&>();
  // Operator keys start with '$', which sorts before letters and digits.
  std::optional<Operator> op;
  for (const auto& [key, value] : members) {
    if (key.empty() || key[0] != '$') break;
    if (std::optional<Operator> found = OperatorOf(key)) {
      if (op.has_value()) return TemplateError("only one operator allowed");
      op = found;
    }
  }
  if (op.has_value()) return internal::RenderOperator(*op, tmpl, scope);

  std::vector<Object::Member> out;
  out.reserve(members.size());
  for (const auto& [key, value] : members) {
    absl::StatusOr<Value> rendered = RenderTemplate(value, scope);
    if (!rendered.ok()) {
      return PrependLocation(rendered.status(), KeyLocation(key));
    }
    if (rendered->IsDeleteMarker()) continue;
    if (key.size() >= 2 && key[0] == '$' && key[1] == '$') {
      out.emplace_back(key.substr(1), *std::move(rendered));
    } else if (IsReservedKey(key)) {
      return TemplateError("$<identifier> is reserved; use $$<identifier>");
    } else if (NeedsInterpolation(key)) {
      BULWARK_ASSIGN_OR_RETURN(std::string rendered_key, Interpolate(key, scope));
      out.emplace_back(std::move(rendered_key), *std::move(rendered));
    } else {
      out.emplace_back(key, *std::move(rendered));
    }
  }
  return Value::MakeObject(Object::FromMembers(std::move(out)));
}

// Counts the templates being rendered on this thread, one inside the other.
class NestingGuard {
 public:
  NestingGuard() { ++depth_; }
  ~NestingGuard() { --depth_; }
  bool too_deep() const { return depth_ > Value::kMaxDepth; }

 private:
  static thread_local uint32_t depth_;
};
thread_local uint32_t NestingGuard::depth_ = 0;

}  // namespace

absl::StatusOr<Value> RenderTemplate(const Json& tmpl, const Scope& scope) {
  const NestingGuard nesting;
  if (nesting.too_deep()) {
    return TemplateError("template nests too deeply (more than 1000 levels)");
  }
  BULWARK_RETURN_IF_ERROR(scope.Step());
  switch (tmpl.type()) {
    case Json::value_t::string:
      return RenderString(tmpl.get_ref<const std::string&>(), scope);
    case Json::value_t::array:
      return RenderArray(tmpl, scope);
    case Json::value_t::object:
      return RenderObject(tmpl, scope);
    default:
      return Value::FromJson(tmpl);
  }
}

}  // namespace bulwark::jsone
