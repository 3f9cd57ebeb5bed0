#include "libraries/jsone/render.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "libraries/jsone/builtins.h"
#include "libraries/jsone/expression_cache.h"
#include "libraries/jsone/from_now.h"
#include "libraries/jsone/identifier.h"
#include "libraries/jsone/renderer.h"
#include "libraries/jsone/scope.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {
namespace {}  // namespace

Context::Context(const nlohmann::json& json) {
  if (!json.is_object()) {
    is_object_ = false;
    return;
  }
  std::vector<Object::Member> members;
  members.reserve(json.size());
  for (const auto& [key, value] : json.items()) {
    members.emplace_back(key, Value::FromJson(value));
  }
  variables_ = Object::FromMembers(std::move(members));
}

Context& Context::Set(std::string name, Value value) {
  variables_.Set(std::move(name), std::move(value));
  return *this;
}

Context& Context::SetFunction(std::string name, Function::Native function) {
  Value value = Value::MakeFunction(Function(name, std::move(function)));
  return Set(std::move(name), std::move(value));
}

absl::Status Context::Validate() const {
  if (!is_object_) return TemplateError("context must be an object");
  for (const auto& member : variables_) {
    if (!IsIdentifier(member.first)) {
      return TemplateError(
          "top level keys of context must follow /[a-zA-Z_][a-zA-Z0-9_]*/");
    }
  }
  for (const auto& member : variables_) {
    if (member.second.depth() > Value::kMaxDepth) {
      return TemplateError("context nests too deeply (more than 1000 levels)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Value> RenderValue(const nlohmann::json& tmpl,
                                  const Context& context, absl::Time now) {
  BULWARK_RETURN_IF_ERROR(context.Validate());
  const Value now_text =
      Value::String(FormatDateMs(ToDateMs(now)).value_or(""));
  ExpressionCache cache;
  const Scope root(&context.variables(), &now_text, &Builtins(), now, &cache);
  BULWARK_ASSIGN_OR_RETURN(Value result, RenderTemplate(tmpl, root));
  if (result.IsDeleteMarker()) return Value();
  if (result.depth() > Value::kMaxDepth) {
    return TemplateError("result nests too deeply (more than 1000 levels)");
  }
  if (result.ContainsFunctions()) {
    return TemplateError("evaluated template contained uncalled functions");
  }
  return result;
}

absl::StatusOr<nlohmann::json> Render(const nlohmann::json& tmpl,
                                      const Context& context, absl::Time now) {
  BULWARK_ASSIGN_OR_RETURN(Value result, RenderValue(tmpl, context, now));
  nlohmann::json out;
  result.ToJson(&out);  // Cannot fail: RenderValue rejected functions.
  return out;
}

absl::StatusOr<nlohmann::json> Render(const nlohmann::json& tmpl,
                                      const nlohmann::json& context,
                                      absl::Time now) {
  return Render(tmpl, Context(context), now);
}

}  // namespace bulwark::jsone
