#include "libraries/scopes/role.h"

#include <string>

#include "absl/strings/cord.h"
#include "nlohmann/json.hpp"

namespace bulwark::scopes {
namespace {

constexpr char kPayloadUrl[] = "type.bulwark.dev/bulwark.scopes.RoleSetError";

}  // namespace

absl::Status RoleSetError::ToStatus() const {
  absl::Status status = absl::InvalidArgumentError(message);
  const nlohmann::json payload = {
      {"code", static_cast<int>(code)}, {"roleId", role_id}, {"scope", scope}, {"cycle", cycle}};
  status.SetPayload(kPayloadUrl, absl::Cord(payload.dump()));
  return status;
}

std::optional<RoleSetError> RoleSetErrorFromStatus(const absl::Status& status) {
  const auto payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  const nlohmann::json json = nlohmann::json::parse(std::string(*payload), nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  RoleSetError error;
  error.code = static_cast<RoleSetError::Code>(json.value("code", 0));
  error.message = std::string(status.message());
  error.role_id = json.value("roleId", "");
  error.scope = json.value("scope", "");
  error.cycle = json.value("cycle", std::vector<std::string>{});
  return error;
}

}  // namespace bulwark::scopes
