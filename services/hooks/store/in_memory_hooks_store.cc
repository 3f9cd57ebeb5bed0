#include "services/hooks/store/in_memory_hooks_store.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/status/status_macros.h"
#include "services/hooks/store/hook_definition.h"

namespace bulwark::hooks {
namespace {

absl::Time Micro(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

HookRow Stored(HookRow h) {
  h.metadata = CanonicalJson(h.metadata);
  h.schedule = CanonicalJson(h.schedule);
  h.task = CanonicalJson(h.task);
  h.trigger_schema = CanonicalJson(h.trigger_schema);
  h.created = Micro(h.created);
  h.last_modified = Micro(h.last_modified);
  if (h.next_scheduled_date) h.next_scheduled_date = Micro(*h.next_scheduled_date);
  return h;
}

bool Newer(const LastFireRow& a, const LastFireRow& b) {
  return std::make_pair(a.task_create_time, a.task_id) >
         std::make_pair(b.task_create_time, b.task_id);
}

absl::Status NotFound(const std::string& group, const std::string& id) {
  return absl::NotFoundError(absl::StrCat("hook ", group, "/", id, " not found"));
}

}  // namespace

absl::StatusOr<HookRow> InMemoryHooksStore::StoreWithVersion(const HookRow& row, absl::Time at) {
  HookRow stored = Stored(row);
  absl::StatusOr<std::string> definition = CanonicalDefinition(stored);
  if (!definition.ok()) return definition.status();
  stored.version_sha256 = Sha256Hex(*definition);
  Key key{row.hook_group_id, row.hook_id};
  auto& versions = versions_[key];
  auto it = versions.find(stored.version_sha256);
  if (it != versions.end()) {
    it->second.retired.reset();
  } else {
    HookVersionRow v{row.hook_group_id, row.hook_id, stored.version_sha256, ++last_sequence_[key],
                     *definition,       Micro(at),   std::nullopt};
    versions.emplace(stored.version_sha256, std::move(v));
  }
  return stored;
}

void InMemoryHooksStore::Retire(const Key& key, const std::string& sha256, absl::Time at) {
  auto versions = versions_.find(key);
  if (versions == versions_.end()) return;
  auto it = versions->second.find(sha256);
  if (it != versions->second.end() && !it->second.retired) it->second.retired = Micro(at);
}

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
  if (it == hooks_.end()) return NotFound(group, id);
  return it->second;
}

absl::StatusOr<std::pair<bool, HookRow>> InMemoryHooksStore::CreateHook(const HookRow& hook,
                                                                        absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("create hook"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  Key key{hook.hook_group_id, hook.hook_id};
  auto existing = hooks_.find(key);
  if (existing != hooks_.end()) return std::make_pair(false, existing->second);
  absl::StatusOr<HookRow> stored = StoreWithVersion(hook, hook.created);
  if (!stored.ok()) return stored.status();
  auto [it, inserted] = hooks_.emplace(key, *stored);
  return std::make_pair(inserted, it->second);
}

absl::StatusOr<HookRow> InMemoryHooksStore::UpdateHook(
    const std::string& group, const std::string& id,
    const std::function<absl::StatusOr<HookRow>(const HookRow&)>& change, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("update hook"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto it = hooks_.find({group, id});
  if (it == hooks_.end()) return NotFound(group, id);
  absl::StatusOr<HookRow> changed = change(it->second);
  if (!changed.ok()) return changed.status();
  changed->hook_group_id = group;
  changed->hook_id = id;
  std::string old_version = it->second.version_sha256;
  absl::StatusOr<HookRow> stored = StoreWithVersion(*changed, changed->last_modified);
  if (!stored.ok()) return stored.status();
  if (old_version != stored->version_sha256) Retire(it->first, old_version, changed->last_modified);
  it->second = *stored;
  return it->second;
}

absl::Status InMemoryHooksStore::DeleteHook(const std::string& group, const std::string& id,
                                            absl::Time now, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("delete hook"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto it = hooks_.find({group, id});
  if (it == hooks_.end()) return absl::OkStatus();
  Retire(it->first, it->second.version_sha256, now);
  hooks_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<HookVersionRow> InMemoryHooksStore::GetHookVersion(const std::string& group,
                                                                  const std::string& id,
                                                                  const std::string& sha256,
                                                                  absl::Time) {
  absl::MutexLock lock(&mu_);
  auto versions = versions_.find({group, id});
  if (versions != versions_.end()) {
    auto it = versions->second.find(sha256);
    if (it != versions->second.end()) return it->second;
  }
  return absl::NotFoundError(
      absl::StrCat("hook ", group, "/", id, " has no kept version with sha256 ", sha256));
}

absl::Status InMemoryHooksStore::InsertFire(const LastFireRow& fire) {
  Key key{fire.hook_group_id, fire.hook_id};
  if (fire.hook_version_sha256.empty()) {
    if (hooks_.count(key) == 0) {
      return absl::FailedPreconditionError("cannot record a fire of a hook that does not exist");
    }
  } else {
    auto versions = versions_.find(key);
    if (versions == versions_.end() || versions->second.count(fire.hook_version_sha256) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot record a fire of version ", fire.hook_version_sha256, " of hook ",
                       fire.hook_group_id, "/", fire.hook_id, ": no such version is kept"));
    }
  }
  auto& list = fires_[key];
  for (const LastFireRow& f : list) {
    if (f.task_id == fire.task_id) return absl::AlreadyExistsError("fire already recorded");
  }
  LastFireRow stored = fire;
  stored.task_create_time = Micro(fire.task_create_time);
  stored.expires = Micro(fire.expires);
  list.push_back(stored);
  return absl::OkStatus();
}

absl::Status InMemoryHooksStore::AddLastFire(const LastFireRow& fire, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("record fire"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  return InsertFire(fire);
}

absl::Status InMemoryHooksStore::FinishLastFire(const std::string& group, const std::string& id,
                                                const std::string& task_id,
                                                const std::string& result, const std::string& error,
                                                absl::Time expires, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("finish fire"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  auto fires = fires_.find({group, id});
  if (fires != fires_.end()) {
    for (LastFireRow& f : fires->second) {
      if (f.task_id != task_id || f.result != "error" ||
          !absl::StartsWith(f.error, kUnfinishedFirePrefix)) {
        continue;
      }
      f.result = result;
      f.error = error;
      f.expires = expires;
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(
      absl::StrCat("no unfinished fire of hook ", group, "/", id, " for task ", task_id));
}

absl::StatusOr<LastFireRow> InMemoryHooksStore::GetLastFire(const std::string& group,
                                                            const std::string& id,
                                                            const std::string& task_id,
                                                            absl::Time) {
  absl::MutexLock lock(&mu_);
  auto fires = fires_.find({group, id});
  if (fires != fires_.end()) {
    for (const LastFireRow& f : fires->second) {
      if (f.task_id == task_id) return f;
    }
  }
  return absl::NotFoundError(
      absl::StrCat("no fire of hook ", group, "/", id, " created task ", task_id));
}

absl::StatusOr<std::vector<LastFireRow>> InMemoryHooksStore::ListLastFires(
    const std::string& group, const std::string& id,
    std::optional<std::pair<absl::Time, std::string>> after, int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<LastFireRow> all;
  if (auto it = fires_.find({group, id}); it != fires_.end()) all = it->second;
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
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("run due hooks"));  // call_scope.h
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
      LastFireRow f = *outcome->fire;
      f.hook_version_sha256 = hook.version_sha256;
      absl::Status recorded = InsertFire(f);
      if (!recorded.ok() && recorded.code() != absl::StatusCode::kAlreadyExists) return recorded;
    }
    if (outcome->advance) {
      hook.next_task_id = outcome->next_task_id;
      hook.next_scheduled_date = outcome->next_scheduled_date;
      if (hook.next_scheduled_date) hook.next_scheduled_date = Micro(*hook.next_scheduled_date);
    }
  }
  return handled;
}

absl::StatusOr<PurgeResult> InMemoryHooksStore::Purge(absl::Time now, absl::Time retired_before,
                                                      absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("purge hooks"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  PurgeResult result;
  now = Micro(now);
  retired_before = Micro(retired_before);
  std::map<Key, std::set<std::string>> referenced;
  for (auto it = fires_.begin(); it != fires_.end();) {
    auto& list = it->second;
    size_t before = list.size();
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const LastFireRow& f) { return f.expires <= now; }),
               list.end());
    result.fires += static_cast<int>(before - list.size());
    for (const LastFireRow& f : list) referenced[it->first].insert(f.hook_version_sha256);
    it = list.empty() ? fires_.erase(it) : std::next(it);
  }
  for (auto it = versions_.begin(); it != versions_.end();) {
    auto hook = hooks_.find(it->first);
    for (auto v = it->second.begin(); v != it->second.end();) {
      const HookVersionRow& version = v->second;
      bool current = hook != hooks_.end() && hook->second.version_sha256 == version.sha256;
      bool needed = referenced[it->first].count(version.sha256) > 0;
      bool retired = version.retired && *version.retired <= retired_before;
      if (!current && !needed && retired) {
        v = it->second.erase(v);
        ++result.versions;
      } else {
        ++v;
      }
    }
    it = it->second.empty() ? versions_.erase(it) : std::next(it);
  }
  return result;
}

}  // namespace bulwark::hooks
