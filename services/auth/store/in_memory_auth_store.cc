#include "services/auth/store/in_memory_auth_store.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/status/status_macros.h"
#include "services/auth/store/audit_chain.h"

namespace bulwark::auth {
namespace {

class MemoryRoleTransaction final : public RoleTransaction {
 public:
  MemoryRoleTransaction(const std::map<std::string, RoleRow>& roles, int64_t version)
      : roles_(roles), version_(version) {}
  int64_t version() const override { return version_; }
  absl::StatusOr<std::optional<RoleRow>> Get(const std::string& role_id) override {
    auto it = roles_.find(role_id);
    if (it == roles_.end()) return std::optional<RoleRow>();
    return std::optional<RoleRow>(it->second);
  }
  absl::StatusOr<std::vector<RoleRow>> All() override {
    std::vector<RoleRow> all;
    for (const auto& [id, role] : roles_) all.push_back(role);
    return all;
  }

 private:
  const std::map<std::string, RoleRow>& roles_;
  int64_t version_;
};

}  // namespace

void InMemoryAuthStore::AppendAudit(const AuditAction& action) {
  AuditEntry e;
  e.sequence = static_cast<int64_t>(audit_.size()) + 1;
  e.entity_type = action.entity_type;
  e.entity_id = action.entity_id;
  e.client_id = action.client_id;
  e.action = action.action;
  e.created = absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now()));
  SealAuditEntry(audit_keys_, audit_.empty() ? kAuditGenesisHash : audit_.back().hash, &e);
  audit_.push_back(e);
}

absl::StatusOr<ClientRow> InMemoryAuthStore::GetClient(const std::string& client_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end()) {
    return absl::NotFoundError(absl::StrCat("client '", client_id, "' not found"));
  }
  return it->second;
}

absl::StatusOr<std::vector<ClientRow>> InMemoryAuthStore::ListClients(const std::string& prefix,
                                                                      const std::string& after,
                                                                      int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<ClientRow> out;
  for (auto it = clients_.upper_bound(after);
       it != clients_.end() && static_cast<int>(out.size()) < limit; ++it) {
    if (absl::StartsWith(it->first, prefix)) out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<std::optional<ClientRow>> InMemoryAuthStore::ChangeClient(
    const std::string& client_id,
    const std::function<absl::StatusOr<ClientChange>(const std::optional<ClientRow>&)>& decide,
    absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("change client"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  std::optional<ClientRow> current;
  if (auto it = clients_.find(client_id); it != clients_.end()) current = it->second;
  absl::StatusOr<ClientChange> change = decide(current);
  if (!change.ok()) return change.status();
  std::optional<ClientRow> after = current;
  if (change->kind == ClientChange::Kind::kDelete && current) {
    clients_.erase(client_id);
    after.reset();
  } else if (change->kind == ClientChange::Kind::kUpsert) {
    clients_[client_id] = change->row;
    after = change->row;
  }
  if (change->audit) AppendAudit(*change->audit);
  return after;
}

absl::Status InMemoryAuthStore::TouchClient(const std::string& client_id, absl::Time used,
                                            absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("touch client"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  if (auto it = clients_.find(client_id); it != clients_.end()) {
    it->second.last_date_used = used;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> InMemoryAuthStore::PurgeExpiredClients(
    absl::Time now, const std::string& by_client_id, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("purge expired clients"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  std::vector<std::string> purged;
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (it->second.delete_on_expiration && it->second.expires < now) {
      purged.push_back(it->first);
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
  for (const std::string& id : purged) AppendAudit({"client", id, by_client_id, "expired"});
  return purged;
}

absl::StatusOr<std::pair<int64_t, std::vector<RoleRow>>> InMemoryAuthStore::LoadRoles(absl::Time) {
  absl::MutexLock lock(&mu_);
  MemoryRoleTransaction view(roles_, role_version_);
  return std::make_pair(role_version_, *view.All());
}

absl::StatusOr<RoleRow> InMemoryAuthStore::GetRole(const std::string& role_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = roles_.find(role_id);
  if (it == roles_.end()) {
    return absl::NotFoundError(absl::StrCat("role '", role_id, "' not found"));
  }
  return it->second;
}

absl::StatusOr<std::pair<int64_t, std::optional<RoleRow>>> InMemoryAuthStore::GetRoleWithVersion(
    const std::string& role_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::optional<RoleRow> role;
  if (auto it = roles_.find(role_id); it != roles_.end()) role = it->second;
  return std::make_pair(role_version_, role);
}

absl::StatusOr<int64_t> InMemoryAuthStore::ChangeRoles(
    const std::function<absl::StatusOr<RoleChange>(RoleTransaction&)>& decide, absl::Time) {
  BULWARK_RETURN_IF_ERROR(CheckCallerPresent("change roles"));  // call_scope.h
  absl::MutexLock lock(&mu_);
  MemoryRoleTransaction view(roles_, role_version_);
  absl::StatusOr<RoleChange> change = decide(view);
  if (!change.ok()) return change.status();
  bool changed = false;
  if (change->upsert) {
    RoleRow row = *change->upsert;
    if (auto it = roles_.find(row.role_id); it != roles_.end()) row.created = it->second.created;
    roles_[row.role_id] = row;
    changed = true;
  } else if (change->delete_role_id) {
    changed = roles_.erase(*change->delete_role_id) > 0;
  }
  if (!changed) return role_version_;
  ++role_version_;
  if (change->audit) AppendAudit(*change->audit);
  return role_version_;
}

absl::StatusOr<std::vector<AuditEntry>> InMemoryAuthStore::ListAudit(const std::string& entity_type,
                                                                     const std::string& entity_id,
                                                                     int64_t after_sequence,
                                                                     int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<AuditEntry> out;
  for (const AuditEntry& e : audit_) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (e.sequence <= after_sequence) continue;
    if (!entity_type.empty() && e.entity_type != entity_type) continue;
    if (!entity_id.empty() && e.entity_id != entity_id) continue;
    out.push_back(e);
  }
  return out;
}

absl::StatusOr<AuditVerification> InMemoryAuthStore::VerifyAudit(absl::Time) {
  absl::MutexLock lock(&mu_);
  return VerifyAuditChain(audit_, audit_keys_);
}

absl::StatusOr<std::optional<AuditEntry>> InMemoryAuthStore::AuditHead(absl::Time) {
  absl::MutexLock lock(&mu_);
  if (audit_.empty()) return std::optional<AuditEntry>();
  return std::optional<AuditEntry>(audit_.back());
}

void InMemoryAuthStore::TruncateAuditHistory(int64_t keep) {
  absl::MutexLock lock(&mu_);
  if (keep >= 0 && keep < static_cast<int64_t>(audit_.size())) audit_.resize(keep);
}

void InMemoryAuthStore::TamperWithAuditEntry(int64_t sequence, const std::string& new_action) {
  absl::MutexLock lock(&mu_);
  if (sequence >= 1 && sequence <= static_cast<int64_t>(audit_.size())) {
    audit_[sequence - 1].action = new_action;
  }
}

}  // namespace bulwark::auth
