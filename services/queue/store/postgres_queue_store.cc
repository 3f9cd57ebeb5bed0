#include "services/queue/store/postgres_queue_store.h"

#include <map>
#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"
#include "libraries/proto/timestamp.h"
#include "libraries/status/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/queue/store/lifecycle.h"

namespace bulwark::queue {
namespace {

using pg::Micros;
using pg::MicrosOf;
using pg::TimeFromMicros;
using pg::TimestampParam;

pg::TransactionOptions Options(absl::Time deadline, const char* name, bool read_only = false) {
  return pg::TransactionOptions::Named(deadline, name, read_only);
}

absl::StatusOr<std::string> DefinitionJson(const v1::TaskDefinition& d) {
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(d, &json);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("task cannot be stored: ", status.message().as_string()));
  }
  return json;
}

const std::string& RunColumns() {
  static const std::string* const columns = new std::string(
      absl::StrCat("run_id, state, reason_created, reason_resolved, worker_group, worker_id, ",
                   MicrosOf("taken_until"), ", ", MicrosOf("scheduled"), ", ", MicrosOf("started"),
                   ", ", MicrosOf("resolved")));
  return *columns;
}

// A state or reason read from a row; an unknown name is corrupt data (reported as INTERNAL by
// the transaction, which maps exceptions).
template <typename E>
E Parsed(std::optional<E> value, const char* column, const pqxx::field& field) {
  if (!value) {
    throw std::runtime_error(
        absl::StrCat("queue.runs.", column, " holds an unknown value '", field.c_str(), "'"));
  }
  return *value;
}

// The task with its runs, or nullopt. `lock` takes the task's row lock first.
std::optional<Task> LoadTask(pqxx::transaction_base& txn, const std::string& task_id, bool lock) {
  pqxx::result t = txn.exec_params(
      absl::StrCat("SELECT definition::text, creator_client_id, creator_authorized_scopes::text, ",
                   MicrosOf("created_at"), ", retries_left FROM queue.tasks WHERE task_id = $1",
                   lock ? " FOR UPDATE" : ""),
      task_id);
  if (t.empty()) return std::nullopt;
  Task task;
  task.task_id = task_id;
  // Written by DefinitionJson, so it parses; a damaged row reads as an empty definition.
  if (!google::protobuf::util::JsonStringToMessage(t[0][0].as<std::string>(), &task.definition)
           .ok()) {
    task.definition.Clear();
  }
  task.creator_client_id = t[0][1].as<std::string>();
  task.creator_authorized_scopes =
      nlohmann::json::parse(t[0][2].as<std::string>()).get<std::vector<std::string>>();
  task.created_at = TimeFromMicros(t[0][3]);
  task.retries_left = t[0][4].as<int>();
  for (const pqxx::row& r :
       txn.exec_params(absl::StrCat("SELECT ", RunColumns(),
                                    " FROM queue.runs WHERE task_id = $1 ORDER BY run_id"),
                       task_id)) {
    Run run;
    run.run_id = r[0].as<int>();
    run.state = Parsed(RunStateNamed(r[1].as<std::string>()), "state", r[1]);
    run.reason_created = Parsed(ReasonCreatedNamed(r[2].as<std::string>()), "reason_created", r[2]);
    run.reason_resolved =
        Parsed(ReasonResolvedNamed(r[3].as<std::string>()), "reason_resolved", r[3]);
    run.worker_group = r[4].as<std::string>();
    run.worker_id = r[5].as<std::string>();
    run.taken_until = TimeFromMicros(r[6]);
    run.scheduled = TimeFromMicros(r[7]);
    run.started = TimeFromMicros(r[8]);
    run.resolved = TimeFromMicros(r[9]);
    task.runs.push_back(run);
  }
  return task;
}

absl::Status NotFound(const std::string& task_id) {
  return absl::NotFoundError(absl::StrCat("task ", task_id, " not found"));
}

// Adds run `run_id` as pending and puts it in its queue.
void AddPendingRun(pqxx::work& txn, const Task& task, int run_id, ReasonCreated reason,
                   absl::Time now) {
  txn.exec_params(
      "INSERT INTO queue.runs (task_id, run_id, state, reason_created, scheduled) "
      "VALUES ($1, $2, 'pending', $3, " +
          TimestampParam(4) + ")",
      task.task_id, run_id, std::string(Name(reason)), Micros(now));
  txn.exec_params(
      "INSERT INTO queue.pending_runs (task_queue_id, priority_rank, task_id, run_id) "
      "VALUES ($1, $2, $3, $4)",
      task.definition.task_queue_id(), PriorityRank(task.definition.priority()), task.task_id,
      run_id);
}

