// File: libraries/scopes/workload.h
//
// Workloads for the resolver's benchmarks, the scopes tool and the randomized
// tests: a role set and a list of queries (scope sets to expand), with
// deterministic generators and the JSON form used by `scopes_tool expand
// --workload FILE`:
//   {"roles": [{"roleId": "...", "scopes": ["..."]}], "queries": [["scope",
//   ...], ...]}
//
// Generators (same seed, same workload, on every platform: they use
// std::mt19937_64 and no std:: distributions):
//   - DeploymentWorkload: roles shaped like a real deployment (repo, project,
//   hook, worker-pool,
//     team and login roles; about 30% star roles, a quarter of those
//     parameterized; chains 5 to 10 roles deep) and clients with ~35 scopes
//     each. 35 projects give ~600 roles.
//   - ChainWorkload: ch-0 -> ... -> ch-n -> special-scope, upstream's
//   performance test.
//   - ChainPointsWorkload: the same chain queried at `points` roles spread
//     evenly along it, so each answer holds up to n + 1 scopes.
//   - LevelsWorkload: a large set on six levels (about 1:3:7:14:23:30 roles
//     from top to bottom), each role granting `assume:` scopes aimed at the
//     next levels (exact roles, star roles with a parameter, kleene prefixes of
//     a group) and plain scopes; 30% star roles, a quarter of those
//     parameterized (their parameter flows down to star roles of the next
//     level). Clients mix `assume:` of exact roles, parameterized star roles,
//     star prefixes and plain scopes.
//   - RandomRoleSet/RandomQuery: tiny alphabets that make collisions, stars,
//   parameters and
//     "expand everything" inputs likely; the role set is made valid by dropping
//     offending roles.
//
// Thread-safety: pure functions. Errors: WorkloadFromJson returns
// INVALID_ARGUMENT for JSON of the wrong shape.

#ifndef BULWARK_LIBRARIES_SCOPES_WORKLOAD_H_
#define BULWARK_LIBRARIES_SCOPES_WORKLOAD_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libraries/scopes/role.h"
#include "nlohmann/json.hpp"

namespace bulwark::scopes {

struct Workload {
  std::vector<Role> roles;
  std::vector<std::vector<std::string>> queries;
};

Workload DeploymentWorkload(int projects, int clients, uint64_t seed);
Workload ChainWorkload(int length);
Workload ChainPointsWorkload(int length, int points);
Workload LevelsWorkload(int roles, int clients, uint64_t seed);

// A valid random role set of up to `max_roles` roles.
std::vector<Role> RandomRoleSet(std::mt19937_64& rng, int max_roles);
// A random scope set of 1 to 3 scopes, mostly `assume:` scopes aimed at
// `roles`.
std::vector<std::string> RandomQuery(std::mt19937_64& rng, const std::vector<Role>& roles);

nlohmann::json WorkloadToJson(const Workload& workload);
absl::StatusOr<Workload> WorkloadFromJson(const nlohmann::json& json);

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_WORKLOAD_H_
