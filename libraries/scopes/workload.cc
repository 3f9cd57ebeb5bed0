#include "libraries/scopes/workload.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libraries/scopes/resolver.h"

namespace bulwark::scopes {
namespace {

// Uniform in [0, n) without std::uniform_int_distribution
// (implementation-defined).
uint64_t Below(std::mt19937_64& rng, uint64_t n) { return rng() % n; }
bool Chance(std::mt19937_64& rng, int percent) {
  return static_cast<int>(Below(rng, 100)) < percent;
}

std::string RandomText(std::mt19937_64& rng, const std::string& alphabet, int max_len) {
  std::string s;
  const int len = static_cast<int>(Below(rng, max_len + 1));
  for (int i = 0; i < len; ++i) s += alphabet[Below(rng, alphabet.size())];
  return s;
}

void AddProject(int p, std::mt19937_64& rng, std::vector<Role>& roles) {
  const std::string name = absl::StrCat("proj", p);
  const std::string org = absl::StrCat("org", p % 7);
  const std::string pool = absl::StrCat("proj-", name);
  const auto add = [&](std::string id, std::vector<std::string> scopes) {
    roles.push_back({std::move(id), std::move(scopes)});
  };
  add(absl::StrCat("mozilla-group:", name, "-admins"),
      {absl::StrCat("assume:project-admin:", name),
       absl::StrCat("assume:github-team:", org, "/", name, "-devs"),
       absl::StrCat("notify:email:", name, "-admins@example.com")});
  for (int u = 0; u < 2; ++u) {
    add(absl::StrCat("login-identity:github/", name, "-user", u),
        {absl::StrCat("assume:mozilla-group:", name, "-admins"),
         absl::StrCat("auth:create-client:github/", name, "-user", u, "/*")});
  }
  add(absl::StrCat("github-team:", org, "/", name, "-devs"),
      {absl::StrCat("assume:project:", name, ":developer"),
       absl::StrCat("notify:irc-channel:#", name)});
  add(absl::StrCat("project:", name, ":developer"),
      {absl::StrCat("assume:project:", name, ":ci"), absl::StrCat("purge-cache:", pool, "/*"),
       absl::StrCat("queue:rerun-task:", pool, "/*"),
       absl::StrCat("queue:cancel-task:", pool, "/*")});
  add(absl::StrCat("project:", name, ":ci"),
      {absl::StrCat("assume:worker-pool:", pool, "/ci"),
       absl::StrCat("queue:create-task:highest:", pool, "/*"),
       "queue:scheduler-id:taskcluster-github",
       absl::StrCat("queue:route:index.project.", name, ".ci.*")});
  add(absl::StrCat("project:", name, ":releng"),
      {absl::StrCat("assume:project:", name, ":ci"),
       absl::StrCat("assume:worker-pool:", pool, "/release"),
       absl::StrCat("index:insert-task:project.", name, ".*"),
       absl::StrCat("secrets:get:project/", name, "/release")});
  add(absl::StrCat("worker-pool:", pool, "/*"), {absl::StrCat("assume:worker-type:", pool, "/<..>"),
                                                 absl::StrCat("queue:worker-id:", pool, "/<..>/*"),
                                                 absl::StrCat("queue:claim-work:", pool, "/<..>")});
  add(absl::StrCat("worker-type:", pool, "/*"), {absl::StrCat("assume:worker-pool-scopes:", pool),
                                                 absl::StrCat("docker-worker:cache:", pool, "-*"),
                                                 absl::StrCat("secrets:get:worker-pool:", pool)});
  add(absl::StrCat("worker-pool-scopes:", pool),
      {"assume:infra:shared-worker", absl::StrCat("generic-worker:os-group:", pool, "/*")});
  // Hooks: parameterized for every other project.
  add(absl::StrCat("hook-id:project-", name, "/*"),
      {absl::StrCat("assume:project:", name, ":ci"),
       p % 2 == 0 ? absl::StrCat("queue:route:index.project.", name, ".hooks.<..>")
                  : absl::StrCat("queue:route:index.project.", name, ".hooks")});
  for (int r = 0; r < 3; ++r) {
    const std::string repo = absl::StrCat("repo:github.com/", org, "/", name, "-r", r);
    add(absl::StrCat(repo, ":*"),
        {absl::StrCat("assume:project:", name, ":ci"), "queue:route:checks",
         absl::StrCat("queue:route:statuses.", name, "-r", r)});
    add(absl::StrCat(repo, ":branch:main"),
        {absl::StrCat("assume:project:", name, Chance(rng, 50) ? ":releng" : ":ci"),
         absl::StrCat("secrets:get:project/", name, "/deploy")});
  }
}

std::vector<std::string> Client(int projects, std::mt19937_64& rng) {
  const int p = static_cast<int>(Below(rng, projects));
  const std::string name = absl::StrCat("proj", p);
  const std::string org = absl::StrCat("org", p % 7);
  std::vector<std::string> scopes;
  switch (Below(rng, 8)) {
    case 0:
      scopes.push_back(absl::StrCat("assume:mozilla-group:", name, "-admins"));
      break;
    case 1:
      scopes.push_back(absl::StrCat("assume:login-identity:github/", name, "-user", Below(rng, 2)));
      break;
    case 2:
      scopes.push_back(absl::StrCat("assume:repo:github.com/", org, "/", name, "-r", Below(rng, 3),
                                    ":branch:main"));
      break;
    case 3:
      scopes.push_back(absl::StrCat("assume:repo:github.com/", org, "/*"));
      break;
    case 4:
      scopes.push_back(absl::StrCat("assume:worker-pool:proj-", name, "/*"));
      break;
    case 5:
      scopes.push_back(absl::StrCat("assume:hook-id:project-", name, "/nightly"));
      scopes.push_back(absl::StrCat("assume:project-admin:", name));
      break;
    case 6:
      scopes.push_back(absl::StrCat("assume:project:", name, ":ci"));
      break;
    default:
      if (Chance(rng, 10)) scopes.push_back(Chance(rng, 50) ? "*" : "assume:*");
      scopes.push_back(absl::StrCat("assume:worker-type:proj-", name, "/b-", Below(rng, 9)));
      break;
  }
  const int plain = 25 + static_cast<int>(Below(rng, 20));
  for (int i = 0; i < plain; ++i) {
    scopes.push_back(absl::StrCat("queue:route:notify.", name, ".", Below(rng, 1000),
                                  Chance(rng, 20) ? ".*" : ""));
  }
  return scopes;
}

}  // namespace

Workload DeploymentWorkload(int projects, int clients, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Workload w;
  w.roles.push_back({"project-admin:*",
                     {"assume:hook-id:project-<..>/*", "assume:project:<..>:developer",
                      "auth:create-client:project/<..>/*", "secrets:get:project/<..>/*",
                      "queue:route:index.project.<..>.*"}});
  w.roles.push_back(
      {"infra:shared-worker",
       {"queue:resolve-task", "index:insert-task:garbage.*", "queue:scheduler-id:-"}});
  for (int p = 0; p < projects; ++p) AddProject(p, rng, w.roles);
  for (int c = 0; c < clients; ++c) w.queries.push_back(Client(projects, rng));
  return w;
}

Workload ChainWorkload(int length) {
  Workload w;
  for (int i = 0; i < length; ++i) {
    w.roles.push_back({absl::StrCat("ch-", i), {absl::StrCat("assume:ch-", i + 1)}});
  }
  w.roles.push_back({absl::StrCat("ch-", length), {"special-scope"}});
  w.queries = {{"assume:ch-0"}, {absl::StrCat("assume:ch-", length / 2)}, {"assume:ch-*"}};
  return w;
}

Workload ChainPointsWorkload(int length, int points) {
  Workload w = ChainWorkload(length);
  w.queries.clear();
  for (int i = 0; i < points; ++i) {
    w.queries.push_back({absl::StrCat("assume:ch-", static_cast<int64_t>(i) * length / points)});
  }
  return w;
}

namespace {

// The roles of one level of LevelsWorkload: exact role ids by group, and the
// star roles (their stems, the role id without its `*`, and groups).
struct Level {
  int groups = 1;
  std::vector<std::string> exact;
  std::vector<std::vector<std::string>> exact_by_group;
  std::vector<std::string> stems;
  std::vector<int> stem_groups;
};

template <typename T>
const T& Pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[Below(rng, v.size())];
}

// What the parameterized star roles of level `k` and group `g` grant: an
// `assume:` of a role of one group of level k + 1 named by the parameter.
std::string ParamTarget(const std::vector<Level>& levels, int k, int g) {
  return absl::StrCat("assume:l", k + 1, ":g", g % levels[k + 1].groups, "/<..>");
}

// A parameter for the star role `s` of level `k`: half of the time one that
// makes ParamTarget name an existing role, else a plain name.
std::string Param(std::mt19937_64& rng, const std::vector<Level>& levels, int k, size_t s) {
  if (k + 1 < static_cast<int>(levels.size()) && Chance(rng, 50)) {
    const Level& next = levels[k + 1];
    const std::vector<std::string>& group =
        next.exact_by_group[levels[k].stem_groups[s] % next.groups];
    if (!group.empty()) {
      const std::string& id = Pick(rng, group);
      return id.substr(id.find('/') + 1);
    }
  }
  return absl::StrCat("u", Below(rng, 40));
}

// An `assume:` scope aimed at level `k`: an exact role, a star role with a
// parameter, or (`kleene_percent` of the time) a star role's kleene or a
// group's kleene prefix.
std::string AimAtLevel(std::mt19937_64& rng, const std::vector<Level>& levels, int k,
                       int kleene_percent) {
  const Level& level = levels[k];
  if (Chance(rng, kleene_percent)) {
    if (Chance(rng, 60) && !level.stems.empty()) {
      return absl::StrCat("assume:", Pick(rng, level.stems), "*");
    }
    return absl::StrCat("assume:l", k, ":g", Below(rng, level.groups), "/*");
  }
  if (level.stems.empty() || (Chance(rng, 62) && !level.exact.empty())) {
    return absl::StrCat("assume:", Pick(rng, level.exact));
  }
  const size_t s = Below(rng, level.stems.size());
  return absl::StrCat("assume:", level.stems[s], Param(rng, levels, k, s));
}

std::string PlainScope(std::mt19937_64& rng, int k, int groups) {
  static const char* const kActions[] = {"read", "write", "list", "deploy", "purge"};
  return absl::StrCat("svc", k, ":", kActions[Below(rng, 5)], ":g", Below(rng, groups), "/res",
                      Below(rng, 1000), Chance(rng, 20) ? "/*" : "");
}

}  // namespace