// After `task_id` resolved finally as `state`: satisfies its dependents and schedules those
// whose dependencies are all met.
void Cascade(pqxx::work& txn, const std::string& task_id, RunState state, absl::Time now) {
  pqxx::result dependents = txn.exec_params(
      "UPDATE queue.dependencies SET satisfied = true WHERE required_task_id = $1 "
      "AND NOT satisfied AND (requires = 'all-resolved' OR $2 = 'completed') "
      "RETURNING dependent_task_id",
      task_id, std::string(Name(state)));
  for (const pqxx::row& d : dependents) {
    std::string dependent = d[0].as<std::string>();
    std::optional<Task> task = LoadTask(txn, dependent, /*lock=*/true);
    if (!task || !task->runs.empty()) continue;
    pqxx::row open = txn.exec_params1(
        "SELECT count(*) FROM queue.dependencies WHERE dependent_task_id = $1 AND NOT satisfied",
        dependent);
    if (open[0].as<int>() == 0) AddPendingRun(txn, *task, 0, ReasonCreated::kScheduled, now);
  }
}

absl::Time TaskDeadline(const Task& task) { return FromProtoTimestamp(task.definition.deadline()); }

// Resolves `run_id` of the locked `task`; retries or cascades.
void ApplyResolution(pqxx::work& txn, const Task& task, int run_id, const Resolution& r,
                     absl::Time now) {
  txn.exec_params(
      "UPDATE queue.runs SET state = $3, reason_resolved = $4, resolved = " + TimestampParam(5) +
          ", taken_until = NULL WHERE task_id = $1 AND run_id = $2",
      task.task_id, run_id, std::string(Name(r.state)), std::string(Name(r.reason)), Micros(now));
  txn.exec_params("DELETE FROM queue.pending_runs WHERE task_id = $1 AND run_id = $2", task.task_id,
                  run_id);
  if (r.retry && CanRetry(task, now, TaskDeadline(task))) {
    txn.exec_params("UPDATE queue.tasks SET retries_left = retries_left - 1 WHERE task_id = $1",
                    task.task_id);
    AddPendingRun(txn, task, static_cast<int>(task.runs.size()), r.retry_reason, now);
    return;
  }
  Cascade(txn, task.task_id, r.state, now);
}

Artifact ArtifactFromRow(const pqxx::row& r) {
  Artifact a;
  a.task_id = r[0].as<std::string>();
  a.run_id = r[1].as<int>();
  a.name = r[2].as<std::string>();
  a.content_type = r[3].as<std::string>();
  a.size = r[4].as<int64_t>();
  a.sha256 = r[5].as<std::string>();
  a.expires = TimeFromMicros(r[6]);
  a.created = TimeFromMicros(r[7]);
  return a;
}

const std::string& ArtifactColumns() {
  static const std::string* const columns =
      new std::string(absl::StrCat("task_id, run_id, name, content_type, size, sha256, ",
                                   MicrosOf("expires"), ", ", MicrosOf("created")));
  return *columns;
}

// The stored artifact with `a`'s task, run and name, if any.
std::optional<Artifact> LoadArtifact(pqxx::transaction_base& txn, const Artifact& a) {
  pqxx::result r =
      txn.exec_params("SELECT " + ArtifactColumns() +
                          " FROM queue.artifacts WHERE task_id = $1 AND run_id = $2 AND name = $3",
                      a.task_id, a.run_id, a.name);
  if (r.empty()) return std::nullopt;
  return ArtifactFromRow(r[0]);
}

// Registers the blob of `a`'s content; false when it is stored already (its chunks too).
bool InsertBlob(pqxx::work& txn, const Artifact& a) {
  return !txn.exec_params(
                 "INSERT INTO queue.artifact_blobs (sha256, size) VALUES ($1, $2) "
                 "ON CONFLICT (sha256) DO NOTHING RETURNING sha256",
                 a.sha256, a.size)
              .empty();
}

