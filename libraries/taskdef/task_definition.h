// File: libraries/taskdef/task_definition.h
//
// The rules of a task definition (Taskcluster's create-task-request), applied before a task
// is stored:
//   NormalizeTask   checks every field and fills the defaults, so that what is stored, and
//                   returned by GetTask, is complete and compares equal on re-read:
//                   queue identity (taskQueueId ↔ provisionerId/workerType), schedulerId "-",
//                   projectId "none", taskGroupId = taskId, requires "all-completed", priority
//                   "lowest", retries 5, expires = deadline + 1 year, tags/extra/payload {}.
//   CheckTaskTimes  created within ±15 minutes of now, created ≤ deadline, deadline not past
//                   and at most max_deadline (+15 minutes) ahead, expires ≥ deadline.
//   CreateTaskScopes  the scope expression the caller must satisfy (AllOf every task.scopes
//                   entry, queue:route:<r> per route, queue:create-task:project:<projectId>,
//                   queue:scheduler-id:<schedulerId>, and AnyOf queue:create-task:<p>:<queue>
//                   for the task's priority and every higher one).
//   SameDefinition  whether two normalized definitions are identical (idempotent re-create).
//
// Thread-safety: pure functions. Errors: INVALID_ARGUMENT naming the field and the rule.

#ifndef BULWARK_LIBRARIES_TASKDEF_TASK_DEFINITION_H_
#define BULWARK_LIBRARIES_TASKDEF_TASK_DEFINITION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "libraries/scopes/expression.h"
#include "libraries/taskdef/priority.h"

namespace bulwark::taskdef {

inline constexpr int kMaxDependencies = 10000;
inline constexpr int kMaxRoutes = 64;

absl::StatusOr<queue::v1::TaskDefinition> NormalizeTask(const std::string& task_id,
                                                        const queue::v1::TaskDefinition& task);

absl::Status CheckTaskTimes(const queue::v1::TaskDefinition& task, absl::Time now,
                            absl::Duration max_deadline);

scopes::Expression CreateTaskScopes(const queue::v1::TaskDefinition& normalized);

bool SameDefinition(const queue::v1::TaskDefinition& a, const queue::v1::TaskDefinition& b);

}  // namespace bulwark::taskdef

#endif  // BULWARK_LIBRARIES_TASKDEF_TASK_DEFINITION_H_
