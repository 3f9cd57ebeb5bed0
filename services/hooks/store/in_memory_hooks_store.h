// File: services/hooks/store/in_memory_hooks_store.h
//
// InMemoryHooksStore (testonly): HooksStore in memory for unit tests of the hooks service;
// the conformance suite keeps it in line with PostgresHooksStore. RunDue holds the store's
// lock while `decide` runs, so `decide` must not call back into the store. Hooks are always
// versioned here, so Purge never adopts any.
//
// Thread-safety: one mutex; safe for concurrent use. Errors: as HooksStore.

#ifndef BULWARK_SERVICES_HOOKS_STORE_IN_MEMORY_HOOKS_STORE_H_
#define BULWARK_SERVICES_HOOKS_STORE_IN_MEMORY_HOOKS_STORE_H_

#include <map>

#include "absl/synchronization/mutex.h"
#include "services/hooks/store/hooks_store.h"

namespace bulwark::hooks {

class InMemoryHooksStore final : public HooksStore {
 public:
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
  using Key = std::pair<std::string, std::string>;
  // Makes the version of `row`'s definition current (reusing a kept one, else numbering a new
  // one created at `at`) and returns the stored row, its version set.
  absl::StatusOr<HookRow> StoreWithVersion(const HookRow& row, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Retire(const Key& key, const std::string& sha256, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InsertFire(const LastFireRow& fire) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<Key, HookRow> hooks_ ABSL_GUARDED_BY(mu_);
  std::map<Key, std::map<std::string, HookVersionRow>> versions_ ABSL_GUARDED_BY(mu_);
  std::map<Key, int64_t> last_sequence_ ABSL_GUARDED_BY(mu_);
  std::map<Key, std::vector<LastFireRow>> fires_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_STORE_IN_MEMORY_HOOKS_STORE_H_