// Records artifact `a`, created `now`; returns it as stored (times to the microsecond).
Artifact InsertArtifact(pqxx::work& txn, const Artifact& a, absl::Time now) {
  Artifact stored = a;
  stored.created = absl::FromUnixMicros(Micros(now));
  stored.expires = absl::FromUnixMicros(Micros(a.expires));
  txn.exec_params(absl::StrCat("INSERT INTO queue.artifacts VALUES ($1, $2, $3, $4, $5, $6, ",
                               TimestampParam(7), ", ", TimestampParam(8), ")"),
                  stored.task_id, stored.run_id, stored.name, stored.content_type, stored.size,
                  stored.sha256, Micros(stored.expires), Micros(stored.created));
  return stored;
}

}  // namespace

absl::StatusOr<CreateResult> PostgresQueueStore::CreateTask(const Task& input, absl::Time now,
                                                            absl::Time deadline) {
  CreateResult result;
  const v1::TaskDefinition& d = input.definition;
  absl::Status s = pg::RunTransaction(
      pool_, Options(deadline, "create task"), [&](pqxx::work& txn) -> absl::Status {
        result = CreateResult();
        // Serialize creators of the same id, and of tasks in the same group.
        txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", input.task_id);
        if (std::optional<Task> existing = LoadTask(txn, input.task_id, false)) {
          result.task = *existing;
          return absl::OkStatus();
        }
        txn.exec_params("INSERT INTO queue.task_groups VALUES ($1, $2, " + TimestampParam(3) +
                            ") ON CONFLICT (task_group_id) DO UPDATE SET expires = "
                            "greatest(queue.task_groups.expires, excluded.expires)",
                        d.task_group_id(), d.scheduler_id(),
                        Micros(FromProtoTimestamp(d.expires())));
        std::string group_scheduler =
            txn.exec_params1("SELECT scheduler_id FROM queue.task_groups WHERE task_group_id = $1",
                             d.task_group_id())[0]
                .as<std::string>();
        if (group_scheduler != d.scheduler_id()) {
          return absl::FailedPreconditionError(
              absl::StrCat("task group ", d.task_group_id(), " belongs to schedulerId '",
                           group_scheduler, "'; this task has '", d.scheduler_id(), "'"));
        }
        // Lock the dependencies' rows (shared, in id order) so none of them resolves while
        // this task is created: its resolution's cascade must either see this task's
        // dependency rows or happen before we read its state.
        std::vector<std::string> deps(d.dependencies().begin(), d.dependencies().end());
        std::sort(deps.begin(), deps.end());
        std::vector<std::string> missing;
        std::map<std::string, bool> satisfied;
        for (const std::string& dep : deps) {
          txn.exec_params("SELECT 1 FROM queue.tasks WHERE task_id = $1 FOR SHARE", dep);
          std::optional<Task> required = LoadTask(txn, dep, false);
          if (!required) {
            missing.push_back(dep);
            continue;
          }
          satisfied[dep] = required->resolved() && (d.requires() == "all-resolved" ||
                                                    required->state() == RunState::kCompleted);
        }
        if (!missing.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("task.dependencies: no such tasks: ", absl::StrJoin(missing, ", ")));
        }
        BULWARK_ASSIGN_OR_RETURN(std::string definition, DefinitionJson(d));
        txn.exec_params(absl::StrCat("INSERT INTO queue.tasks VALUES ($1, $2, $3, $4, ",
                                     TimestampParam(5), ", ", TimestampParam(6),
                                     ", $7, $8::jsonb, $9, $10::jsonb, ", TimestampParam(11), ")"),
                        input.task_id, d.task_group_id(), d.task_queue_id(),
                        PriorityRank(d.priority()), Micros(FromProtoTimestamp(d.deadline())),
                        Micros(FromProtoTimestamp(d.expires())), d.retries(), definition,
                        input.creator_client_id,
                        nlohmann::json(input.creator_authorized_scopes).dump(), Micros(now));
        bool ready = true;
        for (const auto& [dep, ok] : satisfied) {
          txn.exec_params("INSERT INTO queue.dependencies VALUES ($1, $2, $3, $4)", dep,
                          input.task_id, d.requires(), ok);
          ready = ready && ok;
        }
        Task created = input;
        created.retries_left = d.retries();
        created.created_at = now;
        if (ready) AddPendingRun(txn, created, 0, ReasonCreated::kScheduled, now);
        result.created = true;
        result.task = *LoadTask(txn, input.task_id, false);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<Task> PostgresQueueStore::GetTask(const std::string& task_id, absl::Time deadline) {
  std::optional<Task> task;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "get task", true), [&](pqxx::work& txn) {
        task = LoadTask(txn, task_id, false);
        return absl::OkStatus();
      }));
  if (!task) return NotFound(task_id);
  return *task;
}

