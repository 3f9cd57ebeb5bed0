// File: tools/cli/queue_commands.h
//
// The queue commands of the `bulwark` CLI, apart from argument parsing (main.cc):
//   TaskStatusText   a readable summary of a TaskStatus (`bulwark task-status`)
//   TaskStatusJson   the same status in the API's JSON form (`--format=json`)
//   SaveArtifact     streams an artifact (DownloadArtifact) to a file or to stdout, checking
//                    its size and SHA-256 against the metadata the queue sent first (`bulwark
//                    artifact get`, `bulwark task-log`). A file is written beside its final
//                    name and renamed into place only once the content checked out, so a failed
//                    or mismatched download never leaves a file that looks complete.
//
// Thread-safety: functions of their arguments; SaveArtifact writes to stdout when asked to.
// Errors: SaveArtifact returns the call's status (code and message from the queue), DATA_LOSS
// when the content does not match the metadata, FAILED_PRECONDITION when the file cannot be
// written.

#ifndef BULWARK_TOOLS_CLI_QUEUE_COMMANDS_H_
#define BULWARK_TOOLS_CLI_QUEUE_COMMANDS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"

namespace bulwark::cli {

std::string TaskStatusText(const queue::v1::TaskStatus& status);
std::string TaskStatusJson(const queue::v1::TaskStatus& status);

// `output` empty: stdout. `context` carries the credentials and deadline, if any.
absl::StatusOr<queue::v1::Artifact> SaveArtifact(queue::v1::Queue::StubInterface& stub,
                                                 grpc::ClientContext& context,
                                                 const std::string& task_id,
                                                 std::optional<int> run_id, const std::string& name,
                                                 const std::string& output);

}  // namespace bulwark::cli

#endif  // BULWARK_TOOLS_CLI_QUEUE_COMMANDS_H_
