#include "libraries/jsone/render.h"

#include <cstdint>
#include <string>
#include <vector>

#include "libraries/jsone/builtins.h"
#include "libraries/jsone/expression_cache.h"
#include "libraries/jsone/from_now.h"
#include "libraries/jsone/identifier.h"
#include "libraries/jsone/json_context.h"
#include "libraries/jsone/renderer.h"
#include "libraries/jsone/scope.h"
#include "libraries/status/status_macros.h"

namespace bulwark::jsone {

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
      return TemplateError("top level keys of context must follow /[a-zA-Z_][a-zA-Z0-9_]*/");
    }
  }
  for (const auto& member : variables_) {
    if (member.second.depth() > Value::kMaxDepth) {
      return TemplateError("context nests too deeply (more than 1000 levels)");
    }
  }
  return absl::OkStatus();
}

namespace {

// Renders `tmpl` with the context in `root` (variables and/or JSON).
absl::StatusOr<Value> RenderWithRoot(const nlohmann::json& tmpl, Scope::Root root, absl::Time now,
                                     const RenderLimits& limits) {
  const Value now_text = Value::String(FormatDateMs(ToDateMs(now)).value_or(""));
  ExpressionCache cache;
  RenderBudget budget(limits.max_steps, limits.max_output);
  root.budget = &budget;
  root.now = &now_text;
  root.builtins = &Builtins();
  root.clock = now;
  root.cache = &cache;
  const Scope scope(&root);
  BULWARK_ASSIGN_OR_RETURN(Value result, RenderTemplate(tmpl, scope));
  if (result.IsDeleteMarker()) return Value();
  if (result.depth() > Value::kMaxDepth) {
    return TemplateError("result nests too deeply (more than 1000 levels)");
  }
  if (result.ContainsFunctions()) {
    return TemplateError("evaluated template contained uncalled functions");
  }
  return result;
}

// Whether `json` nests arrays and objects more than `limit` levels deep. Runs
// over the containers directly: this walks the whole context on every render.
bool DeeperThan(const nlohmann::json& json, uint32_t limit) {
  const auto deeper = [limit](const nlohmann::json& item) {
    return (item.is_array() || item.is_object()) && (limit == 1 || DeeperThan(item, limit - 1));
  };
  if (json.is_array()) {
    for (const nlohmann::json& item : json.get_ref<const nlohmann::json::array_t&>()) {
      if (deeper(item)) return true;
    }
  } else if (json.is_object()) {
    for (const auto& member : json.get_ref<const nlohmann::json::object_t&>()) {
      if (deeper(member.second)) return true;
    }
  }
  return false;
}

// The checks Context::Validate makes, for a JSON context.
absl::Status ValidateJsonContext(const nlohmann::json& context) {
  if (!context.is_object()) return TemplateError("context must be an object");
  for (const auto& member : context.items()) {
    if (!IsIdentifier(member.key())) {
      return TemplateError("top level keys of context must follow /[a-zA-Z_][a-zA-Z0-9_]*/");
    }
  }
  for (const auto& member : context.items()) {
    if (DeeperThan(member.value(), Value::kMaxDepth)) {
      return TemplateError("context nests too deeply (more than 1000 levels)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Value> RenderValue(const nlohmann::json& tmpl, const Context& context,
                                  absl::Time now, const RenderLimits& limits) {
  BULWARK_RETURN_IF_ERROR(context.Validate());
  Scope::Root root;
  root.variables = &context.variables();
  return RenderWithRoot(tmpl, root, now, limits);
}

absl::StatusOr<Value> RenderValue(const nlohmann::json& tmpl, const nlohmann::json& context,
                                  absl::Time now, const RenderLimits& limits) {
  BULWARK_RETURN_IF_ERROR(ValidateJsonContext(context));
  JsonContext json_context(context);
  Scope::Root root;
  root.json = &json_context;
  return RenderWithRoot(tmpl, root, now, limits);
}

absl::StatusOr<nlohmann::json> Render(const nlohmann::json& tmpl, const Context& context,
                                      absl::Time now, const RenderLimits& limits) {
  BULWARK_ASSIGN_OR_RETURN(Value result, RenderValue(tmpl, context, now, limits));
  nlohmann::json out;
  result.ToJson(&out);  // Cannot fail: RenderValue rejected functions.
  return out;
}

absl::StatusOr<nlohmann::json> Render(const nlohmann::json& tmpl, const nlohmann::json& context,
                                      absl::Time now, const RenderLimits& limits) {
  BULWARK_ASSIGN_OR_RETURN(Value result, RenderValue(tmpl, context, now, limits));
  nlohmann::json out;
  result.ToJson(&out);
  return out;
}

}  // namespace bulwark::jsone
