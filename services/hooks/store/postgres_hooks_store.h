// File: services/hooks/store/postgres_hooks_store.h
//
// PostgresHooksStore: HooksStore over the hooks schema, connected as bulwark_hooks. RunDue
// handles each due hook in its own transaction, holding the hook's row lock (SKIP LOCKED for
// other replicas) while the fire happens, so a fire and its record commit together.
//
// Versions (hooks.hook_versions) are written in the transaction that writes the hook, under the
// hook's lock (its row lock, or an advisory lock on its id for CreateHook); the hook row names
// its current version (foreign key), and so does every fire record, so neither can point at a
// version the purge removed. Purge works in batches of 1000 rows per transaction and skips
// versions another transaction holds (a fire being recorded against it, a hook returning to it).
// Definition JSON is normalized again on every read (jsonb writes a large double such as 1e16
// as an integer), so reads match the version's canonical definition.
//
// Thread-safety: safe for concurrent use. Errors: as HooksStore.

#ifndef BULWARK_SERVICES_HOOKS_STORE_POSTGRES_HOOKS_STORE_H_
#define BULWARK_SERVICES_HOOKS_STORE_POSTGRES_HOOKS_STORE_H_

#include "libraries/pg/pool.h"
#include "services/hooks/store/hooks_store.h"

namespace bulwark::hooks {

class PostgresHooksStore final : public HooksStore {
 public:
  explicit PostgresHooksStore(pg::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<std::string>> ListGroups(absl::Time deadline) override;
  absl::StatusOr<std::vector<HookRow>> ListHooks(const std::string& group,
                                                 absl::Time deadline) override;
  absl::StatusOr<HookRow> GetHook(const std::string& group, const std::string& id,
                                  absl::Time deadline) override;
  absl::StatusOr<std::pair<bool, HookRow>> CreateHook(const HookRow& hook,
                                                      absl::Time deadline) override;
  absl::StatusOr<HookRow> UpdateHook(
      const std::string& group, const std::string& id,
      const std::function<absl::StatusOr<HookRow>(const HookRow&)>& change,
      absl::Time deadline) override;
  absl::Status DeleteHook(const std::string& group, const std::string& id, absl::Time now,
                          absl::Time deadline) override;
  absl::StatusOr<HookVersionRow> GetHookVersion(const std::string& group, const std::string& id,
                                                const std::string& sha256,
                                                absl::Time deadline) override;
  absl::Status AddLastFire(const LastFireRow& fire, absl::Time deadline) override;
  absl::Status FinishLastFire(const std::string& group, const std::string& id,
                              const std::string& task_id, const std::string& result,
                              const std::string& error, absl::Time expires,
                              absl::Time deadline) override;
  absl::StatusOr<LastFireRow> GetLastFire(const std::string& group, const std::string& id,
                                          const std::string& task_id, absl::Time deadline) override;
  absl::StatusOr<std::vector<LastFireRow>> ListLastFires(
      const std::string& group, const std::string& id,
      std::optional<std::pair<absl::Time, std::string>> after, int limit,
      absl::Time deadline) override;
  absl::StatusOr<int> RunDue(
      absl::Time now, int limit,
      const std::function<absl::StatusOr<DueOutcome>(const HookRow&)>& decide,
      absl::Time deadline) override;
  absl::StatusOr<PurgeResult> Purge(absl::Time now, absl::Time retired_before,
                                    absl::Time deadline) override;

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_STORE_POSTGRES_HOOKS_STORE_H_
