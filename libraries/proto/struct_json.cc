#include "libraries/proto/struct_json.h"

#include <cmath>

namespace bulwark {

nlohmann::json JsonFromValue(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
    case google::protobuf::Value::KIND_NOT_SET:
      return nullptr;
    case google::protobuf::Value::kNumberValue: {
      double d = value.number_value();
      if (!std::isfinite(d)) return nullptr;  // JSON has no NaN or infinities
      // Whole numbers read back as integers, as JSON.parse would show them (range checked
      // before converting: casting a huge double to int64 is undefined).
      if (d > -9.0e15 && d < 9.0e15 && d == std::trunc(d)) return static_cast<int64_t>(d);
      return d;
    }
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kBoolValue:
      return value.bool_value();
    case google::protobuf::Value::kStructValue:
      return JsonFromStruct(value.struct_value());
    case google::protobuf::Value::kListValue: {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& v : value.list_value().values()) list.push_back(JsonFromValue(v));
      return list;
    }
  }
  return nullptr;
}

nlohmann::json JsonFromStruct(const google::protobuf::Struct& s) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : s.fields()) out[key] = JsonFromValue(value);
  return out;
}

google::protobuf::Value ValueFromJson(const nlohmann::json& json) {
  google::protobuf::Value v;
  if (json.is_null()) {
    v.set_null_value(google::protobuf::NULL_VALUE);
  } else if (json.is_boolean()) {
    v.set_bool_value(json.get<bool>());
  } else if (json.is_number()) {
    v.set_number_value(json.get<double>());
  } else if (json.is_string()) {
    v.set_string_value(json.get<std::string>());
  } else if (json.is_array()) {
    auto* list = v.mutable_list_value();
    for (const auto& item : json) *list->add_values() = ValueFromJson(item);
  } else {
    auto* fields = v.mutable_struct_value()->mutable_fields();
    for (const auto& [key, item] : json.items()) (*fields)[key] = ValueFromJson(item);
  }
  return v;
}

absl::StatusOr<google::protobuf::Struct> StructFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("expected a JSON object");
  return ValueFromJson(json).struct_value();
}

}  // namespace bulwark