Workload LevelsWorkload(int roles, int clients, uint64_t seed) {
  constexpr int kLevels = 6;
  constexpr int kWeight[kLevels] = {1, 3, 7, 14, 23, 30};
  constexpr int kWeightSum = 78;
  std::mt19937_64 rng(seed);
  std::vector<Level> levels(kLevels);
  Workload w;
  // Bottom-up, so that every role can aim at the levels below it, which keeps
  // the set acyclic.
  for (int k = kLevels - 1; k >= 0; --k) {
    Level& level = levels[k];
    const int n = std::max(1, roles * kWeight[k] / kWeightSum);
    level.groups = std::max(1, n / 24);
    level.exact_by_group.resize(level.groups);
    for (int i = 0; i < n; ++i) {
      const int g = static_cast<int>(Below(rng, level.groups));
      const bool star = Chance(rng, 30);
      const bool param = star && Chance(rng, 25);
      Role role;
      std::string stem;
      if (star) {
        stem = absl::StrCat("l", k, ":g", g, "/team", i, "/");
        role.role_id = absl::StrCat(stem, "*");
      } else {
        role.role_id = absl::StrCat("l", k, ":g", g, "/r", i);
      }
      if (k + 1 < kLevels) {
        const int fanout = 1 + static_cast<int>(Below(rng, 3));
        for (int j = 0; j < fanout; ++j) {
          const int target = k + 2 < kLevels && Chance(rng, 15) ? k + 2 : k + 1;
          role.scopes.push_back(AimAtLevel(rng, levels, target, 0));
        }
      }
      const int plain = 3 + static_cast<int>(Below(rng, 4));
      for (int j = 0; j < plain; ++j) role.scopes.push_back(PlainScope(rng, k, level.groups));
      if (param) {
        role.scopes.push_back(absl::StrCat("secrets:get:l", k, "/team", i, "/<..>/*"));
        role.scopes.push_back(absl::StrCat("queue:route:l", k, ".team", i, ".<..>"));
        if (k + 1 < kLevels) role.scopes.push_back(ParamTarget(levels, k, g));
      }
      if (star) {
        level.stems.push_back(std::move(stem));
        level.stem_groups.push_back(g);
      } else {
        level.exact.push_back(role.role_id);
        level.exact_by_group[g].push_back(role.role_id);
      }
      w.roles.push_back(std::move(role));
    }
  }
  for (int c = 0; c < clients; ++c) {
    std::vector<std::string> scopes;
    const int assumes = 1 + static_cast<int>(Below(rng, 3));
    for (int j = 0; j < assumes; ++j) {
      const int k = static_cast<int>(Below(rng, kLevels));
      if (Chance(rng, 3)) {
        scopes.push_back(absl::StrCat("assume:l", k, ":*"));
      } else {
        scopes.push_back(AimAtLevel(rng, levels, k, 6));
      }
    }
    const int plain = 5 + static_cast<int>(Below(rng, 21));
    for (int j = 0; j < plain; ++j) {
      const int k = static_cast<int>(Below(rng, kLevels));
      scopes.push_back(PlainScope(rng, k, levels[k].groups));
    }
    w.queries.push_back(std::move(scopes));
  }
  return w;
}

