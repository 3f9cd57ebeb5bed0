#include "services/hooks/store/postgres_hooks_store.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"
#include "libraries/status/status_macros.h"

namespace bulwark::hooks {
namespace {

using pg::Micros;
using pg::MicrosOf;
using pg::TimeFromMicros;
using pg::TimestampParam;

pg::TransactionOptions Options(absl::Time deadline, const char* name, bool read_only = false) {
  return pg::TransactionOptions::Named(deadline, name, read_only);
}

const std::string& HookColumns() {
  static const std::string* const columns = new std::string(absl::StrCat(
      "hook_group_id, hook_id, metadata::text, schedule::text, task::text, trigger_schema::text, "
      "sealed_trigger_token, next_task_id, ",
      MicrosOf("next_scheduled_date"), ", ", MicrosOf("created"), ", ", MicrosOf("last_modified")));
  return *columns;
}

HookRow HookFromRow(const pqxx::row& r) {
  HookRow h;
  h.hook_group_id = r[0].as<std::string>();
  h.hook_id = r[1].as<std::string>();
  h.metadata = nlohmann::json::parse(r[2].as<std::string>());
  h.schedule = nlohmann::json::parse(r[3].as<std::string>());
  h.task = nlohmann::json::parse(r[4].as<std::string>());
  h.trigger_schema = nlohmann::json::parse(r[5].as<std::string>());
  h.sealed_trigger_token = r[6].as<std::string>();
  h.next_task_id = r[7].as<std::string>();
  if (!r[8].is_null()) h.next_scheduled_date = TimeFromMicros(r[8]);
  h.created = TimeFromMicros(r[9]);
  h.last_modified = TimeFromMicros(r[10]);
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

void WriteHook(pqxx::work& txn, const HookRow& h, bool insert) {
  std::string values =
      absl::StrCat("$1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, ",
                   TimestampParam(9), ", ", TimestampParam(10), ", ", TimestampParam(11));
  std::string sql = insert
                        ? absl::StrCat("INSERT INTO hooks.hooks VALUES (", values, ")")
                        : absl::StrCat(
                              "UPDATE hooks.hooks SET (hook_group_id, hook_id, metadata, schedule, "
                              "task, trigger_schema, sealed_trigger_token, next_task_id, "
                              "next_scheduled_date, created, last_modified) = (",
                              values, ") WHERE hook_group_id = $1 AND hook_id = $2");
  txn.exec_params(sql, h.hook_group_id, h.hook_id, h.metadata.dump(), h.schedule.dump(),
                  h.task.dump(), h.trigger_schema.dump(), h.sealed_trigger_token, h.next_task_id,
                  OptionalMicros(h.next_scheduled_date), Micros(h.created),
                  Micros(h.last_modified));
}

void InsertFire(pqxx::work& txn, const LastFireRow& f) {
  txn.exec_params("INSERT INTO hooks.last_fires VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, " +
                      TimestampParam(8) + ", $9, $10)",
                  f.hook_group_id, f.hook_id, f.task_id, f.fired_by,
                  f.payload.is_null() ? std::optional<std::string>() : f.payload.dump(),
                  f.client_id, f.now_iso, Micros(f.task_create_time), f.result, f.error);
}

absl::Status NotFound(const std::string& group, const std::string& id) {
  return absl::NotFoundError(absl::StrCat("hook ", group, "/", id, " not found"));
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
  BULWARK_RETURN_IF_ERROR(
      pg::RunTransaction(pool_, Options(deadline, "create hook"), [&](pqxx::work& txn) {
        txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))",
                        hook.hook_group_id + "/" + hook.hook_id);
        if (std::optional<HookRow> existing =
                LoadHook(txn, hook.hook_group_id, hook.hook_id, false)) {
          result = {false, *existing};
          return absl::OkStatus();
        }
        WriteHook(txn, hook, /*insert=*/true);
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
        WriteHook(txn, changed, /*insert=*/false);
        hook = LoadHook(txn, group, id, false);
        return absl::OkStatus();
      }));
  return *hook;
}

absl::Status PostgresHooksStore::DeleteHook(const std::string& group, const std::string& id,
                                            absl::Time deadline) {
  return pg::RunTransaction(pool_, Options(deadline, "delete hook"), [&](pqxx::work& txn) {
    txn.exec_params("DELETE FROM hooks.hooks WHERE hook_group_id = $1 AND hook_id = $2", group, id);
    return absl::OkStatus();
  });
}

absl::Status PostgresHooksStore::AddLastFire(const LastFireRow& fire, absl::Time deadline) {
  return pg::RunTransaction(pool_, Options(deadline, "record hook fire"), [&](pqxx::work& txn) {
    InsertFire(txn, fire);
    return absl::OkStatus();
  });
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
            absl::StrCat("SELECT task_id, fired_by, payload::text, client_id, now_iso, ",
                         MicrosOf("task_create_time"),
                         ", result, error FROM hooks.last_fires WHERE hook_group_id = $1 AND "
                         "hook_id = $2",
                         cursor,
                         " ORDER BY task_create_time DESC, task_id COLLATE \"C\" DESC LIMIT $3"),
            group, id, limit, after ? std::optional<int64_t>(Micros(after->first)) : std::nullopt,
            after ? std::optional<std::string>(after->second) : std::nullopt);
        for (const pqxx::row& r : rows) {
          LastFireRow f;
          f.hook_group_id = group;
          f.hook_id = id;
          f.task_id = r[0].as<std::string>();
          f.fired_by = r[1].as<std::string>();
          f.payload =
              r[2].is_null() ? nlohmann::json() : nlohmann::json::parse(r[2].as<std::string>());
          f.client_id = r[3].as<std::string>();
          f.now_iso = r[4].as<std::string>();
          f.task_create_time = TimeFromMicros(r[5]);
          f.result = r[6].as<std::string>();
          f.error = r[7].as<std::string>();
          fires.push_back(std::move(f));
        }
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
            pqxx::result seen = txn.exec_params(
                "SELECT 1 FROM hooks.last_fires WHERE hook_group_id = $1 AND hook_id = $2 AND "
                "task_id = $3",
                hook.hook_group_id, hook.hook_id, outcome.fire->task_id);
            if (seen.empty()) InsertFire(txn, *outcome.fire);
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

}  // namespace bulwark::hooks
