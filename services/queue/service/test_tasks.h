// File: services/queue/service/test_tasks.h
//
// Builders the queue's tests share (testonly): the queue's issuer credentials, a valid
// CreateTaskRequest for a fresh task on the "proj/linux" queue, a ClaimWorkRequest as worker
// "wg/w1", an upload header, and CreateAndClaim, which leaves a task with run 0 running.
//
//   QueueService service(options, store, TestIssuer(), clock, random);
//   v1::CreateTaskRequest request = NewTaskRequest(random, clock.Now());
//   ASSERT_TRUE(CreateAndClaim(service, root, root, request).ok());
//
// Thread-safety: pure builders; CreateAndClaim is as thread-safe as the service.
// Errors: CreateAndClaim returns what CreateTask or ClaimWork returned, or FAILED_PRECONDITION
// when the claim did not hand out exactly that one task.

#ifndef BULWARK_SERVICES_QUEUE_SERVICE_TEST_TASKS_H_
#define BULWARK_SERVICES_QUEUE_SERVICE_TEST_TASKS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "libraries/authn/caller.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/credentials.h"
#include "services/queue/service/queue_service.h"

namespace bulwark::queue {

// The queue's own credentials as the service's issuer (a fixed test access token).
hawk::Credentials TestIssuer(const std::string& client_id = "static/bulwark/queue");

// A task on "proj/linux" with a fresh slugid, created at `now` and due `deadline_after` later,
// with placeholder metadata (name, description, owner, source) and nothing else set.
v1::CreateTaskRequest NewTaskRequest(Random& random, absl::Time now,
                                     absl::Duration deadline_after = absl::Hours(1));

// A claim for up to `tasks` tasks of "proj/linux" as worker "wg/w1", not waiting.
v1::ClaimWorkRequest ClaimRequest(int tasks = 1);

// The header of a streamed upload of artifact `name` to run `run_id` of `task_id`.
v1::UploadArtifactHeader UploadHeader(const std::string& task_id, const std::string& name,
                                      int run_id = 0);

// Creates `request`'s task as `creator`, then claims it as `worker` with ClaimRequest(1).
absl::Status CreateAndClaim(QueueService& service, const Caller& creator, const Caller& worker,
                            const v1::CreateTaskRequest& request);

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_SERVICE_TEST_TASKS_H_
