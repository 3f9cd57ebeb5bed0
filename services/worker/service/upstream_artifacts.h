// File: services/worker/service/upstream_artifacts.h
//
// FetchUpstreamArtifacts: before a task's commands run, the worker downloads the artifacts its
// payload names in `upstreamArtifacts` into the task directory, at
//   <task dir>/cot/<taskId>/<path>
// (so a signing task finds the build's output at cot/<buildTaskId>/public/build/app.tar.gz).
// Each is streamed from the latest run of that task with the run's task credentials, and the
// queue's size and SHA-256 are checked while it streams (never held whole in memory). Files and
// the directories made for them belong to `owner` (the task user), mode 0644 / 0755. Nothing of
// the task has run yet, so no path can have been prepared by the task; files are still created
// with O_EXCL|O_NOFOLLOW and directories checked to be real directories.
//
// Thread-safety: a function of its arguments; one call per run.
// Errors: INVALID_ARGUMENT for a path that is absolute or has an empty, "." or ".." segment, or
// that collides with another (a file where a directory is needed); the queue's status for an
// artifact that cannot be downloaded (NOT_FOUND, PERMISSION_DENIED, UNAVAILABLE, DATA_LOSS, ...)
// naming the task and artifact. An `optional` upstream entry whose artifact is NOT_FOUND is
// skipped, with a line in the log.

#ifndef BULWARK_SERVICES_WORKER_SERVICE_UPSTREAM_ARTIFACTS_H_
#define BULWARK_SERVICES_WORKER_SERVICE_UPSTREAM_ARTIFACTS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libraries/process/identity.h"
#include "services/worker/service/payload.h"
#include "services/worker/service/worker_queue.h"

namespace bulwark::worker {

struct UpstreamFetch {
  std::string task_directory;
  std::optional<process::Identity> owner;
  TaskCredentials credentials;
  // Each download's own deadline is now + this.
  absl::Duration timeout = absl::Minutes(10);
  // One line per artifact fetched or skipped.
  std::function<void(const std::string&)> log;
};

absl::Status FetchUpstreamArtifacts(WorkerQueue& queue,
                                    const std::vector<UpstreamArtifact>& upstream,
                                    const UpstreamFetch& fetch);

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_UPSTREAM_ARTIFACTS_H_
