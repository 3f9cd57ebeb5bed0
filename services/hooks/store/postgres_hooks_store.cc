#include "services/hooks/store/postgres_hooks_store.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"
#include "libraries/status/status_macros.h"
#include "services/hooks/store/hook_definition.h"

namespace bulwark::hooks {
namespace {

using pg::Micros;
using pg::MicrosOf;
using pg::TimeFromMicros;
using pg::TimestampParam;

constexpr int kPurgeBatch = 1000;

pg::TransactionOptions Options(absl::Time deadline, const char* name, bool read_only = false) {
  return pg::TransactionOptions::Named(deadline, name, read_only);
}

const std::string& HookColumns() {
  static const std::string* const columns = new std::string(absl::StrCat(
      "hook_group_id, hook_id, metadata::text, schedule::text, task::text, trigger_schema::text, "
      "sealed_trigger_token, next_task_id, ",
      MicrosOf("next_scheduled_date"), ", ", MicrosOf("created"), ", ", MicrosOf("last_modified"),
      ", version_sha256"));
  return *columns;
}

HookRow HookFromRow(const pqxx::row& r) {
  HookRow h;
  h.hook_group_id = r[0].as<std::string>();
  h.hook_id = r[1].as<std::string>();
  h.metadata = CanonicalJson(nlohmann::json::parse(r[2].as<std::string>()));
  h.schedule = CanonicalJson(nlohmann::json::parse(r[3].as<std::string>()));
  h.task = CanonicalJson(nlohmann::json::parse(r[4].as<std::string>()));
  h.trigger_schema = CanonicalJson(nlohmann::json::parse(r[5].as<std::string>()));
  h.sealed_trigger_token = r[6].as<std::string>();
  h.next_task_id = r[7].as<std::string>();
  if (!r[8].is_null()) h.next_scheduled_date = TimeFromMicros(r[8]);
  h.created = TimeFromMicros(r[9]);
  h.last_modified = TimeFromMicros(r[10]);
  h.version_sha256 = r[11].is_null() ? std::string() : r[11].as<std::string>();
  return h;
}

std::optional<HookRow> LoadHook(pqxx::transaction_base& txn, const std::string& group,
                                const std::string& id, bool lock) {
  pqxx::result r = txn.exec_params("SELECT " + HookColumns() +
                                       " FROM hooks.hooks WHERE hook_group_id = $1 AND "
                                       "hook_id = $2" +
                                       (lock ? " FOR UPDATE" : ""),
                                   group, id);
  if (r.empty()) return std::nullopt;
  return HookFromRow(r[0]);
}

// NULL when absent.
std::optional<int64_t> OptionalMicros(const std::optional<absl::Time>& t) {
  if (!t) return std::nullopt;
  return Micros(*t);
}

std::optional<std::string> NullIfEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// `h` with its definition's numbers normalized, as every store keeps it.
HookRow Normalized(HookRow h) {
  h.metadata = CanonicalJson(h.metadata);
  h.schedule = CanonicalJson(h.schedule);
  h.task = CanonicalJson(h.task);
  h.trigger_schema = CanonicalJson(h.trigger_schema);
  return h;
}

void WriteHook(pqxx::work& txn, const HookRow& h, bool insert) {
  static const char* const kColumns =
      "hook_group_id, hook_id, metadata, schedule, task, trigger_schema, sealed_trigger_token, "
      "next_task_id, next_scheduled_date, created, last_modified, version_sha256";
  std::string values =
      absl::StrCat("$1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, ",
                   TimestampParam(9), ", ", TimestampParam(10), ", ", TimestampParam(11), ", $12");
  std::string sql =
      insert ? absl::StrCat("INSERT INTO hooks.hooks (", kColumns, ") VALUES (", values, ")")
             : absl::StrCat("UPDATE hooks.hooks SET (", kColumns, ") = (", values,
                            ") WHERE hook_group_id = $1 AND hook_id = $2");
  txn.exec_params(sql, h.hook_group_id, h.hook_id, h.metadata.dump(), h.schedule.dump(),
                  h.task.dump(), h.trigger_schema.dump(), h.sealed_trigger_token, h.next_task_id,
                  OptionalMicros(h.next_scheduled_date), Micros(h.created), Micros(h.last_modified),
                  NullIfEmpty(h.version_sha256));
}

// Makes the version of `h`'s definition current: a kept version with the same digest is
// un-retired (keeping its sequence and creation time), otherwise a new one is numbered and
// created at `at`. Returns its sha256.
absl::StatusOr<std::string> MakeCurrentVersion(pqxx::work& txn, const HookRow& h, absl::Time at) {
  BULWARK_ASSIGN_OR_RETURN(std::string definition, CanonicalDefinition(h));
  std::string sha256 = Sha256Hex(definition);
  pqxx::result kept = txn.exec_params(
      "UPDATE hooks.hook_versions SET retired = NULL WHERE hook_group_id = $1 AND hook_id = $2 "
      "AND sha256 = $3 RETURNING sequence",
      h.hook_group_id, h.hook_id, sha256);
  if (!kept.empty()) return sha256;
  pqxx::row sequence = txn.exec_params1(
      "INSERT INTO hooks.hook_version_sequences AS s VALUES ($1, $2, 1) "
      "ON CONFLICT (hook_group_id, hook_id) DO UPDATE SET last_sequence = s.last_sequence + 1 "
      "RETURNING last_sequence",
      h.hook_group_id, h.hook_id);
  txn.exec_params(
      absl::StrCat("INSERT INTO hooks.hook_versions (hook_group_id, hook_id, sha256, sequence, "
                   "definition, created) VALUES ($1, $2, $3, $4, $5, ",
                   TimestampParam(6), ")"),
      h.hook_group_id, h.hook_id, sha256, sequence[0].as<int64_t>(), definition, Micros(at));
  return sha256;
}

void RetireVersion(pqxx::work& txn, const std::string& group, const std::string& id,
                   const std::string& sha256, absl::Time at) {
  if (sha256.empty()) return;
  txn.exec_params("UPDATE hooks.hook_versions SET retired = " + TimestampParam(4) +
                      " WHERE hook_group_id = $1 AND hook_id = $2 AND sha256 = $3 AND "
                      "retired IS NULL",
                  group, id, sha256, Micros(at));
}

absl::Status NotFound(const std::string& group, const std::string& id) {
  return absl::NotFoundError(absl::StrCat("hook ", group, "/", id, " not found"));
}

// Checks what the foreign keys would refuse, with a message saying why.
absl::Status CheckFireTarget(pqxx::work& txn, const LastFireRow& f) {
  if (f.hook_version_sha256.empty()) {
    if (txn.exec_params("SELECT 1 FROM hooks.hooks WHERE hook_group_id = $1 AND hook_id = $2",
                        f.hook_group_id, f.hook_id)
            .empty()) {
      return absl::FailedPreconditionError("cannot record a fire of a hook that does not exist");
    }
    return absl::OkStatus();
  }
  if (txn.exec_params("SELECT 1 FROM hooks.hook_versions WHERE hook_group_id = $1 AND "
                      "hook_id = $2 AND sha256 = $3",
                      f.hook_group_id, f.hook_id, f.hook_version_sha256)
          .empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot record a fire of version ", f.hook_version_sha256, " of hook ",
                     f.hook_group_id, "/", f.hook_id, ": no such version is kept"));
  }
  return absl::OkStatus();
}

