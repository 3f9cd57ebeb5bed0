// File: services/worker/service/payload.h
//
// The worker's task payload: validation against the published JSON Schema
// (services/worker/schema/payload.schema.json, embedded), the checks a schema cannot express,
// and parsing into a Payload.
//
//   absl::StatusOr<Payload> payload = ParsePayload(task_payload_json);
//   if (!payload.ok()) {
//     log.WorkerLine(absl::StrCat("payload invalid: ", payload.status().message()));
//     // resolve the run exception / malformed-payload
//   }
//
// The payload (see the schema for every bound):
//   command            one argv (a non-empty array of strings, argv[0] non-empty) or a non-empty
//                      list of argvs, run in order; parsed as a list in both cases
//   env                string -> string; names match ^[A-Za-z_][A-Za-z0-9_]*$ and are not set
//                      by the worker (task_environment.h: TASK_ID, RUN_ID, TASK_WORKDIR, HOME,
//                      PATH, TASKCLUSTER_*)
//   maxRunTime         required integer seconds, 1..86400
//   artifacts          [{name, path, type: file|directory, expires?}]: names valid and unique
//                      (artifact_spec.h), not reserved; paths relative, without '..'
//   upstreamArtifacts  [{taskId, taskType, paths: [...], optional?}] (for the verifier)
//   features           {chainOfTrust?: boolean}
// No other member is allowed anywhere (a misspelt member is an error, not ignored), and no
// string may contain a NUL byte.
//
// Messages: INVALID_ARGUMENT "invalid task payload: <problem>; <problem>; ...", each problem
// "<JSON pointer into the payload>: <what is wrong>", e.g.
//   invalid task payload: /maxRunTime: must be <= 86400;
//   /env/PATH: PATH is set by the worker and cannot be set by the payload
// ("(root)" stands for the payload itself). At most kMaxReportedProblems are listed, then
// "and N more". The messages are meant for the task log, where the task's author reads them.
//
// Thread-safety: the compiled schema is built once (thread-safe static) and immutable; every
// function may be called concurrently. Errors: INVALID_ARGUMENT as above; ParsePayloadJson also
// for text that is not JSON. The embedded schema failing to compile is a build defect and
// aborts on first use (a test compiles it).

#ifndef BULWARK_SERVICES_WORKER_SERVICE_PAYLOAD_H_
#define BULWARK_SERVICES_WORKER_SERVICE_PAYLOAD_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/jsonschema/validator.h"
#include "nlohmann/json.hpp"
#include "services/worker/service/artifact_spec.h"

namespace bulwark::worker {

inline constexpr int kMaxRunTimeSeconds = 86400;
inline constexpr size_t kMaxReportedProblems = 20;

struct UpstreamArtifact {
  std::string task_id;
  std::string task_type;
  std::vector<std::string> paths;
  bool optional = false;
};

struct Payload {
  // At least one argv; each has at least argv[0], which is non-empty.
  std::vector<std::vector<std::string>> commands;
  std::map<std::string, std::string> env;
  absl::Duration max_run_time;
  std::vector<ArtifactSpec> artifacts;
  std::vector<UpstreamArtifact> upstream_artifacts;
  // features.chainOfTrust when the payload gives it.
  std::optional<bool> chain_of_trust;
};

// The compiled payload schema.
const jsonschema::Schema& PayloadSchema();

// Every problem with `payload` ("<pointer>: <message>"), schema and extra checks together;
// empty when it is valid. Not truncated.
std::vector<std::string> PayloadProblems(const nlohmann::json& payload);

// Validates and parses.
absl::StatusOr<Payload> ParsePayload(const nlohmann::json& payload);

// Parses JSON text, then ParsePayload.
absl::StatusOr<Payload> ParsePayloadJson(absl::string_view text);

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_PAYLOAD_H_
