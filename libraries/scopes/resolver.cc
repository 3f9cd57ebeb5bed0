#include "libraries/scopes/resolver.h"

#include <utility>

#include "libraries/status/status_macros.h"

namespace bulwark::scopes {

absl::Status ValidateRoles(const std::vector<Role>& roles) {
  return internal::RoleGraph::Build(roles).status();
}

absl::StatusOr<std::unique_ptr<Resolver>> Resolver::Create(const std::vector<Role>& roles) {
  BULWARK_ASSIGN_OR_RETURN(internal::RoleGraph graph, internal::RoleGraph::Build(roles));
  return std::unique_ptr<Resolver>(new Resolver(std::move(graph)));
}

Resolver::Resolver(internal::RoleGraph graph) : graph_(std::move(graph)) {
  absl::MutexLock lock(&mu_);
  Publish();
}

absl::Status Resolver::CheckUpsert(const Role& role) const {
  absl::MutexLock lock(&mu_);
  return graph_.PrepareUpsert(role).status();
}

absl::Status Resolver::UpsertRole(const Role& role) {
  absl::MutexLock lock(&mu_);
  BULWARK_ASSIGN_OR_RETURN(internal::RoleGraph::PreparedUpsert change, graph_.PrepareUpsert(role));
  graph_.CommitUpsert(std::move(change));
  Publish();
  return absl::OkStatus();
}

absl::Status Resolver::DeleteRole(absl::string_view role_id) {
  absl::MutexLock lock(&mu_);
  BULWARK_RETURN_IF_ERROR(graph_.Delete(role_id));
  Publish();
  return absl::OkStatus();
}

absl::Status Resolver::ReplaceAll(const std::vector<Role>& roles) {
  BULWARK_ASSIGN_OR_RETURN(internal::RoleGraph graph, internal::RoleGraph::Build(roles));
  absl::MutexLock lock(&mu_);
  graph_ = std::move(graph);
  Publish();
  return absl::OkStatus();
}

void Resolver::Publish() {
  std::atomic_store(&snapshot_, std::shared_ptr<const RoleSnapshot>(std::make_shared<RoleSnapshot>(
                                    graph_.root(), ++version_, graph_.role_count())));
}

}  // namespace bulwark::scopes