void InsertFire(pqxx::work& txn, const LastFireRow& f) {
  txn.exec_params(
      absl::StrCat("INSERT INTO hooks.last_fires (hook_group_id, hook_id, task_id, fired_by, "
                   "payload, client_id, now_iso, task_create_time, result, error, "
                   "hook_version_sha256, expires) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, ",
                   TimestampParam(8), ", $9, $10, $11, ", TimestampParam(12), ")"),
      f.hook_group_id, f.hook_id, f.task_id, f.fired_by,
      f.payload.is_null() ? std::optional<std::string>() : f.payload.dump(), f.client_id, f.now_iso,
      Micros(f.task_create_time), f.result, f.error, NullIfEmpty(f.hook_version_sha256),
      Micros(f.expires));
}

const std::string& FireColumns() {
  static const std::string* const columns = new std::string(absl::StrCat(
      "task_id, fired_by, payload::text, client_id, now_iso, ", MicrosOf("task_create_time"),
      ", result, error, hook_version_sha256, ", MicrosOf("expires")));
  return *columns;
}

LastFireRow FireFromRow(const std::string& group, const std::string& id, const pqxx::row& r) {
  LastFireRow f;
  f.hook_group_id = group;
  f.hook_id = id;
  f.task_id = r[0].as<std::string>();
  f.fired_by = r[1].as<std::string>();
  f.payload = r[2].is_null() ? nlohmann::json() : nlohmann::json::parse(r[2].as<std::string>());
  f.client_id = r[3].as<std::string>();
  f.now_iso = r[4].as<std::string>();
  f.task_create_time = TimeFromMicros(r[5]);
  f.result = r[6].as<std::string>();
  f.error = r[7].as<std::string>();
  f.hook_version_sha256 = r[8].is_null() ? std::string() : r[8].as<std::string>();
  f.expires = TimeFromMicros(r[9]);
  return f;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> PostgresHooksStore::ListGroups(absl::Time deadline) {
  std::vector<std::string> groups;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "list hook groups", true), [&](pqxx::work& txn) {
        groups.clear();
        for (const pqxx::row& r : txn.exec("SELECT DISTINCT hook_group_id COLLATE \"C\" AS g "
                                           "FROM hooks.hooks ORDER BY g")) {
          groups.push_back(r[0].as<std::string>());
        }
        return absl::OkStatus();
      }));
  return groups;
}

