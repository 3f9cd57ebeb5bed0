#include "tools/cli/queue_commands.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "services/queue/client/artifact_transfer.h"

namespace bulwark::cli {
namespace {

using queue::v1::TaskState;

std::string StateName(TaskState state) {
  switch (state) {
    case queue::v1::TASK_STATE_UNSCHEDULED:
      return "unscheduled";
    case queue::v1::TASK_STATE_PENDING:
      return "pending";
    case queue::v1::TASK_STATE_RUNNING:
      return "running";
    case queue::v1::TASK_STATE_COMPLETED:
      return "completed";
    case queue::v1::TASK_STATE_FAILED:
      return "failed";
    case queue::v1::TASK_STATE_EXCEPTION:
      return "exception";
    default:
      return "unknown";
  }
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

}  // namespace

std::string TaskStatusText(const queue::v1::TaskStatus& s) {
  std::string out = absl::StrCat("task ", s.task_id(), ": ", StateName(s.state()), "\n");
  absl::StrAppend(&out, "  queue ", s.task_queue_id(), ", group ", s.task_group_id(),
                  ", scheduler ", s.scheduler_id(), ", project ", s.project_id(), "\n");
  absl::StrAppend(&out, "  deadline ", Time(s.deadline()), ", expires ", Time(s.expires()),
                  ", retries left ", s.retries_left(), "\n");
  if (s.runs().empty()) absl::StrAppend(&out, "  no runs yet (waiting for dependencies)\n");
  for (const queue::v1::Run& r : s.runs()) {
    absl::StrAppend(&out, "  run ", r.run_id(), ": ", StateName(r.state()));
    if (!r.reason_resolved().empty()) absl::StrAppend(&out, " (", r.reason_resolved(), ")");
    absl::StrAppend(&out, ", ", r.reason_created(), " ", Time(r.scheduled()));
    if (!r.worker_id().empty()) {
      absl::StrAppend(&out, ", on ", r.worker_group(), "/", r.worker_id(), " from ",
                      Time(r.started()));
    }
    if (r.state() == queue::v1::TASK_STATE_RUNNING) {
      absl::StrAppend(&out, ", claimed until ", Time(r.taken_until()));
    }
    if (r.resolved().seconds() != 0) absl::StrAppend(&out, ", resolved ", Time(r.resolved()));
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string TaskStatusJson(const queue::v1::TaskStatus& status) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(status, &json, options);
  return json;
}

absl::StatusOr<queue::v1::Artifact> SaveArtifact(queue::v1::Queue::StubInterface& stub,
                                                 grpc::ClientContext& context,
                                                 const std::string& task_id,
                                                 std::optional<int> run_id, const std::string& name,
                                                 const std::string& output) {
  queue::v1::DownloadArtifactRequest request;
  request.set_task_id(task_id);
  if (run_id) request.set_run_id(*run_id);
  request.set_name(name);
  FILE* out = stdout;
  std::string partial;
  if (!output.empty()) {
    partial = absl::StrCat(output, ".partial-", getpid());
    out = std::fopen(partial.c_str(), "wb");
    if (out == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write ", partial, ": ", std::strerror(errno)));
    }
  }
  absl::StatusOr<queue::v1::Artifact> artifact = queue::DownloadArtifactStream(
      stub, context, request, [&](absl::string_view chunk) -> absl::Status {
        if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "cannot write ", output.empty() ? "stdout" : partial, ": ", std::strerror(errno)));
        }
        return absl::OkStatus();
      });
  if (output.empty()) {
    std::fflush(stdout);
    return artifact;
  }
  bool closed = std::fclose(out) == 0;
  if (artifact.ok() && !closed) {
    artifact = absl::FailedPreconditionError(
        absl::StrCat("cannot write ", partial, ": ", std::strerror(errno)));
  }
  if (artifact.ok() && std::rename(partial.c_str(), output.c_str()) != 0) {
    artifact = absl::FailedPreconditionError(
        absl::StrCat("cannot rename ", partial, " to ", output, ": ", std::strerror(errno)));
  }
  if (!artifact.ok()) std::remove(partial.c_str());
  return artifact;
}

}  // namespace bulwark::cli
