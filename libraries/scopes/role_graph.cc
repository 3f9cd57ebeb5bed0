#include "libraries/scopes/role_graph.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/scopes/compiled_role.h"
#include "libraries/scopes/scope.h"
#include "libraries/status/status_macros.h"

namespace bulwark::scopes::internal {
namespace {

// Collects the slots of the roles a scope fires.
struct SlotCollector {
  std::vector<uint32_t> slots;
  void Literal(const TrieNode&, const CompiledRole& role) { slots.push_back(role.slot); }
  void Param(const CompiledRole&, absl::string_view) {}
  void Subtree(const TrieNode& node, bool /*at_node*/) {
    ForEachRole(node, [this](const TrieNode&, const CompiledRole& r) { slots.push_back(r.slot); });
  }
};

int Digits(uint32_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

uint32_t Pow10(int n) {
  uint32_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// Upstream keys its dependency trie by the decimal index of each rule, so rules
// come out in string order of those numbers ("10" < "2"). Compared without
// formatting them: a number with fewer digits compares with as many leading
// digits of the other, and wins a tie (it is a prefix).
bool DecimalStringLess(uint32_t a, uint32_t b) {
  const int da = Digits(a), db = Digits(b);
  if (da == db) return a < b;
  if (da < db) return a <= b / Pow10(db - da);
  return a / Pow10(da - db) < b;
}

absl::Status CycleError(const std::vector<std::string>& role_ids) {
  RoleSetError error;
  error.code = RoleSetError::Code::kDependencyCycle;
  for (const std::string& id : role_ids) {
    error.cycle.push_back(absl::StrCat(kAssumePrefix, id));
  }
  error.message = absl::StrCat("Roles may not contain dependency cycles, found: '",
                               absl::StrJoin(error.cycle, "' -> '"), "'");
  return error.ToStatus();
}

}  // namespace

RoleGraph::RoleGraph() : root_(std::make_shared<TrieNode>(0)) {}

absl::StatusOr<RoleGraph> RoleGraph::Build(const std::vector<Role>& roles) {
  RoleGraph g;
  const uint64_t gen = ++g.generation_;
  g.entries_.resize(roles.size());
  for (uint32_t i = 0; i < roles.size(); ++i) {
    if (!g.slot_of_.emplace(roles[i].role_id, i).second) {
      RoleSetError error;
      error.message = absl::StrCat("roleId '", roles[i].role_id, "' is given twice");
      error.role_id = roles[i].role_id;
      return error.ToStatus();
    }
    BULWARK_ASSIGN_OR_RETURN(CompiledRole compiled, CompileRole(roles[i], i));
    g.entries_[i].role = std::make_shared<const CompiledRole>(std::move(compiled));
    SetRole(g.root_, roles[i].role_id, g.entries_[i].role, gen);
  }
  for (Entry& e : g.entries_) e.deps = g.DependenciesOf(*g.root_, *e.role);

  // Upstream's depth-first search: rules in input order, dependencies in the
  // order above. The reported cycle is the search path from the repeated rule
  // back to itself.
  enum State : uint8_t { kNew, kOnPath, kDone };
  std::vector<State> state(roles.size(), kNew);
  std::vector<std::pair<uint32_t, size_t>> path;  // slot, next dependency
  for (uint32_t start = 0; start < roles.size(); ++start) {
    if (state[start] != kNew) continue;
    state[start] = kOnPath;
    path.push_back({start, 0});
    while (!path.empty()) {
      const uint32_t n = path.back().first;
      const std::vector<uint32_t>& deps = g.entries_[n].deps;
      if (path.back().second == deps.size()) {
        state[n] = kDone;
        path.pop_back();
        continue;
      }
      const uint32_t d = deps[path.back().second++];
      if (state[d] == kDone) continue;
      if (state[d] == kOnPath) {
        std::vector<std::string> cycle;
        auto it =
            std::find_if(path.begin(), path.end(), [d](const auto& p) { return p.first == d; });
        for (; it != path.end(); ++it) cycle.push_back(roles[it->first].role_id);
        cycle.push_back(roles[d].role_id);
        return CycleError(cycle);
      }
      state[d] = kOnPath;
      path.push_back({d, 0});
    }
  }
  for (uint32_t i = 0; i < roles.size(); ++i) {
    for (uint32_t d : g.entries_[i].deps) g.entries_[d].rdeps.insert(i);
    g.IndexScopes(*g.entries_[i].role, /*add=*/true);
  }
  return g;
}

absl::StatusOr<RoleGraph::PreparedUpsert> RoleGraph::PrepareUpsert(const Role& role) const {
  PreparedUpsert change;
  const auto found = slot_of_.find(role.role_id);
  change.is_new = found == slot_of_.end();
  const uint32_t slot =
      change.is_new
          ? (free_slots_.empty() ? static_cast<uint32_t>(entries_.size()) : free_slots_.back())
          : found->second;
  BULWARK_ASSIGN_OR_RETURN(CompiledRole compiled, CompileRole(role, slot));
  change.role = std::make_shared<const CompiledRole>(std::move(compiled));
  // Nodes of the next generation are private until CommitUpsert publishes them.
  change.root = root_;
  SetRole(change.root, role.role_id, change.role, generation_ + 1);
  change.deps = DependenciesOf(*change.root, *change.role);
  if (change.is_new) change.incoming = RolesFiring(role.role_id);
  const absl::flat_hash_set<uint32_t> incoming(change.incoming.begin(), change.incoming.end());

  // Any new cycle passes through this role: search for a path from it back to
  // itself. Each path entry holds the dependencies still to visit, last one
  // first.
  const auto neighbours = [&](uint32_t n) {
    std::vector<uint32_t> out = n == slot ? change.deps : entries_[n].deps;
    if (n != slot && incoming.contains(n)) out.push_back(slot);
    std::reverse(out.begin(), out.end());
    return out;
  };
  absl::flat_hash_set<uint32_t> visited = {slot};
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> path;
  path.push_back({slot, neighbours(slot)});
  while (!path.empty()) {
    std::vector<uint32_t>& next = path.back().second;
    if (next.empty()) {
      path.pop_back();
      continue;
    }
    const uint32_t d = next.back();
    next.pop_back();
    if (d == slot) {
      std::vector<std::string> cycle;
      for (const auto& p : path) {
        cycle.push_back(p.first == slot ? role.role_id : entries_[p.first].role->role_id);
      }
      cycle.push_back(role.role_id);
      return CycleError(cycle);
    }
    if (visited.insert(d).second) path.push_back({d, neighbours(d)});
  }
  return change;
}

void RoleGraph::CommitUpsert(PreparedUpsert change) {
  const uint64_t gen = ++generation_;
  const uint32_t slot = change.role->slot;
  if (change.is_new) {
    AllocateSlot();
    slot_of_.emplace(change.role->role_id, slot);
  } else {
    Entry& old = entries_[slot];
    for (uint32_t d : old.deps) entries_[d].rdeps.erase(slot);
    IndexScopes(*old.role, /*add=*/false);
  }
  entries_[slot].role = change.role;
  entries_[slot].deps = std::move(change.deps);
  for (uint32_t d : entries_[slot].deps) entries_[d].rdeps.insert(slot);
  IndexScopes(*change.role, /*add=*/true);
  for (uint32_t x : change.incoming) AddEdge(x, slot);
  for (uint32_t a : Dependents(slot)) {
    TouchPath(change.root, entries_[a].role->role_id, gen);
  }
  root_ = std::move(change.root);
}

absl::Status RoleGraph::Delete(absl::string_view role_id) {
  const auto found = slot_of_.find(role_id);
  if (found == slot_of_.end()) {
    return absl::NotFoundError(absl::StrCat("role '", role_id, "' not found"));
  }
  const uint32_t slot = found->second;
  const uint64_t gen = ++generation_;
  TrieNodePtr root = root_;
  SetRole(root, role_id, nullptr, gen);
  for (uint32_t a : Dependents(slot)) {
    TouchPath(root, entries_[a].role->role_id, gen);
  }
  Entry& e = entries_[slot];
  for (uint32_t d : e.deps) entries_[d].rdeps.erase(slot);
  for (uint32_t x : e.rdeps) {
    std::vector<uint32_t>& deps = entries_[x].deps;
    deps.erase(std::remove(deps.begin(), deps.end(), slot), deps.end());
  }
  IndexScopes(*e.role, /*add=*/false);
  e = Entry();
  free_slots_.push_back(slot);
  slot_of_.erase(found);
  root_ = std::move(root);
  return absl::OkStatus();
}

std::vector<uint32_t> RoleGraph::DependenciesOf(const TrieNode& root,
                                                const CompiledRole& role) const {
  std::vector<uint32_t> deps;
  absl::flat_hash_set<uint32_t> seen;
  for (const std::string& scope : role.dependency_scopes) {
    SlotCollector fired;
    ForEachFiring(root, scope, fired);
    std::sort(fired.slots.begin(), fired.slots.end(), DecimalStringLess);
    for (uint32_t s : fired.slots) {
      if (seen.insert(s).second) deps.push_back(s);
    }
  }
  return deps;
}

std::vector<uint32_t> RoleGraph::RolesFiring(absl::string_view role_id) const {
  const std::string pattern = absl::StrCat(kAssumePrefix, role_id);
  const absl::string_view stem = WithoutStar(pattern);
  absl::flat_hash_set<uint32_t> slots;
  const auto consider = [&](const std::string& scope, const std::vector<uint32_t>& owners) {
    if (FiresPattern(scope, pattern)) slots.insert(owners.begin(), owners.end());
  };
  // Star scopes whose prefix is a prefix of the pattern, and the pattern
  // itself.
  for (size_t len = 0; len <= stem.size(); ++len) {
    auto it = scope_index_.find(absl::StrCat(stem.substr(0, len), "*"));
    if (it != scope_index_.end()) consider(it->first, it->second);
  }
  if (auto it = scope_index_.find(pattern); it != scope_index_.end()) {
    consider(it->first, it->second);
  }
  // A star pattern also fires on every scope below its prefix.
  if (IsStar(role_id)) {
    for (auto it = scope_index_.lower_bound(stem);
         it != scope_index_.end() && absl::StartsWith(it->first, stem); ++it) {
      consider(it->first, it->second);
    }
  }
  std::vector<uint32_t> out(slots.begin(), slots.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint32_t> RoleGraph::Dependents(uint32_t slot) const {
  std::vector<uint32_t> out;
  absl::flat_hash_set<uint32_t> seen = {slot};
  std::vector<uint32_t> queue = {slot};
  while (!queue.empty()) {
    const uint32_t n = queue.back();
    queue.pop_back();
    for (uint32_t x : entries_[n].rdeps) {
      if (seen.insert(x).second) {
        out.push_back(x);
        queue.push_back(x);
      }
    }
  }
  return out;
}

void RoleGraph::IndexScopes(const CompiledRole& role, bool add) {
  for (const std::string& scope : role.dependency_scopes) {
    absl::string_view unused;
    if (!ToRoleSpace(scope, &unused)) continue;
    if (add) {
      scope_index_[scope].push_back(role.slot);
      continue;
    }
    auto it = scope_index_.find(scope);
    if (it == scope_index_.end()) continue;
    auto pos = std::find(it->second.begin(), it->second.end(), role.slot);
    if (pos != it->second.end()) it->second.erase(pos);
    if (it->second.empty()) scope_index_.erase(it);
  }
}

void RoleGraph::AddEdge(uint32_t from, uint32_t to) {
  entries_[from].deps.push_back(to);
  entries_[to].rdeps.insert(from);
}

uint32_t RoleGraph::AllocateSlot() {
  if (free_slots_.empty()) {
    entries_.emplace_back();
    return static_cast<uint32_t>(entries_.size() - 1);
  }
  const uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  return slot;
}

}  // namespace bulwark::scopes::internal