absl::StatusOr<std::vector<HookRow>> PostgresHooksStore::ListHooks(const std::string& group,
                                                                   absl::Time deadline) {
  std::vector<HookRow> hooks;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "list hooks", true), [&](pqxx::work& txn) {
        hooks.clear();
        for (const pqxx::row& r : txn.exec_params(
                 "SELECT " + HookColumns() +
                     " FROM hooks.hooks WHERE hook_group_id = $1 ORDER BY hook_id COLLATE \"C\"",
                 group)) {
          hooks.push_back(HookFromRow(r));
        }
        return absl::OkStatus();
      }));
  return hooks;
}

absl::StatusOr<HookRow> PostgresHooksStore::GetHook(const std::string& group, const std::string& id,
                                                    absl::Time deadline) {
  std::optional<HookRow> hook;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "get hook", true), [&](pqxx::work& txn) {
        hook = LoadHook(txn, group, id, false);
        return absl::OkStatus();
      }));
  if (!hook) return NotFound(group, id);
  return *hook;
}

absl::StatusOr<std::pair<bool, HookRow>> PostgresHooksStore::CreateHook(const HookRow& hook,
                                                                        absl::Time deadline) {
  std::pair<bool, HookRow> result;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, Options(deadline, "create hook"), [&](pqxx::work& txn) -> absl::Status {
        txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))",
                        hook.hook_group_id + "/" + hook.hook_id);
        if (std::optional<HookRow> existing =
                LoadHook(txn, hook.hook_group_id, hook.hook_id, false)) {
          result = {false, *existing};
          return absl::OkStatus();
        }
        HookRow row = Normalized(hook);
        BULWARK_ASSIGN_OR_RETURN(row.version_sha256, MakeCurrentVersion(txn, row, row.created));
        WriteHook(txn, row, /*insert=*/true);
        result = {true, *LoadHook(txn, hook.hook_group_id, hook.hook_id, false)};
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<HookRow> PostgresHooksStore::UpdateHook(
    const std::string& group, const std::string& id,
    const std::function<absl::StatusOr<HookRow>(const HookRow&)>& change, absl::Time deadline) {
  std::optional<HookRow> hook;
  BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
      pool_, Options(deadline, "update hook"), [&](pqxx::work& txn) -> absl::Status {
        hook = LoadHook(txn, group, id, /*lock=*/true);
        if (!hook) return NotFound(group, id);
        BULWARK_ASSIGN_OR_RETURN(HookRow changed, change(*hook));
        changed = Normalized(std::move(changed));
        changed.hook_group_id = group;
        changed.hook_id = id;
        BULWARK_ASSIGN_OR_RETURN(std::string definition, CanonicalDefinition(changed));
        changed.version_sha256 = Sha256Hex(definition);
        if (changed.version_sha256 != hook->version_sha256) {
          BULWARK_ASSIGN_OR_RETURN(changed.version_sha256,
                                   MakeCurrentVersion(txn, changed, changed.last_modified));
          RetireVersion(txn, group, id, hook->version_sha256, changed.last_modified);
        }
        WriteHook(txn, changed, /*insert=*/false);
        hook = LoadHook(txn, group, id, false);
        return absl::OkStatus();
      }));
  return *hook;
}

