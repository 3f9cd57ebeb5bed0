#include "services/verifier/service/task_normalizer.h"

#include "libraries/hookfire/firing.h"
#include "libraries/proto/message_json.h"
#include "libraries/status/status_macros.h"
#include "libraries/taskdef/task_definition.h"

namespace bulwark::verifier {

TaskNormalizer QueueTaskNormalizer() {
  return [](const std::string& task_id,
            const nlohmann::json& task) -> absl::StatusOr<nlohmann::json> {
    BULWARK_ASSIGN_OR_RETURN(queue::v1::TaskDefinition definition, hookfire::TaskFromJson(task));
    BULWARK_ASSIGN_OR_RETURN(queue::v1::TaskDefinition normalized,
                             taskdef::NormalizeTask(task_id, definition));
    return MessageToJson(normalized);
  };
}

}  // namespace bulwark::verifier
