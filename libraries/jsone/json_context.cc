#include "libraries/jsone/json_context.h"

#include "libraries/jsone/error.h"
#include "libraries/jsone/str_cat.h"

namespace bulwark::jsone {

JsonContext::JsonContext(const nlohmann::json& object)
    : object_(object.get_ref<const nlohmann::json::object_t&>()) {}

const nlohmann::json* JsonContext::FindJson(std::string_view name) const {
  auto it = object_.find(name);  // Transparent comparator: no temporary.
  return it == object_.end() ? nullptr : &it->second;
}

const Value& JsonContext::Convert(const nlohmann::json& json) {
  std::unique_ptr<Value>& slot = converted_[&json];
  if (slot == nullptr) slot = std::make_unique<Value>(Value::FromJson(json));
  return *slot;
}

absl::StatusOr<Value> JsonContext::Walk(const nlohmann::json& start,
                                        absl::Span<const std::string_view> properties) {
  const nlohmann::json* json = &start;
  for (std::string_view property : properties) {
    if (!json->is_object()) return InterpreterError("infix: . expects objects");
    const auto& members = json->get_ref<const nlohmann::json::object_t&>();
    auto it = members.find(property);
    if (it == members.end()) {
      return InterpreterError(Cat("object has no property \"", property, "\""));
    }
    json = &it->second;
  }
  // Scalars are cheap to convert; arrays and objects are converted once.
  if (json->is_array() || json->is_object()) return Convert(*json);
  return Value::FromJson(*json);
}

}  // namespace bulwark::jsone