absl::Status PostgresHooksStore::DeleteHook(const std::string& group, const std::string& id,
                                            absl::Time now, absl::Time deadline) {
  return pg::RunTransaction(pool_, Options(deadline, "delete hook"), [&](pqxx::work& txn) {
    pqxx::result deleted = txn.exec_params(
        "DELETE FROM hooks.hooks WHERE hook_group_id = $1 AND hook_id = $2 "
        "RETURNING version_sha256",
        group, id);
    if (!deleted.empty() && !deleted[0][0].is_null()) {
      RetireVersion(txn, group, id, deleted[0][0].as<std::string>(), now);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<HookVersionRow> PostgresHooksStore::GetHookVersion(const std::string& group,
                                                                  const std::string& id,
                                                                  const std::string& sha256,
                                                                  absl::Time deadline) {
  std::optional<HookVersionRow> version;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "get hook version", true), [&](pqxx::work& txn) {
        version.reset();
        pqxx::result r = txn.exec_params(
            absl::StrCat("SELECT sequence, definition, ", MicrosOf("created"), ", ",
                         MicrosOf("retired"),
                         " FROM hooks.hook_versions WHERE hook_group_id = $1 AND hook_id = $2 "
                         "AND sha256 = $3"),
            group, id, sha256);
        if (r.empty()) return absl::OkStatus();
        HookVersionRow v;
        v.hook_group_id = group;
        v.hook_id = id;
        v.sha256 = sha256;
        v.sequence = r[0][0].as<int64_t>();
        v.definition = r[0][1].as<std::string>();
        v.created = TimeFromMicros(r[0][2]);
        if (!r[0][3].is_null()) v.retired = TimeFromMicros(r[0][3]);
        version = std::move(v);
        return absl::OkStatus();
      }));
  if (!version) {
    return absl::NotFoundError(
        absl::StrCat("hook ", group, "/", id, " has no kept version with sha256 ", sha256));
  }
  return *version;
}

absl::Status PostgresHooksStore::AddLastFire(const LastFireRow& fire, absl::Time deadline) {
  return pg::RunTransaction(pool_, Options(deadline, "record hook fire"),
                            [&](pqxx::work& txn) -> absl::Status {
                              BULWARK_RETURN_IF_ERROR(CheckFireTarget(txn, fire));
                              InsertFire(txn, fire);
                              return absl::OkStatus();
                            });
}

absl::Status PostgresHooksStore::FinishLastFire(const std::string& group, const std::string& id,
                                                const std::string& task_id,
                                                const std::string& result, const std::string& error,
                                                absl::Time expires, absl::Time deadline) {
  return pg::RunTransaction(
      pool_, Options(deadline, "finish hook fire"), [&](pqxx::work& txn) -> absl::Status {
        pqxx::result r = txn.exec_params(
            absl::StrCat("UPDATE hooks.last_fires SET result = $4, error = $5, expires = ",
                         TimestampParam(6),
                         " WHERE hook_group_id = $1 AND hook_id = $2 AND task_id = $3 AND "
                         "result = 'error' AND left(error, length($7)) = $7"),
            group, id, task_id, result, error, Micros(expires), std::string(kUnfinishedFirePrefix));
        if (r.affected_rows() == 0) {
          return absl::NotFoundError(absl::StrCat("no fire of hook ", group, "/", id, " for task ",
                                                  task_id, " to finish"));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<LastFireRow> PostgresHooksStore::GetLastFire(const std::string& group,
                                                            const std::string& id,
                                                            const std::string& task_id,
                                                            absl::Time deadline) {
  std::optional<LastFireRow> fire;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "get hook fire", true), [&](pqxx::work& txn) {
        fire.reset();
        pqxx::result r = txn.exec_params("SELECT " + FireColumns() +
                                             " FROM hooks.last_fires WHERE hook_group_id = $1 "
                                             "AND hook_id = $2 AND task_id = $3",
                                         group, id, task_id);
        if (!r.empty()) fire = FireFromRow(group, id, r[0]);
        return absl::OkStatus();
      }));
  if (!fire) {
    return absl::NotFoundError(
        absl::StrCat("no fire of hook ", group, "/", id, " created task ", task_id));
  }
  return *fire;
}

absl::StatusOr<std::vector<LastFireRow>> PostgresHooksStore::ListLastFires(
    const std::string& group, const std::string& id,
    std::optional<std::pair<absl::Time, std::string>> after, int limit, absl::Time deadline) {
  std::vector<LastFireRow> fires;
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "list last fires", true), [&](pqxx::work& txn) {
        fires.clear();
        std::string cursor =
            after ? absl::StrCat(" AND (task_create_time, task_id COLLATE \"C\") < (",
                                 TimestampParam(4), ", $5)")
                  : " AND $4::bigint IS NULL AND $5::text IS NULL";
        pqxx::result rows = txn.exec_params(
            absl::StrCat("SELECT ", FireColumns(),
                         " FROM hooks.last_fires WHERE hook_group_id = $1 AND hook_id = $2", cursor,
                         " ORDER BY task_create_time DESC, task_id COLLATE \"C\" DESC LIMIT $3"),
            group, id, limit, after ? std::optional<int64_t>(Micros(after->first)) : std::nullopt,
            after ? std::optional<std::string>(after->second) : std::nullopt);
        for (const pqxx::row& r : rows) fires.push_back(FireFromRow(group, id, r));
        return absl::OkStatus();
      }));
  return fires;
}