absl::StatusOr<std::vector<Task>> PostgresQueueStore::ListTaskGroup(
    const std::string& task_group_id, const std::string& after_task_id, int limit,
    absl::Time deadline) {
  std::vector<Task> tasks;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "list task group", true), [&](pqxx::work& txn) {
        tasks.clear();
        for (const pqxx::row& r :
             txn.exec_params("SELECT task_id FROM queue.tasks WHERE task_group_id = $1 AND "
                             "task_id COLLATE \"C\" > $2 ORDER BY task_id COLLATE \"C\" LIMIT $3",
                             task_group_id, after_task_id, limit)) {
          if (auto t = LoadTask(txn, r[0].as<std::string>(), false)) tasks.push_back(*t);
        }
        return absl::OkStatus();
      }));
  return tasks;
}

absl::StatusOr<std::vector<ClaimedRun>> PostgresQueueStore::Claim(
    const std::string& task_queue_id, const std::string& worker_group, const std::string& worker_id,
    int max, absl::Time now, absl::Time taken_until, absl::Time deadline,
    const std::function<bool()>& cancelled) {
  std::vector<ClaimedRun> claimed;
  pg::TransactionOptions options = Options(deadline, "claim work");
  options.cancelled = cancelled;  // nothing is claimed for a caller that has gone
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(pool_, options, [&](pqxx::work& txn) {
    claimed.clear();
    pqxx::result picked = txn.exec_params(
        "DELETE FROM queue.pending_runs p USING ("
        "  SELECT task_id, run_id FROM queue.pending_runs WHERE task_queue_id = $1"
        "  ORDER BY priority_rank DESC, seq LIMIT $2 FOR UPDATE SKIP LOCKED) picked "
        "WHERE p.task_id = picked.task_id AND p.run_id = picked.run_id "
        "RETURNING p.task_id, p.run_id, p.priority_rank, p.seq",
        task_queue_id, max);
    std::vector<std::tuple<int, int64_t, std::string, int>> order;
    for (const pqxx::row& r : picked) {
      order.emplace_back(-r[2].as<int>(), r[3].as<int64_t>(), r[0].as<std::string>(),
                         r[1].as<int>());
    }
    std::sort(order.begin(), order.end());
    for (const auto& [rank, seq, task_id, run_id] : order) {
      pqxx::result updated = txn.exec_params(
          "UPDATE queue.runs SET state = 'running', worker_group = $3, worker_id = $4, "
          "started = " +
              TimestampParam(5) + ", taken_until = " + TimestampParam(6) +
              " WHERE task_id = $1 AND run_id = $2 AND state = 'pending'",
          task_id, run_id, worker_group, worker_id, Micros(now), Micros(taken_until));
      if (updated.affected_rows() == 0) continue;
      claimed.push_back({*LoadTask(txn, task_id, false), run_id});
    }
    return absl::OkStatus();
  }));
  return claimed;
}

absl::StatusOr<Task> PostgresQueueStore::Reclaim(const std::string& task_id, int run_id,
                                                 absl::Time now, absl::Time taken_until,
                                                 absl::Time deadline) {
  std::optional<Task> task;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, Options(deadline, "reclaim task"), [&](pqxx::work& txn) -> absl::Status {
        task = LoadTask(txn, task_id, /*lock=*/true);
        if (!task) return NotFound(task_id);
        BULWARK_RETURN_IF_ERROR(CheckReclaimable(*task, run_id, now, TaskDeadline(*task)));
        txn.exec_params("UPDATE queue.runs SET taken_until = " + TimestampParam(3) +
                            " WHERE task_id = $1 AND run_id = $2",
                        task_id, run_id, Micros(taken_until));
        task = LoadTask(txn, task_id, false);
        return absl::OkStatus();
      }));
  return *task;
}

