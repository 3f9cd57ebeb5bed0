// File: services/hooks/service/hook_rules.h
//
// The rules of a hook definition (Taskcluster's create-hook-request), and conversions between
// the API's Hook message and the stored HookRow:
//   ValidateHookIds      hookGroupId ^[a-zA-Z0-9-_]{1,1000}$, hookId ^[a-zA-Z0-9-_/]{1,1000}$
//   CheckDefinition      metadata (name ≤255, description ≤32768, owner an email ≤255), every
//                        schedule entry a valid cron pattern (libraries/cron, which refuses the
//                        nondeterministic H), triggerSchema a valid draft-07 schema (default
//                        {"type":"object","additionalProperties":false}), task an object;
//                        returns the parsed schedules and the definition as stored JSON.
//   HookProto            a stored hook as the API returns it (never its token or next taskId)
//
// Thread-safety: pure functions. Errors: INVALID_ARGUMENT naming the field.

#ifndef BULWARK_SERVICES_HOOKS_SERVICE_HOOK_RULES_H_
#define BULWARK_SERVICES_HOOKS_SERVICE_HOOK_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bulwark/hooks/v1/hooks.pb.h"
#include "libraries/cron/schedule.h"
#include "nlohmann/json.hpp"
#include "services/hooks/store/hooks_store.h"

namespace bulwark::hooks {

absl::Status ValidateHookIds(const std::string& group, const std::string& id);

struct CheckedDefinition {
  nlohmann::json metadata;
  nlohmann::json schedule;
  std::vector<cron::Schedule> schedules;
  nlohmann::json task;
  nlohmann::json trigger_schema;
};

absl::StatusOr<CheckedDefinition> CheckDefinition(const v1::Hook& hook);

// Parses a stored schedule (validated when stored).
std::vector<cron::Schedule> SchedulesOf(const HookRow& row);

v1::Hook HookProto(const HookRow& row);

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVICE_HOOK_RULES_H_
