#include "libraries/scopes/expression_json.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "libraries/scopes/scope.h"

namespace bulwark::scopes {
namespace {

constexpr char kAllOf[] = "AllOf";
constexpr char kAnyOf[] = "AnyOf";

// The children array of a one-key {"AllOf"|"AnyOf": [...]} object, or nullptr.
const nlohmann::json* ChildrenOf(const nlohmann::json& json, bool* any_of) {
  if (!json.is_object() || json.size() != 1) return nullptr;
  const auto it = json.begin();
  if (it.key() != kAllOf && it.key() != kAnyOf) return nullptr;
  if (!it.value().is_array()) return nullptr;
  *any_of = it.key() == kAnyOf;
  return &it.value();
}

}  // namespace

bool IsValidExpressionJson(const nlohmann::json& json) {
  if (json.is_string()) return ValidScope(json.get_ref<const std::string&>());
  bool any_of = false;
  const nlohmann::json* children = ChildrenOf(json, &any_of);
  if (children == nullptr) return false;
  for (const nlohmann::json& child : *children) {
    if (!IsValidExpressionJson(child)) return false;
  }
  return true;
}

absl::StatusOr<Expression> ExpressionFromJson(const nlohmann::json& json) {
  if (!IsValidExpressionJson(json)) {
    return absl::InvalidArgumentError("expected a valid scope expression");
  }
  if (json.is_string()) return Expression(json.get<std::string>());
  bool any_of = false;
  const nlohmann::json* children = ChildrenOf(json, &any_of);
  std::vector<Expression> parsed;
  parsed.reserve(children->size());
  for (const nlohmann::json& child : *children) {
    absl::StatusOr<Expression> e = ExpressionFromJson(child);
    if (!e.ok()) return e.status();
    parsed.push_back(*std::move(e));
  }
  return any_of ? Expression::AnyOf(std::move(parsed)) : Expression::AllOf(std::move(parsed));
}

nlohmann::json ExpressionToJson(const Expression& expr) {
  if (expr.is_scope()) return expr.scope();
  nlohmann::json children = nlohmann::json::array();
  for (const Expression& child : expr.children()) {
    children.push_back(ExpressionToJson(child));
  }
  return {{expr.kind() == Expression::Kind::kAnyOf ? kAnyOf : kAllOf, std::move(children)}};
}

}  // namespace bulwark::scopes