absl::StatusOr<Task> PostgresQueueStore::Resolve(const std::string& task_id, int run_id,
                                                 const Resolution& resolution, absl::Time now,
                                                 absl::Time deadline) {
  std::optional<Task> task;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, Options(deadline, "resolve run"), [&](pqxx::work& txn) -> absl::Status {
        task = LoadTask(txn, task_id, /*lock=*/true);
        if (!task) return NotFound(task_id);
        bool already = false;
        BULWARK_RETURN_IF_ERROR(CheckResolvable(*task, run_id, resolution, &already));
        if (already) return absl::OkStatus();
        ApplyResolution(txn, *task, run_id, resolution, now);
        task = LoadTask(txn, task_id, false);
        return absl::OkStatus();
      }));
  return *task;
}

absl::StatusOr<int> PostgresQueueStore::ExpireClaims(absl::Time now, absl::Time deadline) {
  int expired = 0;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "expire claims"), [&](pqxx::work& txn) {
        expired = 0;
        pqxx::result runs = txn.exec_params(
            "SELECT task_id, run_id FROM queue.runs WHERE state = 'running' AND taken_until < " +
                TimestampParam(1) + " ORDER BY taken_until LIMIT 1000",
            Micros(now));
        for (const pqxx::row& r : runs) {
          std::optional<Task> task = LoadTask(txn, r[0].as<std::string>(), /*lock=*/true);
          int run_id = r[1].as<int>();
          if (!task || task->runs[run_id].state != RunState::kRunning ||
              task->runs[run_id].taken_until >= now) {
            continue;  // reclaimed or resolved meanwhile
          }
          ApplyResolution(
              txn, *task, run_id,
              {RunState::kException, ReasonResolved::kClaimExpired, true, ReasonCreated::kRetry},
              now);
          ++expired;
        }
        return absl::OkStatus();
      }));
  return expired;
}

absl::StatusOr<int> PostgresQueueStore::ExpireDeadlines(absl::Time now, absl::Time deadline) {
  int expired = 0;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "expire deadlines"), [&](pqxx::work& txn) {
        expired = 0;
        pqxx::result tasks = txn.exec_params(
            "SELECT t.task_id FROM queue.tasks t WHERE t.deadline < " + TimestampParam(1) +
                " AND NOT EXISTS (SELECT 1 FROM queue.runs r WHERE r.task_id = t.task_id AND "
                "r.state IN ('completed', 'failed', 'exception') AND r.run_id = (SELECT "
                "max(run_id) "
                "FROM queue.runs WHERE task_id = t.task_id)) ORDER BY t.deadline LIMIT 1000",
            Micros(now));
        for (const pqxx::row& r : tasks) {
          std::optional<Task> task = LoadTask(txn, r[0].as<std::string>(), /*lock=*/true);
          if (!task || task->resolved()) continue;
          Resolution r2{RunState::kException, ReasonResolved::kDeadlineExceeded, false,
                        ReasonCreated::kRetry};
          if (task->runs.empty()) {
            txn.exec_params(
                "INSERT INTO queue.runs (task_id, run_id, state, reason_created, "
                "scheduled) VALUES ($1, 0, 'pending', 'exception', " +
                    TimestampParam(2) + ")",
                task->task_id, Micros(now));
            task = LoadTask(txn, task->task_id, false);
          }
          ApplyResolution(txn, *task, static_cast<int>(task->runs.size()) - 1, r2, now);
          ++expired;
        }
        return absl::OkStatus();
      }));
  return expired;
}

absl::StatusOr<Artifact> PostgresQueueStore::PutArtifact(const Artifact& artifact,
                                                         const std::string& content, absl::Time now,
                                                         absl::Time deadline) {
  Artifact stored;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, Options(deadline, "create artifact"), [&](pqxx::work& txn) -> absl::Status {
        std::optional<Task> task = LoadTask(txn, artifact.task_id, /*lock=*/true);
        if (!task) return NotFound(artifact.task_id);
        if (std::optional<Artifact> existing = LoadArtifact(txn, artifact)) {
          stored = *existing;
          return SameArtifact(stored, artifact) ? absl::OkStatus() : ArtifactConflict(artifact);
        }
        BULWARK_RETURN_IF_ERROR(CheckArtifactWritable(*task, artifact.run_id, now));
        if (InsertBlob(txn, artifact)) {
          std::vector<absl::string_view> chunks = ChunksOf(content);
          for (size_t i = 0; i < chunks.size(); ++i) {
            txn.exec_params(
                "INSERT INTO queue.artifact_chunks (sha256, seq, data) VALUES ($1, $2, $3)",
                artifact.sha256, static_cast<int>(i),
                pqxx::binarystring(chunks[i].data(), chunks[i].size()));
          }
        }
        stored = InsertArtifact(txn, artifact, now);
        return absl::OkStatus();
      }));
  return stored;
}