absl::StatusOr<int> PostgresHooksStore::RunDue(
    absl::Time now, int limit,
    const std::function<absl::StatusOr<DueOutcome>(const HookRow&)>& decide, absl::Time deadline) {
  std::vector<std::string> handled;  // "<group>/<id>", not offered twice in one run
  for (int i = 0; i < limit; ++i) {
    bool found = false;
    BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
        pool_, Options(deadline, "run due hook"), [&](pqxx::work& txn) -> absl::Status {
          found = false;
          std::vector<std::string> quoted;
          for (const std::string& key : handled) quoted.push_back(txn.quote(key));
          pqxx::result r = txn.exec_params(
              absl::StrCat("SELECT ", HookColumns(),
                           " FROM hooks.hooks WHERE next_scheduled_date <= ", TimestampParam(1),
                           handled.empty()
                               ? std::string()
                               : absl::StrCat(" AND hook_group_id || '/' || hook_id <> ALL (ARRAY[",
                                              absl::StrJoin(quoted, ","), "]::text[])"),
                           " ORDER BY next_scheduled_date LIMIT 1 FOR UPDATE SKIP LOCKED"),
              Micros(now));
          if (r.empty()) return absl::OkStatus();
          found = true;
          HookRow hook = HookFromRow(r[0]);
          handled.push_back(hook.hook_group_id + "/" + hook.hook_id);
          BULWARK_ASSIGN_OR_RETURN(DueOutcome outcome, decide(hook));
          if (outcome.fire) {
            LastFireRow fire = *outcome.fire;
            fire.hook_version_sha256 = hook.version_sha256;
            pqxx::result seen = txn.exec_params(
                "SELECT 1 FROM hooks.last_fires WHERE hook_group_id = $1 AND hook_id = $2 AND "
                "task_id = $3",
                hook.hook_group_id, hook.hook_id, fire.task_id);
            if (seen.empty()) InsertFire(txn, fire);
          }
          if (outcome.advance) {
            txn.exec_params("UPDATE hooks.hooks SET next_task_id = $3, next_scheduled_date = " +
                                TimestampParam(4) + " WHERE hook_group_id = $1 AND hook_id = $2",
                            hook.hook_group_id, hook.hook_id, outcome.next_task_id,
                            OptionalMicros(outcome.next_scheduled_date));
          }
          return absl::OkStatus();
        }));
    if (!found) break;
  }
  return static_cast<int>(handled.size());
}

