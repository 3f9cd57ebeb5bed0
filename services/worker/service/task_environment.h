// File: services/worker/service/task_environment.h
//
// The environment a task's commands run with, built from scratch (nothing of the worker's own
// environment is passed on; the one exception is a ThreadSanitizer test build, where
// TaskRunner adds the worker's TSAN_OPTIONS and LD_PRELOAD, docs/development.md):
//   - the payload's `env`, then the variables the worker sets, which a payload cannot override:
//   TASK_ID                      the task's id
//   RUN_ID                       the run number (decimal)
//   TASK_WORKDIR                 the task directory (as generic-worker sets it)
//   HOME                         the task directory
//   PATH                         kTaskPath, fixed; preceded by the worker's tools directory
//                                (--task-tools) when it has one
//   TASKCLUSTER_CLIENT_ID        the run's temporary credentials, from the claim: clientId,
//   TASKCLUSTER_ACCESS_TOKEN     accessToken
//   TASKCLUSTER_CERTIFICATE      and the certificate as its JSON text
//   TASKCLUSTER_QUEUE_ADDRESS    the queue's gRPC address (host:port), for tools in the task
//   BULWARK_CA                   the CA file the bulwark CLI verifies the queue with (when the
//                                worker has one); BULWARK_PLAINTEXT=true when the worker dials
//                                in plaintext (tests)
// Every name in kWorkerSetVariables, and every name starting with "TASKCLUSTER_" (so that a
// future worker variable cannot be pre-empted by a payload), is reserved: IsWorkerSetVariable
// says so, payload validation refuses them, and BuildTaskEnvironment refuses them again.
//
//   TaskEnvironmentInputs in{task_id, run_id, claim_credentials, queue_address, task_dir};
//   BULWARK_ASSIGN_OR_RETURN(auto env, BuildTaskEnvironment(in, payload.env));
//   run_options.env = std::move(env);
//
// Thread-safety: pure functions. Errors: INVALID_ARGUMENT naming the missing or bad input (an
// empty task id or credential part, a negative run id, a relative task directory, a payload
// variable that is reserved or not a valid name, a NUL byte in a value).

#ifndef BULWARK_SERVICES_WORKER_SERVICE_TASK_ENVIRONMENT_H_
#define BULWARK_SERVICES_WORKER_SERVICE_TASK_ENVIRONMENT_H_

#include <array>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulwark::worker {

// The PATH of every task command.
inline constexpr absl::string_view kTaskPath = "/usr/local/bin:/usr/bin:/bin";

// The variable that holds the queue's address.
inline constexpr absl::string_view kQueueAddressVariable = "TASKCLUSTER_QUEUE_ADDRESS";

// Every prefix reserved for the worker.
inline constexpr absl::string_view kReservedVariablePrefix = "TASKCLUSTER_";

// The variables the worker sets (the TASKCLUSTER_ ones are also covered by the prefix).
inline constexpr std::array<absl::string_view, 9> kWorkerSetVariables = {
    "TASK_ID",
    "RUN_ID",
    "TASK_WORKDIR",
    "HOME",
    "PATH",
    "TASKCLUSTER_CLIENT_ID",
    "TASKCLUSTER_ACCESS_TOKEN",
    "TASKCLUSTER_CERTIFICATE",
    kQueueAddressVariable,
};

// Whether `name` is set by the worker (listed above or starting with "TASKCLUSTER_").
bool IsWorkerSetVariable(absl::string_view name);

// Whether `name` is a valid variable name for a payload: ^[A-Za-z_][A-Za-z0-9_]*$.
bool IsValidVariableName(absl::string_view name);

// The run's temporary credentials as the claim returned them.
struct TaskCredentials {
  std::string client_id;
  std::string access_token;
  // The certificate, as JSON text.
  std::string certificate;
};

struct TaskEnvironmentInputs {
  std::string task_id;
  int run_id = 0;
  TaskCredentials credentials;
  // host:port of the queue, as tasks should dial it.
  std::string queue_address;
  // Absolute path of the task directory.
  std::string task_directory;
  // Absolute path of a directory of tools the worker offers its tasks (e.g. the bulwark CLI),
  // put first in PATH; empty: none.
  std::string tools_directory;
  // How the bulwark CLI in a task reaches the queue: BULWARK_CA=<ca_file> when set, and
  // BULWARK_PLAINTEXT=true when the worker itself dials in plaintext (tests).
  std::string ca_file;
  bool plaintext = false;
};

// The complete environment of the task's commands (see the file comment).
absl::StatusOr<std::map<std::string, std::string>> BuildTaskEnvironment(
    const TaskEnvironmentInputs& inputs, const std::map<std::string, std::string>& payload_env);

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_TASK_ENVIRONMENT_H_