absl::StatusOr<std::string> PostgresQueueStore::BeginUpload(const std::string& task_id, int run_id,
                                                            const std::string& name, absl::Time now,
                                                            absl::Time deadline) {
  int64_t id = 0;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, Options(deadline, "begin artifact upload"), [&](pqxx::work& txn) -> absl::Status {
        std::optional<Task> task = LoadTask(txn, task_id, /*lock=*/false);
        if (!task) return NotFound(task_id);
        BULWARK_RETURN_IF_ERROR(CheckArtifactWritable(*task, run_id, now));
        id = txn.exec_params1(
                    "INSERT INTO queue.uploads (task_id, run_id, name, started, "
                    "touched) VALUES ($1, $2, $3, " +
                        TimestampParam(4) + ", " + TimestampParam(4) + ") RETURNING upload_id",
                    task_id, run_id, name, Micros(now))[0]
                 .as<int64_t>();
        return absl::OkStatus();
      }));
  return absl::StrCat(id);
}

absl::Status PostgresQueueStore::AppendUpload(const std::string& upload_id, int first_index,
                                              const std::vector<absl::string_view>& chunks,
                                              absl::Time now, absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckChunks(chunks));
  int64_t id = 0;
  if (!absl::SimpleAtoi(upload_id, &id)) return UploadNotFound(upload_id);
  int64_t bytes = 0;
  for (absl::string_view chunk : chunks) bytes += static_cast<int64_t>(chunk.size());
  return pg::RunTransaction(
      pool_, Options(deadline, "append to artifact upload"), [&](pqxx::work& txn) -> absl::Status {
        // Staged chunks need not reach the disk at their own commit: FinishUpload's commit is
        // synchronous and so flushes the log up to it, these chunks included. Until then,
        // losing them in a crash only fails an upload that the crash broke anyway.
        txn.exec("SET LOCAL synchronous_commit = off");
        pqxx::result u = txn.exec_params(
            "UPDATE queue.uploads SET chunks = chunks + $2, size = size + $3, touched = " +
                TimestampParam(4) + " WHERE upload_id = $1 RETURNING chunks - $2",
            id, static_cast<int>(chunks.size()), bytes, Micros(now));
        if (u.empty()) return UploadNotFound(upload_id);
        int expected = u[0][0].as<int>();
        if (expected != first_index) return ChunkOutOfOrder(upload_id, expected, first_index);
        for (size_t i = 0; i < chunks.size(); ++i) {
          txn.exec_params(
              "INSERT INTO queue.artifact_chunks (upload_id, seq, data) VALUES ($1, $2, $3)", id,
              first_index + static_cast<int>(i),
              pqxx::binarystring(chunks[i].data(), chunks[i].size()));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<Artifact> PostgresQueueStore::FinishUpload(const std::string& upload_id,
                                                          const Artifact& artifact, absl::Time now,
                                                          absl::Time deadline,
                                                          const std::function<bool()>& cancelled) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(upload_id, &id)) return UploadNotFound(upload_id);
  pg::TransactionOptions options = Options(deadline, "finish artifact upload");
  options.cancelled = cancelled;
  Artifact stored;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(pool_, options, [&](pqxx::work& txn) -> absl::Status {
    // The task's lock first, as every per-task change takes it.
    std::optional<Task> task = LoadTask(txn, artifact.task_id, /*lock=*/true);
    if (!task) return NotFound(artifact.task_id);
    pqxx::result u = txn.exec_params(
        "SELECT task_id, run_id, name, size FROM queue.uploads WHERE upload_id = $1 "
        "FOR UPDATE",
        id);
    if (u.empty()) return UploadNotFound(upload_id);
    BULWARK_RETURN_IF_ERROR(CheckUploadMatches(upload_id, u[0][0].as<std::string>(),
                                               u[0][1].as<int>(), u[0][2].as<std::string>(),
                                               u[0][3].as<int64_t>(), artifact));
    if (std::optional<Artifact> existing = LoadArtifact(txn, artifact)) {
      if (!SameArtifact(*existing, artifact)) return ArtifactConflict(artifact);
      stored = *existing;
    } else {
      BULWARK_RETURN_IF_ERROR(CheckArtifactWritable(*task, artifact.run_id, now));
      if (InsertBlob(txn, artifact)) {
        // The staged chunks become the blob's: only the small rows are rewritten.
        txn.exec_params(
            "UPDATE queue.artifact_chunks SET sha256 = $1, upload_id = NULL "
            "WHERE upload_id = $2",
            artifact.sha256, id);
      }
      stored = InsertArtifact(txn, artifact, now);
    }
    // Whatever is still staged (content that was already stored) goes with the upload.
    txn.exec_params("DELETE FROM queue.uploads WHERE upload_id = $1", id);
    return absl::OkStatus();
  }));
  return stored;
}

