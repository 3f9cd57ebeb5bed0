// File: services/hooks/service/queue_client.h
//
// QueueClient: how hooks create tasks, as an interface (the gRPC implementation is
// server/grpc_queue_client.h; service tests use a fake). A fire calls queue.CreateTask signed
// with the hooks service's own credentials (static/bulwark/hooks, which hold only
// assume:hook-id:*) restricted by authorizedScopes to ["assume:hook-id:<G>/<H>"], so the task
// gets exactly what the hook's role allows and never what the triggering user holds
// (invariant 4).
//
// Thread-safety: implementations are thread-safe.
// Errors: as client/dependency.h passes the queue's answer on: the queue's verdict on the task
// (PERMISSION_DENIED, INVALID_ARGUMENT, ...) unchanged; DEADLINE_EXCEEDED when `deadline` ran
// out; CANCELLED when the caller of the trigger went away (the call is cancelled with it: the
// task may or may not exist); UNAVAILABLE when the queue cannot be reached or refuses the hooks
// service's own credentials (a configuration error, logged).

#ifndef BULWARK_SERVICES_HOOKS_SERVICE_QUEUE_CLIENT_H_
#define BULWARK_SERVICES_HOOKS_SERVICE_QUEUE_CLIENT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.pb.h"

namespace bulwark::hooks {

class QueueClient {
 public:
  virtual ~QueueClient() = default;
  // Creates `task` as `task_id`, acting as role hook-id:<hook_role>, within `deadline`.
  virtual absl::Status CreateTask(const std::string& task_id, const queue::v1::TaskDefinition& task,
                                  const std::string& hook_role, absl::Time deadline) = 0;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVICE_QUEUE_CLIENT_H_