absl::StatusOr<PurgeResult> PostgresHooksStore::Purge(absl::Time now, absl::Time retired_before,
                                                      absl::Time deadline) {
  PurgeResult result;
  for (int deleted = kPurgeBatch; deleted == kPurgeBatch;) {
    BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
        pool_, Options(deadline, "purge expired hook fires"), [&](pqxx::work& txn) {
          deleted = static_cast<int>(
              txn.exec_params(
                     absl::StrCat("DELETE FROM hooks.last_fires WHERE (hook_group_id, hook_id, "
                                  "task_id) IN (SELECT hook_group_id, hook_id, task_id FROM "
                                  "hooks.last_fires WHERE expires <= ",
                                  TimestampParam(1), " LIMIT $2)"),
                     Micros(now), kPurgeBatch)
                  .affected_rows());
          return absl::OkStatus();
        }));
    result.fires += deleted;
  }
  for (int deleted = kPurgeBatch; deleted == kPurgeBatch;) {
    BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
        pool_, Options(deadline, "purge unneeded hook versions"), [&](pqxx::work& txn) {
          deleted = static_cast<int>(
              txn.exec_params(
                     absl::StrCat(
                         "DELETE FROM hooks.hook_versions WHERE (hook_group_id, hook_id, sha256) "
                         "IN (SELECT v.hook_group_id, v.hook_id, v.sha256 FROM "
                         "hooks.hook_versions v WHERE v.retired <= ",
                         TimestampParam(1),
                         " AND NOT EXISTS (SELECT 1 FROM hooks.hooks h WHERE "
                         "h.hook_group_id = v.hook_group_id AND h.hook_id = v.hook_id AND "
                         "h.version_sha256 = v.sha256) AND NOT EXISTS (SELECT 1 FROM "
                         "hooks.last_fires f WHERE f.hook_group_id = v.hook_group_id AND "
                         "f.hook_id = v.hook_id AND f.hook_version_sha256 = v.sha256) "
                         "LIMIT $2 FOR UPDATE SKIP LOCKED)"),
                     Micros(retired_before), kPurgeBatch)
                  .affected_rows());
          return absl::OkStatus();
        }));
    result.versions += deleted;
  }
  // Hooks stored before versions existed: one per transaction, each under its row lock.
  for (bool more = true; more;) {
    BULWARK_RETURN_IF_ERROR(pg::RunTransaction(
        pool_, Options(deadline, "version an unversioned hook"),
        [&](pqxx::work& txn) -> absl::Status {
          pqxx::result r = txn.exec("SELECT " + HookColumns() +
                                    " FROM hooks.hooks WHERE version_sha256 IS NULL LIMIT 1 "
                                    "FOR UPDATE SKIP LOCKED");
          more = !r.empty();
          if (!more) return absl::OkStatus();
          HookRow hook = HookFromRow(r[0]);
          BULWARK_ASSIGN_OR_RETURN(std::string sha256, MakeCurrentVersion(txn, hook, now));
          txn.exec_params(
              "UPDATE hooks.hooks SET version_sha256 = $3 WHERE hook_group_id = $1 AND "
              "hook_id = $2",
              hook.hook_group_id, hook.hook_id, sha256);
          return absl::OkStatus();
        }));
    if (more) ++result.adopted_hooks;
  }
  return result;
}

}  // namespace bulwark::hooks
