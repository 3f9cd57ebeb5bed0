#include "services/hooks/store/hook_definition.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/encoding.h"

namespace bulwark::hooks {
namespace {

constexpr double kWholeLimit = 9.0e15;  // as JsonFromValue (libraries/proto/struct_json.cc)

nlohmann::json CanonicalNumber(const nlohmann::json& number) {
  double d = number.get<double>();
  if (!std::isfinite(d)) return nullptr;  // cannot occur in parsed JSON; as JsonFromValue
  if (d > -kWholeLimit && d < kWholeLimit && d == std::trunc(d)) return static_cast<int64_t>(d);
  return d;
}

}  // namespace

nlohmann::json CanonicalJson(const nlohmann::json& value) {
  if (value.is_number()) return CanonicalNumber(value);
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : value) out.push_back(CanonicalJson(item));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[key] = CanonicalJson(item);
    return out;
  }
  return value;
}

absl::StatusOr<std::string> CanonicalDefinition(const HookRow& row) {
  nlohmann::json definition = {{"hookGroupId", row.hook_group_id},
                               {"hookId", row.hook_id},
                               {"metadata", CanonicalJson(row.metadata)},
                               {"schedule", CanonicalJson(row.schedule)},
                               {"task", CanonicalJson(row.task)},
                               {"triggerSchema", CanonicalJson(row.trigger_schema)}};
  try {
    return definition.dump();
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("hook ", row.hook_group_id, "/", row.hook_id,
                     ": the definition cannot be serialized: ", e.what()));
  }
}

std::string Sha256Hex(absl::string_view bytes) {
  return absl::BytesToHexString(crypto::Sha256(bytes));
}

bool IsSha256Hex(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::StatusOr<HookRow> HookFromDefinition(absl::string_view canonical) {
  nlohmann::json d = nlohmann::json::parse(canonical.begin(), canonical.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (!d.is_object() || !d.contains("hookGroupId") || !d["hookGroupId"].is_string() ||
      !d.contains("hookId") || !d["hookId"].is_string() || !d.contains("metadata") ||
      !d["metadata"].is_object() || !d.contains("schedule") || !d["schedule"].is_array() ||
      !d.contains("task") || !d.contains("triggerSchema")) {
    return absl::InvalidArgumentError(
        "not a hook definition: expected a JSON object with hookGroupId, hookId, metadata, "
        "schedule, task and triggerSchema");
  }
  HookRow row;
  row.hook_group_id = d["hookGroupId"].get<std::string>();
  row.hook_id = d["hookId"].get<std::string>();
  row.metadata = CanonicalJson(d["metadata"]);
  row.schedule = CanonicalJson(d["schedule"]);
  row.task = CanonicalJson(d["task"]);
  row.trigger_schema = CanonicalJson(d["triggerSchema"]);
  return row;
}

}  // namespace bulwark::hooks
