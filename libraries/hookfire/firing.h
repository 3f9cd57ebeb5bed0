// File: libraries/hookfire/firing.h
//
// How a hook's template becomes a task, the same way for every kind of fire (and for the
// verifier, which renders it again from the recorded context):
//   RenderContext  the JSON-e context: firedBy, taskId, now (an ISO 8601 string with
//                  milliseconds, unlike Taskcluster's Date object, so "${now}" works), plus
//                  payload (triggers only) and clientId (TriggerHook only)
//   RenderTask     renders with `now` as JSON-e's clock; nullopt when the template renders to
//                  nothing (no task, no fire recorded); then fills what is missing as
//                  Taskcluster's hooks do: created = now, deadline = now + 1 day,
//                  expires = now + 30 days, taskGroupId = taskId
//   TaskFromJson   the rendered task as a queue TaskDefinition (unknown fields are errors)
//
// Thread-safety: pure functions. Errors: INVALID_ARGUMENT with JSON-e's own error text
// ("InterpreterError at template.payload: unknown context value payload") or the field that
// does not belong in a task.

#ifndef BULWARK_LIBRARIES_HOOKFIRE_FIRING_H_
#define BULWARK_LIBRARIES_HOOKFIRE_FIRING_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "nlohmann/json.hpp"

namespace bulwark::hookfire {

struct FireContext {
  std::string fired_by;    // schedule, triggerHook, triggerHookWithToken
  nlohmann::json payload;  // null for scheduled fires
  std::string client_id;   // TriggerHook only
  absl::Time now;
  std::string task_id;
};

std::string IsoMillis(absl::Time t);
nlohmann::json RenderContext(const FireContext& fire);
absl::StatusOr<std::optional<nlohmann::json>> RenderTask(const nlohmann::json& tmpl,
                                                         const FireContext& fire);
absl::StatusOr<queue::v1::TaskDefinition> TaskFromJson(const nlohmann::json& task);

}  // namespace bulwark::hookfire

#endif  // BULWARK_LIBRARIES_HOOKFIRE_FIRING_H_
