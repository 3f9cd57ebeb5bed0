#include "libraries/jsone/scope.h"

#include "libraries/jsone/json_context.h"

namespace bulwark::jsone {

Scope::Resolved Scope::Resolve(std::string_view name) const {
  Resolved resolved;
  for (const Scope* scope = this; scope != nullptr; scope = scope->parent_) {
    if ((resolved.value = scope->FindHere(name)) != nullptr) return resolved;
  }
  if (root_->variables != nullptr && (resolved.value = root_->variables->Find(name)) != nullptr) {
    return resolved;
  }
  if (root_->json != nullptr && (resolved.json = root_->json->FindJson(name)) != nullptr) {
    return resolved;
  }
  if (name == "now" && root_->now != nullptr) {
    resolved.value = root_->now;
  } else if (root_->builtins != nullptr) {
    resolved.value = root_->builtins->Find(name);
  }
  return resolved;
}

const Value* Scope::Lookup(std::string_view name) const {
  const Resolved resolved = Resolve(name);
  if (resolved.json != nullptr) return &root_->json->Convert(*resolved.json);
  return resolved.value;
}

}  // namespace bulwark::jsone
