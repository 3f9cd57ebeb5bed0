#include "services/queue/store/in_memory_queue_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/call/call_scope.h"
#include "libraries/status/status_macros.h"
#include "services/queue/store/lifecycle.h"

namespace bulwark::queue {
namespace {

absl::Time Deadline(const Task& task) {
  return absl::FromUnixSeconds(task.definition.deadline().seconds()) +
         absl::Nanoseconds(task.definition.deadline().nanos());
}

// Stored times are kept to the microsecond, as PostgreSQL keeps them.
absl::Time Micro(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

absl::Status NotFound(const std::string& task_id) {
  return absl::NotFoundError(absl::StrCat("task ", task_id, " not found"));
}

}  // namespace

void InMemoryQueueStore::AddPendingRun(Task& task, ReasonCreated reason, absl::Time now) {
  Run run;
  run.run_id = static_cast<int>(task.runs.size());
  run.state = RunState::kPending;
  run.reason_created = reason;
  run.scheduled = Micro(now);
  task.runs.push_back(run);
  pending_[task.definition.task_queue_id()]
          [{-PriorityRank(task.definition.priority()), ++sequence_}] = {task.task_id, run.run_id};
}

void InMemoryQueueStore::RemovePending(const std::string& task_id, int run_id) {
  for (auto& [queue, runs] : pending_) {
    for (auto it = runs.begin(); it != runs.end(); ++it) {
      if (it->second == std::make_pair(task_id, run_id)) {
        runs.erase(it);
        return;
      }
    }
  }
}

void InMemoryQueueStore::Cascade(const std::string& task_id, RunState state, absl::Time now) {
  auto deps = dependents_.find(task_id);
  if (deps == dependents_.end()) return;
  for (auto& [dependent, dep] : deps->second) {
    if (dep.satisfied || (dep.requires != "all-resolved" && state != RunState::kCompleted))
      continue;
    dep.satisfied = true;
    Task& d = tasks_[dependent];
    if (!d.runs.empty()) continue;
    bool ready = true;
    for (const std::string& other : d.definition.dependencies()) {
      ready = ready && dependents_[other][dependent].satisfied;
    }
    if (ready) AddPendingRun(d, ReasonCreated::kScheduled, now);
  }
}

void InMemoryQueueStore::ApplyResolution(Task& task, int run_id, const Resolution& r,
                                         absl::Time now) {
  Run& run = task.runs[run_id];
  run.state = r.state;
  run.reason_resolved = r.reason;
  run.resolved = Micro(now);
  run.taken_until = absl::InfinitePast();
  RemovePending(task.task_id, run_id);
  if (r.retry && CanRetry(task, now, Deadline(task))) {
    --task.retries_left;
    AddPendingRun(task, r.retry_reason, now);
    return;
  }
  Cascade(task.task_id, r.state, now);
}

absl::StatusOr<CreateResult> InMemoryQueueStore::CreateTask(const Task& input, absl::Time now,
                                                            absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("create task"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  if (auto it = tasks_.find(input.task_id); it != tasks_.end())
    return CreateResult{false, it->second};
  const v1::TaskDefinition& d = input.definition;
  auto [group, inserted] = group_schedulers_.emplace(d.task_group_id(), d.scheduler_id());
  if (group->second != d.scheduler_id()) {
    if (inserted) group_schedulers_.erase(group);
    return absl::FailedPreconditionError(absl::StrCat("task group ", d.task_group_id(),
                                                      " belongs to schedulerId '", group->second,
                                                      "'; this task has '", d.scheduler_id(), "'"));
  }
  std::vector<std::string> missing;
  for (const std::string& dep : d.dependencies()) {
    if (tasks_.count(dep) == 0) missing.push_back(dep);
  }
  if (!missing.empty()) {
    if (inserted) group_schedulers_.erase(group);
    return absl::InvalidArgumentError(
        absl::StrCat("task.dependencies: no such tasks: ", absl::StrJoin(missing, ", ")));
  }
  Task task = input;
  task.retries_left = d.retries();
  task.created_at = Micro(now);
  task.runs.clear();
  bool ready = true;
  for (const std::string& dep : d.dependencies()) {
    const Task& required = tasks_[dep];
    bool satisfied = required.resolved() &&
                     (d.requires() == "all-resolved" || required.state() == RunState::kCompleted);
    dependents_[dep][task.task_id] = {d.requires(), satisfied};
    ready = ready && satisfied;
  }
  Task& stored = tasks_[task.task_id] = task;
  if (ready) AddPendingRun(stored, ReasonCreated::kScheduled, now);
  return CreateResult{true, stored};
}

absl::StatusOr<Task> InMemoryQueueStore::GetTask(const std::string& task_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return NotFound(task_id);
  return it->second;
}

absl::StatusOr<std::vector<Task>> InMemoryQueueStore::ListTaskGroup(
    const std::string& task_group_id, const std::string& after_task_id, int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<Task> out;
  for (auto it = tasks_.upper_bound(after_task_id);
       it != tasks_.end() && static_cast<int>(out.size()) < limit; ++it) {
    if (it->second.definition.task_group_id() == task_group_id) out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<std::vector<ClaimedRun>> InMemoryQueueStore::Claim(
    const std::string& task_queue_id, const std::string& worker_group, const std::string& worker_id,
    int max, absl::Time now, absl::Time taken_until, absl::Time,
    const std::function<bool()>& cancelled) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("claim work"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  if (cancelled && cancelled()) {
    return absl::CancelledError("claim work: the call was cancelled; nothing was claimed");
  }
  std::vector<ClaimedRun> claimed;
  auto& queue = pending_[task_queue_id];
  while (!queue.empty() && static_cast<int>(claimed.size()) < max) {
    auto [task_id, run_id] = queue.begin()->second;
    queue.erase(queue.begin());
    Task& task = tasks_[task_id];
    Run& run = task.runs[run_id];
    run.state = RunState::kRunning;
    run.worker_group = worker_group;
    run.worker_id = worker_id;
    run.started = Micro(now);
    run.taken_until = Micro(taken_until);
    claimed.push_back({task, run_id});
  }
  return claimed;
}

absl::StatusOr<Task> InMemoryQueueStore::Reclaim(const std::string& task_id, int run_id,
                                                 absl::Time now, absl::Time taken_until,
                                                 absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("reclaim task"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return NotFound(task_id);
  BULWARK_RETURN_IF_ERROR(CheckReclaimable(it->second, run_id, now, Deadline(it->second)));
  it->second.runs[run_id].taken_until = Micro(taken_until);
  return it->second;
}

absl::StatusOr<Task> InMemoryQueueStore::Resolve(const std::string& task_id, int run_id,
                                                 const Resolution& resolution, absl::Time now,
                                                 absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("resolve run"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return NotFound(task_id);
  bool already = false;
  BULWARK_RETURN_IF_ERROR(CheckResolvable(it->second, run_id, resolution, &already));
  if (!already) ApplyResolution(it->second, run_id, resolution, now);
  return it->second;
}

absl::StatusOr<int> InMemoryQueueStore::ExpireClaims(absl::Time now, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("expire claims"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  int expired = 0;
  for (auto& [id, task] : tasks_) {
    if (task.runs.empty()) continue;
    Run& run = task.runs.back();
    if (run.state == RunState::kRunning && run.taken_until < now) {
      ApplyResolution(
          task, run.run_id,
          {RunState::kException, ReasonResolved::kClaimExpired, true, ReasonCreated::kRetry}, now);
      ++expired;
    }
  }
  return expired;
}

absl::StatusOr<int> InMemoryQueueStore::ExpireDeadlines(absl::Time now, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("expire deadlines"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  int expired = 0;
  for (auto& [id, task] : tasks_) {
    if (task.resolved() || Deadline(task) >= now) continue;
    if (task.runs.empty()) {
      Run run;
      run.state = RunState::kPending;
      run.reason_created = ReasonCreated::kException;
      run.scheduled = Micro(now);
      task.runs.push_back(run);
    }
    ApplyResolution(
        task, static_cast<int>(task.runs.size()) - 1,
        {RunState::kException, ReasonResolved::kDeadlineExceeded, false, ReasonCreated::kRetry},
        now);
    ++expired;
  }
  return expired;
}

absl::StatusOr<Artifact> InMemoryQueueStore::PutArtifact(const Artifact& artifact,
                                                         const std::string& content, absl::Time now,
                                                         absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("create artifact"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto task = tasks_.find(artifact.task_id);
  if (task == tasks_.end()) return NotFound(artifact.task_id);
  auto key = std::make_tuple(artifact.task_id, artifact.run_id, artifact.name);
  if (auto it = artifacts_.find(key); it != artifacts_.end()) {
    if (!SameArtifact(it->second, artifact)) return ArtifactConflict(artifact);
    return it->second;
  }
  BULWARK_RETURN_IF_ERROR(CheckArtifactWritable(task->second, artifact.run_id, now));
  Artifact stored = artifact;
  stored.created = Micro(now);
  stored.expires = Micro(artifact.expires);
  if (blobs_.count(artifact.sha256) == 0) {
    std::vector<std::string>& chunks = blobs_[artifact.sha256];
    for (absl::string_view chunk : ChunksOf(content)) chunks.emplace_back(chunk);
  }
  artifacts_[key] = stored;
  return stored;
}

absl::StatusOr<std::string> InMemoryQueueStore::BeginUpload(const std::string& task_id, int run_id,
                                                            const std::string& name, absl::Time now,
                                                            absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("begin upload"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto task = tasks_.find(task_id);
  if (task == tasks_.end()) return NotFound(task_id);
  BULWARK_RETURN_IF_ERROR(CheckArtifactWritable(task->second, run_id, now));
  std::string id = absl::StrCat(++next_upload_);
  uploads_[id] = Upload{task_id, run_id, name, {}, 0, Micro(now)};
  return id;
}

absl::Status InMemoryQueueStore::AppendUpload(const std::string& upload_id, int first_index,
                                              const std::vector<absl::string_view>& chunks,
                                              absl::Time now, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("append upload"));  // call_scope.h
  BULWARK_RETURN_IF_ERROR(CheckChunks(chunks));
  absl::MutexLock lock(&mu_);
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end()) return UploadNotFound(upload_id);
  Upload& upload = it->second;
  if (first_index != static_cast<int>(upload.chunks.size())) {
    return ChunkOutOfOrder(upload_id, static_cast<int>(upload.chunks.size()), first_index);
  }
  for (absl::string_view chunk : chunks) {
    upload.chunks.emplace_back(chunk);
    upload.size += static_cast<int64_t>(chunk.size());
  }
  upload.touched = Micro(now);
  return absl::OkStatus();
}

absl::StatusOr<Artifact> InMemoryQueueStore::FinishUpload(const std::string& upload_id,
                                                          const Artifact& artifact, absl::Time now,
                                                          absl::Time,
                                                          const std::function<bool()>& cancelled) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("finish upload"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end()) return UploadNotFound(upload_id);
  Upload& upload = it->second;
  BULWARK_RETURN_IF_ERROR(CheckUploadMatches(upload_id, upload.task_id, upload.run_id, upload.name,
                                             upload.size, artifact));
  auto task = tasks_.find(artifact.task_id);
  if (task == tasks_.end()) return NotFound(artifact.task_id);
  auto key = std::make_tuple(artifact.task_id, artifact.run_id, artifact.name);
  Artifact stored;
  if (auto existing = artifacts_.find(key); existing != artifacts_.end()) {
    if (!SameArtifact(existing->second, artifact)) return ArtifactConflict(artifact);
    stored = existing->second;
  } else {
    BULWARK_RETURN_IF_ERROR(CheckArtifactWritable(task->second, artifact.run_id, now));
    stored = artifact;
    stored.created = Micro(now);
    stored.expires = Micro(artifact.expires);
  }
  if (cancelled && cancelled()) {
    return absl::CancelledError("the upload's caller went away; nothing was stored");
  }
  if (artifacts_.count(key) == 0) {
    if (blobs_.count(artifact.sha256) == 0) blobs_[artifact.sha256] = std::move(upload.chunks);
    artifacts_[key] = stored;
  }
  uploads_.erase(it);
  return stored;
}

absl::Status InMemoryQueueStore::AbortUpload(const std::string& upload_id, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("abort upload"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  uploads_.erase(upload_id);
  return absl::OkStatus();
}

absl::StatusOr<int> InMemoryQueueStore::PurgeUploads(absl::Time idle_since, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("purge uploads"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  int purged = 0;
  for (auto it = uploads_.begin(); it != uploads_.end();) {
    if (it->second.touched < idle_since) {
      it = uploads_.erase(it);
      ++purged;
    } else {
      ++it;
    }
  }
  return purged;
}

absl::StatusOr<Artifact> InMemoryQueueStore::GetArtifact(const std::string& task_id, int run_id,
                                                         const std::string& name, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = artifacts_.find(std::make_tuple(task_id, run_id, name));
  if (it == artifacts_.end()) return ArtifactNotFound(task_id, run_id, name);
  return it->second;
}

absl::StatusOr<std::vector<std::string>> InMemoryQueueStore::ReadArtifactChunks(
    const std::string& task_id, int run_id, const std::string& name, int first, int max_chunks,
    absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckChunkRange(first, max_chunks));
  absl::MutexLock lock(&mu_);
  auto it = artifacts_.find(std::make_tuple(task_id, run_id, name));
  if (it == artifacts_.end()) return ArtifactNotFound(task_id, run_id, name);
  const std::vector<std::string>& chunks = blobs_[it->second.sha256];
  std::vector<std::string> out;
  for (int i = first; i < static_cast<int>(chunks.size()) && i < first + max_chunks; ++i) {
    out.push_back(chunks[i]);
  }
  return out;
}

absl::StatusOr<std::vector<Artifact>> InMemoryQueueStore::ListArtifacts(
    const std::string& task_id, int run_id, const std::string& after_name, int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<Artifact> out;
  for (auto it = artifacts_.upper_bound(std::make_tuple(task_id, run_id, after_name));
       it != artifacts_.end() && static_cast<int>(out.size()) < limit; ++it) {
    if (std::get<0>(it->first) != task_id || std::get<1>(it->first) != run_id) break;
    out.push_back(it->second);
  }
  return out;
}

}  // namespace bulwark::queue
