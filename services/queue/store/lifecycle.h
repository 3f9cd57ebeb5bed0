// File: services/queue/store/lifecycle.h
//
// The task lifecycle rules every QueueStore applies, written once: whether a resolution
// repeats one already made, which run states may be resolved or reclaimed, the error
// messages, how many runs a task may have, and how artifact content is cut into chunks.
//
// Thread-safety: pure functions.

#ifndef BULWARK_SERVICES_QUEUE_STORE_LIFECYCLE_H_
#define BULWARK_SERVICES_QUEUE_STORE_LIFECYCLE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/taskdef/priority.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

inline constexpr int kMaxRuns = 50;

using taskdef::kPriorities;
using taskdef::PriorityRank;
// Artifacts may still be added this long after a run ended in an exception.
inline constexpr absl::Duration kArtifactGrace = absl::Minutes(25);

// OK to resolve `run` (the latest, running); OK-and-nothing-to-do is reported by
// `*already` when the run already has exactly this resolution.
inline absl::Status CheckResolvable(const Task& task, int run_id, const Resolution& r,
                                    bool* already) {
  *already = false;
  if (run_id < 0 || run_id >= static_cast<int>(task.runs.size())) {
    return absl::NotFoundError(absl::StrCat("task ", task.task_id, " has no run ", run_id));
  }
  const Run& run = task.runs[run_id];
  if (run.state == r.state && run.reason_resolved == r.reason) {
    *already = true;
    return absl::OkStatus();
  }
  if (run.state != RunState::kRunning) {
    return absl::FailedPreconditionError(absl::StrCat("run ", run_id, " of task ", task.task_id,
                                                      " is ", Name(run.state), ", not running"));
  }
  return absl::OkStatus();
}

inline absl::Status CheckReclaimable(const Task& task, int run_id, absl::Time now,
                                     absl::Time task_deadline) {
  if (run_id < 0 || run_id >= static_cast<int>(task.runs.size())) {
    return absl::NotFoundError(absl::StrCat("task ", task.task_id, " has no run ", run_id));
  }
  if (run_id != static_cast<int>(task.runs.size()) - 1 ||
      task.runs[run_id].state != RunState::kRunning) {
    return absl::FailedPreconditionError(absl::StrCat(
        "run ", run_id, " of task ", task.task_id, " is not the running run; stop working on it"));
  }
  if (now >= task_deadline) {
    return absl::FailedPreconditionError(
        absl::StrCat("task ", task.task_id, " is past its deadline"));
  }
  return absl::OkStatus();
}

// Whether a retry may happen: retries left, under the run cap, before the deadline.
inline bool CanRetry(const Task& task, absl::Time now, absl::Time task_deadline) {
  return task.retries_left > 0 && static_cast<int>(task.runs.size()) < kMaxRuns &&
         now < task_deadline;
}

inline absl::Status CheckArtifactWritable(const Task& task, int run_id, absl::Time now) {
  if (run_id < 0 || run_id >= static_cast<int>(task.runs.size())) {
    return absl::NotFoundError(absl::StrCat("task ", task.task_id, " has no run ", run_id));
  }
  const Run& run = task.runs[run_id];
  if (run.state == RunState::kRunning) return absl::OkStatus();
  if (run.state == RunState::kException && now - run.resolved < kArtifactGrace) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat("run ", run_id, " of task ", task.task_id,
                                                    " is ", Name(run.state),
                                                    "; artifacts can be added only while it runs"));
}

inline bool SameArtifact(const Artifact& a, const Artifact& b) {
  return a.sha256 == b.sha256 && a.content_type == b.content_type;
}

inline absl::Status ArtifactConflict(const Artifact& a) {
  return absl::AlreadyExistsError(
      absl::StrCat("artifact ", a.name, " of run ", a.run_id, " of task ", a.task_id,
                   " already exists with other content; artifacts never change"));
}

// `content` cut into chunks of kMaxChunkBytes (the last one shorter); none for empty content.
inline std::vector<absl::string_view> ChunksOf(absl::string_view content) {
  std::vector<absl::string_view> chunks;
  for (size_t at = 0; at < content.size(); at += kMaxChunkBytes) {
    chunks.push_back(content.substr(at, kMaxChunkBytes));
  }
  return chunks;
}

inline absl::Status CheckChunks(const std::vector<absl::string_view>& chunks) {
  if (chunks.empty()) return absl::InvalidArgumentError("no chunks to stage");
  for (absl::string_view chunk : chunks) {
    if (chunk.empty() || static_cast<int64_t>(chunk.size()) > kMaxChunkBytes) {
      return absl::InvalidArgumentError(absl::StrCat("a chunk must hold 1 to ", kMaxChunkBytes,
                                                     " bytes; this one has ", chunk.size()));
    }
  }
  return absl::OkStatus();
}

inline absl::Status UploadNotFound(const std::string& upload_id) {
  return absl::NotFoundError(absl::StrCat(
      "upload ", upload_id,
      " does not exist (finished, aborted, or discarded after being idle); upload again"));
}

inline absl::Status ChunkOutOfOrder(const std::string& upload_id, int expected, int got) {
  return absl::FailedPreconditionError(
      absl::StrCat("upload ", upload_id, " expects chunk ", expected, " next, not chunk ", got));
}

// The upload being finished must be the artifact's, with the artifact's size.
inline absl::Status CheckUploadMatches(const std::string& upload_id, const std::string& task_id,
                                       int run_id, const std::string& name, int64_t size,
                                       const Artifact& a) {
  if (task_id != a.task_id || run_id != a.run_id || name != a.name) {
    return absl::FailedPreconditionError(absl::StrCat("upload ", upload_id, " is for artifact ",
                                                      name, " of run ", run_id, " of task ",
                                                      task_id, ", not ", a.name));
  }
  if (size != a.size) {
    return absl::FailedPreconditionError(
        absl::StrCat("upload ", upload_id, " holds ", size, " bytes, not ", a.size));
  }
  return absl::OkStatus();
}

inline absl::Status ArtifactNotFound(const std::string& task_id, int run_id,
                                     const std::string& name) {
  return absl::NotFoundError(
      absl::StrCat("run ", run_id, " of task ", task_id, " has no artifact ", name));
}

inline absl::Status CheckChunkRange(int first, int max_chunks) {
  if (first < 0 || max_chunks < 1) {
    return absl::InvalidArgumentError("chunks are read from index 0 on, at least one at a time");
  }
  return absl::OkStatus();
}

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_STORE_LIFECYCLE_H_
