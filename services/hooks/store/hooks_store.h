// File: services/hooks/store/hooks_store.h
//
// HooksStore: the hooks service's persistence, as an interface. PostgresHooksStore is the
// real one, InMemoryHooksStore a fake for service tests; hooks_store_conformance.h runs the
// same tests against both.
//
// Provenance: every hook has a current version, identified by the SHA-256 of its canonical
// definition (hook_definition.h). The store derives it whenever it writes a hook: CreateHook
// stores the first version, UpdateHook adds one only when the definition changes (returning to
// a definition whose version is still kept makes that version current again, with its original
// sequence and creation time). Versions are immutable, keyed by (hookGroupId, hookId, sha256),
// and numbered per hook id from 1; numbers are never reused, also across RemoveHook and
// re-creation of the same id. Reads return the hook with its current version's sha256 in the
// same transaction, so a fire records the version it rendered. DeleteHook removes the hook but
// keeps its versions and fire records; Purge removes them once expired.
//
// The scheduler's step is RunDue: it hands each due hook, locked, to a callback and applies
// what the callback decides (a last-fire record, the next slot) in the same transaction. A
// hook being handled by one replica is skipped by the others (FOR UPDATE SKIP LOCKED), so each
// slot fires exactly once however many replicas run.
//
// Thread-safety: implementations are safe for concurrent use.
// Errors (every method): UNAVAILABLE / DEADLINE_EXCEEDED from the database; per method below.
// CANCELLED, nothing written, from every method that changes something when the thread's
// CallScope says the caller has gone (libraries/call/call_scope.h).

#ifndef BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_H_
#define BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace bulwark::hooks {

struct HookRow {
  std::string hook_group_id;
  std::string hook_id;
  nlohmann::json metadata;
  nlohmann::json schedule;  // list of cron patterns
  nlohmann::json task;      // JSON-e template
  nlohmann::json trigger_schema;
  std::string sealed_trigger_token;
  std::string next_task_id;
  std::optional<absl::Time> next_scheduled_date;
  absl::Time created;
  absl::Time last_modified;
  // The current version's sha256, set by the store on every read and ignored on write (the
  // store derives it from the definition). Empty only for a hook written before versions
  // existed (migration 0003) and not yet adopted by Purge.
  std::string version_sha256;
};

// One version of a hook's definition.
struct HookVersionRow {
  std::string hook_group_id;
  std::string hook_id;
  std::string sha256;  // of `definition`, lowercase hex
  int64_t sequence = 0;
  std::string definition;  // canonical JSON (hook_definition.h), byte for byte
  absl::Time created;
  // When it stopped being the current version of an existing hook (nullopt while it is).
  std::optional<absl::Time> retired;
};

// How the error of an unfinished fire record begins (the schema's migration 0004 relies on it).
inline constexpr char kUnfinishedFirePrefix[] = "the fire did not finish:";

struct LastFireRow {
  std::string hook_group_id;
  std::string hook_id;
  std::string task_id;
  std::string fired_by;    // schedule, triggerHook, triggerHookWithToken
  nlohmann::json payload;  // null for scheduled fires
  std::string client_id;
  std::string now_iso;
  absl::Time task_create_time;
  std::string result;  // success, error
  std::string error;
  // The version the fire rendered (empty: fired before versions existed, or from a hook not
  // yet adopted).
  std::string hook_version_sha256;
  // When Purge may remove the record; always set by the caller (the service's rule: as long as
  // the task it created, at least a fixed retention; see hooks_service.h).
  absl::Time expires;
};

// What one Purge removed.
struct PurgeResult {
  int adopted_hooks = 0;  // unversioned hooks given their first version
  int fires = 0;
  int versions = 0;
};

// What the scheduler decided for one due hook.
struct DueOutcome {
  // Record this fire (nullopt: nothing to record, e.g. the template declined).
  std::optional<LastFireRow> fire;
  // Move to the next slot (false: leave the hook as it is, to retry the same slot).
  bool advance = false;
  std::string next_task_id;
  std::optional<absl::Time> next_scheduled_date;
};

class HooksStore {
 public:
  virtual ~HooksStore() = default;

