#include "services/auth/service/credential_cache.h"

#include "libraries/logging/log.h"
#include "libraries/status/status_macros.h"

namespace bulwark::auth {

scopes::ExpandedScopes CachedClient::Expanded(const scopes::RoleSnapshot& roles) const {
  absl::MutexLock lock(&mu_);
  if (!has_expanded_ || expanded_version_ != roles.version()) {
    expanded_ = roles.ExpandShared(own_scopes_);
    expanded_version_ = roles.version();
    has_expanded_ = true;
  }
  return expanded_;
}

absl::StatusOr<std::shared_ptr<const CachedClient>> CredentialCache::Get(
    const std::string& client_id, absl::Time deadline) {
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(client_id);
    if (it != entries_.end()) return it->second;
    generation = generation_;
  }
  BULWARK_ASSIGN_OR_RETURN(ClientRow row, store_.GetClient(client_id, deadline));
  BULWARK_ASSIGN_OR_RETURN(std::string token, sealer_.Unseal(row.sealed_access_token, client_id));
  auto entry = std::make_shared<const CachedClient>(std::move(row), std::move(token));
  absl::MutexLock lock(&mu_);
  if (generation == generation_) entries_[client_id] = entry;
  return entry;
}

void CredentialCache::Invalidate(const std::string& client_id) {
  absl::MutexLock lock(&mu_);
  entries_.erase(client_id);
  ++generation_;
}

void CredentialCache::InvalidateAll() {
  absl::MutexLock lock(&mu_);
  entries_.clear();
  ++generation_;
}

void CredentialCache::RecordUse(const CachedClient& client, absl::Time deadline) {
  absl::Time now = clock_.Now();
  if (now - client.row().last_date_used < touch_interval_) return;
  if (!client.ClaimUseRecording()) return;  // tried already for this entry
  absl::Status s = store_.TouchClient(client.row().client_id, now, deadline);
  if (!s.ok()) {
    LogWarning("could not record client use",
               {{"client_id", client.row().client_id}, {"error", std::string(s.message())}});
    return;
  }
  Invalidate(client.row().client_id);  // reload with the new lastDateUsed next time
}

}  // namespace bulwark::auth
