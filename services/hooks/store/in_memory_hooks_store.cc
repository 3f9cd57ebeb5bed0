#include "services/hooks/store/in_memory_hooks_store.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace bulwark::hooks {
namespace {

absl::Time Micro(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

HookRow Stored(HookRow h) {
  h.created = Micro(h.created);
  h.last_modified = Micro(h.last_modified);
  if (h.next_scheduled_date) h.next_scheduled_date = Micro(*h.next_scheduled_date);
  return h;
}

bool Newer(const LastFireRow& a, const LastFireRow& b) {
  return std::make_pair(a.task_create_time, a.task_id) >
         std::make_pair(b.task_create_time, b.task_id);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> InMemoryHooksStore::ListGroups(absl::Time) {
  absl::MutexLock lock(&mu_);
  std::set<std::string> groups;
  for (const auto& [key, hook] : hooks_) groups.insert(key.first);
  return std::vector<std::string>(groups.begin(), groups.end());
}

absl::StatusOr<std::vector<HookRow>> InMemoryHooksStore::ListHooks(const std::string& group,
                                                                   absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<HookRow> out;
  for (auto it = hooks_.lower_bound({group, ""}); it != hooks_.end() && it->first.first == group;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<HookRow> InMemoryHooksStore::GetHook(const std::string& group, const std::string& id,
                                                    absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = hooks_.find({group, id});
  if (it == hooks_.end()) {
    return absl::NotFoundError(absl::StrCat("hook ", group, "/", id, " not found"));
  }
  return it->second;
}

absl::StatusOr<std::pair<bool, HookRow>> InMemoryHooksStore::CreateHook(const HookRow& hook,
                                                                        absl::Time) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = hooks_.emplace(Key{hook.hook_group_id, hook.hook_id}, Stored(hook));
  return std::make_pair(inserted, it->second);
}

absl::StatusOr<HookRow> InMemoryHooksStore::UpdateHook(
    const std::string& group, const std::string& id,
    const std::function<absl::StatusOr<HookRow>(const HookRow&)>& change, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = hooks_.find({group, id});
  if (it == hooks_.end()) {
    return absl::NotFoundError(absl::StrCat("hook ", group, "/", id, " not found"));
  }
  absl::StatusOr<HookRow> changed = change(it->second);
  if (!changed.ok()) return changed.status();
  it->second = Stored(*changed);
  return it->second;
}

absl::Status InMemoryHooksStore::DeleteHook(const std::string& group, const std::string& id,
                                            absl::Time) {
  absl::MutexLock lock(&mu_);
  hooks_.erase({group, id});
  fires_.erase({group, id});
  return absl::OkStatus();
}

absl::Status InMemoryHooksStore::AddLastFire(const LastFireRow& fire, absl::Time) {
  absl::MutexLock lock(&mu_);
  Key key{fire.hook_group_id, fire.hook_id};
  if (hooks_.count(key) == 0) {
    return absl::FailedPreconditionError("cannot record a fire of a hook that does not exist");
  }
  auto& list = fires_[key];
  for (const LastFireRow& f : list) {
    if (f.task_id == fire.task_id) return absl::AlreadyExistsError("fire already recorded");
  }
  LastFireRow stored = fire;
  stored.task_create_time = Micro(fire.task_create_time);
  list.push_back(stored);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LastFireRow>> InMemoryHooksStore::ListLastFires(
    const std::string& group, const std::string& id,
    std::optional<std::pair<absl::Time, std::string>> after, int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<LastFireRow> all = fires_[{group, id}];
  std::sort(all.begin(), all.end(), Newer);
  std::vector<LastFireRow> out;
  for (const LastFireRow& f : all) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (after && std::make_pair(f.task_create_time, f.task_id) >= *after) continue;
    out.push_back(f);
  }
  return out;
}

absl::StatusOr<int> InMemoryHooksStore::RunDue(
    absl::Time now, int limit,
    const std::function<absl::StatusOr<DueOutcome>(const HookRow&)>& decide, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<Key> due;
  for (const auto& [key, hook] : hooks_) {
    if (hook.next_scheduled_date && *hook.next_scheduled_date <= now) due.push_back(key);
  }
  std::sort(due.begin(), due.end(), [&](const Key& a, const Key& b) {
    return *hooks_[a].next_scheduled_date < *hooks_[b].next_scheduled_date;
  });
  int handled = 0;
  for (const Key& key : due) {
    if (handled >= limit) break;
    ++handled;
    HookRow& hook = hooks_[key];
    absl::StatusOr<DueOutcome> outcome = decide(hook);
    if (!outcome.ok()) return outcome.status();
    if (outcome->fire) {
      auto& list = fires_[key];
      bool seen = std::any_of(list.begin(), list.end(), [&](const LastFireRow& f) {
        return f.task_id == outcome->fire->task_id;
      });
      if (!seen) {
        LastFireRow f = *outcome->fire;
        f.task_create_time = Micro(f.task_create_time);
        list.push_back(f);
      }
    }
    if (outcome->advance) {
      hook.next_task_id = outcome->next_task_id;
      hook.next_scheduled_date = outcome->next_scheduled_date;
      if (hook.next_scheduled_date) hook.next_scheduled_date = Micro(*hook.next_scheduled_date);
    }
  }
  return handled;
}

}  // namespace bulwark::hooks