  virtual absl::StatusOr<std::vector<std::string>> ListGroups(absl::Time deadline) = 0;
  // The group's hooks by id (empty if the group has none).
  virtual absl::StatusOr<std::vector<HookRow>> ListHooks(const std::string& group,
                                                         absl::Time deadline) = 0;
  // NOT_FOUND if absent.
  virtual absl::StatusOr<HookRow> GetHook(const std::string& group, const std::string& id,
                                          absl::Time deadline) = 0;
  // Inserts, with its version (created at `hook.created`); if the hook exists, returns {false,
  // the stored hook}. The definition's JSON is stored with its numbers normalized
  // (CanonicalJson), so a read returns exactly what the current version holds.
  // INVALID_ARGUMENT if the definition cannot be serialized (CanonicalDefinition).
  virtual absl::StatusOr<std::pair<bool, HookRow>> CreateHook(const HookRow& hook,
                                                              absl::Time deadline) = 0;
  // Reads the hook locked and stores what `change` returns; when the definition changed, the
  // new version becomes current and the old one is retired, both at the new last_modified.
  // NOT_FOUND if absent; `change`'s error is returned unchanged; INVALID_ARGUMENT as
  // CreateHook.
  virtual absl::StatusOr<HookRow> UpdateHook(
      const std::string& group, const std::string& id,
      const std::function<absl::StatusOr<HookRow>(const HookRow&)>& change,
      absl::Time deadline) = 0;
  // Deletes the hook (it leaves ListHooks, GetHook and RunDue) and retires its current version
  // at `now`; its versions and fire records stay until Purge removes them. Succeeds if absent.
  virtual absl::Status DeleteHook(const std::string& group, const std::string& id, absl::Time now,
                                  absl::Time deadline) = 0;

  // A kept version, whether or not the hook still exists. NOT_FOUND if never stored or purged.
  virtual absl::StatusOr<HookVersionRow> GetHookVersion(const std::string& group,
                                                        const std::string& id,
                                                        const std::string& sha256,
                                                        absl::Time deadline) = 0;

  // Records a fire, whether or not the hook still exists. `fire.hook_version_sha256` must name a
  // kept version of the hook (FAILED_PRECONDITION otherwise); empty, the hook must exist
  // (FAILED_PRECONDITION otherwise). ALREADY_EXISTS if this task id was already recorded for the
  // hook.
  virtual absl::Status AddLastFire(const LastFireRow& fire, absl::Time deadline) = 0;
  // Sets the outcome of an unfinished fire record (result "error", error starting with
  // kUnfinishedFirePrefix: a trigger records its fire before it creates the task, then finishes
  // it): `result`, `error` and `expires` replace the record's. NOT_FOUND if the hook has no
  // unfinished record for `task_id` (finished records never change).
  virtual absl::Status FinishLastFire(const std::string& group, const std::string& id,
                                      const std::string& task_id, const std::string& result,
                                      const std::string& error, absl::Time expires,
                                      absl::Time deadline) = 0;
  // The fire of the hook that used `task_id`, whether or not the hook still exists. NOT_FOUND if
  // none is kept.
  virtual absl::StatusOr<LastFireRow> GetLastFire(const std::string& group, const std::string& id,
                                                  const std::string& task_id,
                                                  absl::Time deadline) = 0;
  // The kept fires of the hook id (also those from before a RemoveHook), newest first; a page
  // starts after (before_time, before_task_id) when given.
  virtual absl::StatusOr<std::vector<LastFireRow>> ListLastFires(
      const std::string& group, const std::string& id,
      std::optional<std::pair<absl::Time, std::string>> after, int limit, absl::Time deadline) = 0;

  // For up to `limit` hooks due at `now` that no other caller holds: calls `decide` with the
  // hook locked and applies its outcome; a fire is recorded against the version of the hook
  // `decide` was given (whatever its hook_version_sha256 says). Returns how many hooks were
  // handled.
  virtual absl::StatusOr<int> RunDue(
      absl::Time now, int limit,
      const std::function<absl::StatusOr<DueOutcome>(const HookRow&)>& decide,
      absl::Time deadline) = 0;

  // Background maintenance, in this order: deletes fire records with expires <= `now`; deletes
  // versions that are not the current version of an existing hook, that no remaining fire
  // refers to, and that were retired at or before `retired_before` (the grace covers a trigger
  // that read a version and records its fire after the version was retired); gives every hook
  // without a version (written before versions existed) its first version, created at `now`.
  virtual absl::StatusOr<PurgeResult> Purge(absl::Time now, absl::Time retired_before,
                                            absl::Time deadline) = 0;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_H_