namespace {

// A scope aimed at role id `id`: itself, a prefix with a star, a longer id, or
// a random one.
std::string AimAt(std::mt19937_64& rng, const std::string& id) {
  std::string stem = id.back() == '*' ? id.substr(0, id.size() - 1) : id;
  switch (Below(rng, 6)) {
    case 0:
    case 1:
      return stem;
    case 2:
      return absl::StrCat(stem.substr(0, Below(rng, stem.size() + 1)), "*");
    case 3:
      return absl::StrCat(stem, RandomText(rng, "abc*", 2));
    case 4:
      return id;
    default:
      return RandomText(rng, "abc*", 3);
  }
}

}  // namespace

std::vector<Role> RandomRoleSet(std::mt19937_64& rng, int max_roles) {
  const std::string id_chars = "abc*";
  const int n = 1 + static_cast<int>(Below(rng, max_roles));
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    std::string id =
        absl::StrCat(std::string(1, "abc"[Below(rng, 3)]), RandomText(rng, id_chars, 2));
    if (Chance(rng, 40) && id.back() != '*') id += "*";
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  std::vector<Role> roles;
  for (size_t i = 0; i < ids.size(); ++i) {
    Role role{ids[i], {}};
    const bool star = role.role_id.back() == '*';
    // Mostly aim at later roles, so that many sets survive the cycle check with
    // long chains.
    const auto target = [&] {
      const size_t lo = i + 1 < ids.size() && Chance(rng, 85) ? i + 1 : 0;
      return ids[lo + Below(rng, ids.size() - lo)];
    };
    const int k = static_cast<int>(Below(rng, 5));
    for (int j = 0; j < k; ++j) {
      std::string scope;
      switch (Below(rng, 7)) {
        case 0:
        case 1:
        case 2:
          scope = absl::StrCat("assume:", AimAt(rng, target()));
          break;
        case 3: {
          const std::string aim = AimAt(rng, target());
          const size_t cut = Below(rng, aim.size() + 1);
          scope = absl::StrCat(star || Chance(rng, 30) ? "assume:" : "X", aim.substr(0, cut),
                               "<..>", RandomText(rng, id_chars, 2));
          break;
        }
        case 4:
          scope = absl::StrCat("P", RandomText(rng, "ab*", 2), "<..>", RandomText(rng, "b*", 2));
          break;
        case 5:
          scope = absl::StrCat("S", RandomText(rng, "ab*", 3));
          break;
        default:
          scope = RandomText(rng, "as*:", 3);  // sometimes "expand everything"
          break;
      }
      role.scopes.push_back(std::move(scope));
    }
    roles.push_back(std::move(role));
  }
  // Drop the roles validation names (a cycle's first role, or an illegal role)
  // until valid.
  while (true) {
    const auto error = RoleSetErrorFromStatus(ValidateRoles(roles));
    if (!error.has_value()) return roles;
    const std::string culprit = error->code == RoleSetError::Code::kDependencyCycle
                                    ? std::string(absl::StripPrefix(error->cycle[0], "assume:"))
                                    : error->role_id;
    roles.erase(std::remove_if(roles.begin(), roles.end(),
                               [&](const Role& r) { return r.role_id == culprit; }),
                roles.end());
  }
}

