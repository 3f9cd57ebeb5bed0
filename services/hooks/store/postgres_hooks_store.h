// File: services/hooks/store/postgres_hooks_store.h
//
// PostgresHooksStore: HooksStore over the hooks schema, connected as bulwark_hooks. RunDue
// handles each due hook in its own transaction, holding the hook's row lock (SKIP LOCKED for
// other replicas) while the fire happens, so a fire and its record commit together.
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
  absl::Status DeleteHook(const std::string& group, const std::string& id,
                          absl::Time deadline) override;
  absl::Status AddLastFire(const LastFireRow& fire, absl::Time deadline) override;
  absl::StatusOr<std::vector<LastFireRow>> ListLastFires(
      const std::string& group, const std::string& id,
      std::optional<std::pair<absl::Time, std::string>> after, int limit,
      absl::Time deadline) override;
  absl::StatusOr<int> RunDue(
      absl::Time now, int limit,
      const std::function<absl::StatusOr<DueOutcome>(const HookRow&)>& decide,
      absl::Time deadline) override;

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_STORE_POSTGRES_HOOKS_STORE_H_