absl::Status PostgresQueueStore::AbortUpload(const std::string& upload_id, absl::Time deadline) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(upload_id, &id)) return absl::OkStatus();
  return pg::RunTransaction(pool_, Options(deadline, "abort artifact upload"),
                            [&](pqxx::work& txn) {
                              txn.exec_params("DELETE FROM queue.uploads WHERE upload_id = $1", id);
                              return absl::OkStatus();
                            });
}

absl::StatusOr<int> PostgresQueueStore::PurgeUploads(absl::Time idle_since, absl::Time deadline) {
  int purged = 0;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "purge idle uploads"), [&](pqxx::work& txn) {
        // Bounded per round; what is left goes in the next one.
        purged = static_cast<int>(
            txn.exec_params("DELETE FROM queue.uploads WHERE upload_id IN (SELECT upload_id "
                            "FROM queue.uploads WHERE touched < " +
                                TimestampParam(1) +
                                " ORDER BY touched LIMIT 100 FOR UPDATE SKIP LOCKED)",
                            Micros(idle_since))
                .affected_rows());
        return absl::OkStatus();
      }));
  return purged;
}

absl::StatusOr<Artifact> PostgresQueueStore::GetArtifact(const std::string& task_id, int run_id,
                                                         const std::string& name,
                                                         absl::Time deadline) {
  std::optional<Artifact> found;
  Artifact key;
  key.task_id = task_id;
  key.run_id = run_id;
  key.name = name;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "get artifact", true), [&](pqxx::work& txn) {
        found = LoadArtifact(txn, key);
        return absl::OkStatus();
      }));
  if (!found) return ArtifactNotFound(task_id, run_id, name);
  return *found;
}

absl::StatusOr<std::vector<std::string>> PostgresQueueStore::ReadArtifactChunks(
    const std::string& task_id, int run_id, const std::string& name, int first, int max_chunks,
    absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckChunkRange(first, max_chunks));
  std::vector<std::string> chunks;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, Options(deadline, "read artifact content", true),
      [&](pqxx::work& txn) -> absl::Status {
        chunks.clear();
        pqxx::result a = txn.exec_params(
            "SELECT sha256 FROM queue.artifacts WHERE task_id = $1 AND run_id = $2 AND name = $3",
            task_id, run_id, name);
        if (a.empty()) return ArtifactNotFound(task_id, run_id, name);
        pqxx::result r = txn.exec_params(
            "SELECT data FROM queue.artifact_chunks WHERE sha256 = $1 AND seq >= $2 "
            "ORDER BY seq LIMIT $3",
            a[0][0].as<std::string>(), first, max_chunks);
        for (const pqxx::row& row : r) {
          pqxx::binarystring data(row[0]);
          chunks.emplace_back(data.get(), data.size());
        }
        return absl::OkStatus();
      }));
  return chunks;
}

absl::StatusOr<std::vector<Artifact>> PostgresQueueStore::ListArtifacts(
    const std::string& task_id, int run_id, const std::string& after_name, int limit,
    absl::Time deadline) {
  std::vector<Artifact> artifacts;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "list artifacts", true), [&](pqxx::work& txn) {
        artifacts.clear();
        for (const pqxx::row& r :
             txn.exec_params("SELECT " + ArtifactColumns() +
                                 " FROM queue.artifacts WHERE task_id = $1 AND run_id = $2 AND "
                                 "name COLLATE \"C\" > $3 ORDER BY name COLLATE \"C\" LIMIT $4",
                             task_id, run_id, after_name, limit)) {
          artifacts.push_back(ArtifactFromRow(r));
        }
        return absl::OkStatus();
      }));
  return artifacts;
}

}  // namespace bulwark::queue