std::vector<std::string> RandomQuery(std::mt19937_64& rng, const std::vector<Role>& roles) {
  std::vector<std::string> scopes;
  const int n = 1 + static_cast<int>(Below(rng, 3));
  for (int i = 0; i < n; ++i) {
    switch (Below(rng, 8)) {
      case 0:
        scopes.push_back(RandomText(rng, "as*:", 3));
        break;
      case 1:
        scopes.push_back(absl::StrCat("S", RandomText(rng, "ab*", 2)));
        break;
      case 2:
      case 3:
        scopes.push_back(absl::StrCat("assume:", RandomText(rng, "abc*", 4)));
        break;
      default:
        scopes.push_back(absl::StrCat(
            "assume:", roles.empty() ? RandomText(rng, "abc*", 3)
                                     : AimAt(rng, roles[Below(rng, roles.size())].role_id)));
        break;
    }
  }
  return scopes;
}

nlohmann::json WorkloadToJson(const Workload& workload) {
  nlohmann::json roles = nlohmann::json::array();
  for (const Role& r : workload.roles) {
    roles.push_back({{"roleId", r.role_id}, {"scopes", r.scopes}});
  }
  return {{"roles", std::move(roles)}, {"queries", workload.queries}};
}

absl::StatusOr<Workload> WorkloadFromJson(const nlohmann::json& json) {
  const auto strings = [](const nlohmann::json& j) {
    return j.is_array() &&
           std::all_of(j.begin(), j.end(), [](const auto& s) { return s.is_string(); });
  };
  if (!json.is_object() || !json.contains("roles") || !json["roles"].is_array()) {
    return absl::InvalidArgumentError("workload must be an object with a \"roles\" array");
  }
  Workload w;
  for (const auto& r : json["roles"]) {
    if (!r.is_object() || !r.contains("roleId") || !r["roleId"].is_string() ||
        !r.contains("scopes") || !strings(r["scopes"])) {
      return absl::InvalidArgumentError(
          "each role must be {\"roleId\": string, \"scopes\": [string]}");
    }
    w.roles.push_back(
        {r["roleId"].get<std::string>(), r["scopes"].get<std::vector<std::string>>()});
  }
  if (json.contains("queries")) {
    if (!json["queries"].is_array()) {
      return absl::InvalidArgumentError("\"queries\" must be an array of scope arrays");
    }
    for (const auto& q : json["queries"]) {
      if (!strings(q)) {
        return absl::InvalidArgumentError("\"queries\" must be an array of scope arrays");
      }
      w.queries.push_back(q.get<std::vector<std::string>>());
    }
  }
  return w;
}

}  // namespace bulwark::scopes
