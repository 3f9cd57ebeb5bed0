// File: services/hooks/store/hooks_store.h
//
// HooksStore: the hooks service's persistence, as an interface. PostgresHooksStore is the
// real one, InMemoryHooksStore a fake for service tests; hooks_store_conformance.h runs the
// same tests against both.
//
// The scheduler's step is RunDue: it hands each due hook, locked, to a callback and applies
// what the callback decides (a last-fire record, the next slot) in the same transaction. A
// hook being handled by one replica is skipped by the others (FOR UPDATE SKIP LOCKED), so each
// slot fires exactly once however many replicas run.
//
// Thread-safety: implementations are safe for concurrent use.
// Errors (every method): UNAVAILABLE / DEADLINE_EXCEEDED from the database; per method below.

#ifndef BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_H_
#define BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_H_

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
};

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
  // Inserts; if the hook exists, returns {false, the stored hook}.
  virtual absl::StatusOr<std::pair<bool, HookRow>> CreateHook(const HookRow& hook,
                                                              absl::Time deadline) = 0;
  // Reads the hook locked and stores what `change` returns. NOT_FOUND if absent; `change`'s
  // error is returned unchanged.
  virtual absl::StatusOr<HookRow> UpdateHook(
      const std::string& group, const std::string& id,
      const std::function<absl::StatusOr<HookRow>(const HookRow&)>& change,
      absl::Time deadline) = 0;
  // Deletes the hook and its fires; succeeds if absent.
  virtual absl::Status DeleteHook(const std::string& group, const std::string& id,
                                  absl::Time deadline) = 0;

  // Records a fire. ALREADY_EXISTS if this task id was already recorded for the hook.
  virtual absl::Status AddLastFire(const LastFireRow& fire, absl::Time deadline) = 0;
  // Newest first; a page starts after (before_time, before_task_id) when given.
  virtual absl::StatusOr<std::vector<LastFireRow>> ListLastFires(
      const std::string& group, const std::string& id,
      std::optional<std::pair<absl::Time, std::string>> after, int limit, absl::Time deadline) = 0;

  // For up to `limit` hooks due at `now` that no other caller holds: calls `decide` with the
  // hook locked and applies its outcome. Returns how many hooks were handled.
  virtual absl::StatusOr<int> RunDue(
      absl::Time now, int limit,
      const std::function<absl::StatusOr<DueOutcome>(const HookRow&)>& decide,
      absl::Time deadline) = 0;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_H_
