// scopes_tool: the scopes library from the command line, for differential
// testing and benchmarking (interface kept stable; see issue 3 and
// docs/benchmarks.md).
//
//   scopes_tool expand --workload FILE [--normalized]
//                                                one JSON line per query: its
//                                                expansion (--normalized: each
//                                                query given as an
//                                                ExpandedScopes)
//   scopes_tool expand --workload FILE --bench
//   {"roles","queries","build_ms","expand_all_ms",
//                                                 "expand_ns_per_query","expand_all_strings_ms",
//                                                 "expand_all_normalized_ms","update_one_role_ms"}
//   scopes_tool explain --workload FILE --target SCOPE
//                                                one JSON line per query:
//                                                Explain's answer
//   scopes_tool algebra                          JSON lines on stdin ->
//   {"result": ...} or
//                                                {"error": "..."} per line (ops
//                                                below)
//   scopes_tool workload --kind deployment|chain|chain-points|large|levels|random
//                        [--seed N] [--size N]
//                                                writes a generated workload as
//                                                JSON
//
// Algebra ops: valid{scope}, validExpression{expr}, compare{a,b},
// normalize{scopes}, union{a,b}, intersection{a,b}, satisfies{scopes,expr},
// scopesSatisfying{scopes,expr}, removeGivenScopes{scopes,expr}, and
// simplify{expr}. Expressions given to the last four must be valid (else the
// error is upstream's assertion message).
//
// Exit status: 0; 1 when the workload's roles are invalid (after printing
// {"error": ...}); 2 for usage errors.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "libraries/scopes/expression.h"
#include "libraries/scopes/expression_json.h"
#include "libraries/scopes/resolver.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"
#include "libraries/scopes/workload.h"
#include "nlohmann/json.hpp"

namespace bulwark::scopes {
namespace {

using nlohmann::json;
using Scopes = std::vector<std::string>;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Value of `--name VALUE`, or "".
std::string Option(const std::vector<std::string>& args, const std::string& name) {
  auto it = std::find(args.begin(), args.end(), name);
  return it != args.end() && it + 1 != args.end() ? *(it + 1) : "";
}

bool Flag(const std::vector<std::string>& args, const std::string& name) {
  return std::find(args.begin(), args.end(), name) != args.end();
}

absl::StatusOr<Workload> ReadWorkload(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read workload file " + path);
  std::stringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError("workload is not JSON");
  return WorkloadFromJson(j);
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Each figure is the best of kRounds. build_ms: Resolver::Create.
// expand_all_ms: expanding every query on one resolver (ExpandShared, the
// result sharing storage with the snapshot, as upstream's arrays share their
// strings); no query result is cached, but the resolver's own lazily filled
// caches (per-role and per-subtree expansions) are warm after the first round,
// as upstream's trie is fully precomputed at build. expand_all_strings_ms: the
// same through Expand, which copies every scope into a std::string.
// expand_all_normalized_ms: the same with each query given as an
// ExpandedScopes made once beforehand (as the auth service keeps a client's
// stored scopes; not comparable with upstream, whose input is raw).
// update_one_role_ms: the mean time to change one role and publish, over 16
// roles spread over the set.
int Bench(const Workload& w) {
  constexpr int kRounds = 10;
  using Clock = std::chrono::steady_clock;
  double build_ms = 1e300, expand_ms = 1e300, strings_ms = 1e300, normalized_ms = 1e300,
         update_ms = 1e300;
  size_t sink = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto start = Clock::now();
    auto resolver = Resolver::Create(w.roles);
    build_ms = std::min(build_ms, MillisSince(start));
    sink += resolver.ok() ? 0 : 1;
  }
  auto resolver = Resolver::Create(w.roles);
  const auto snapshot = (*resolver)->snapshot();
  for (int round = 0; round < kRounds; ++round) {
    const auto start = Clock::now();
    for (const Scopes& q : w.queries) sink += snapshot->ExpandShared(q).size();
    expand_ms = std::min(expand_ms, MillisSince(start));
  }
  for (int round = 0; round < kRounds; ++round) {
    const auto start = Clock::now();
    for (const Scopes& q : w.queries) sink += snapshot->Expand(q).size();
    strings_ms = std::min(strings_ms, MillisSince(start));
  }
  std::vector<ExpandedScopes> normalized;
  for (const Scopes& q : w.queries) normalized.push_back(ExpandedScopes::FromScopes(q));
  for (int round = 0; round < kRounds; ++round) {
    const auto start = Clock::now();
    for (const ExpandedScopes& q : normalized) sink += snapshot->ExpandShared(q).size();
    normalized_ms = std::min(normalized_ms, MillisSince(start));
  }
  const size_t n = std::min<size_t>(16, w.roles.size());
  for (int round = 0; round < kRounds && n > 0; ++round) {
    double total = 0;
    for (size_t k = 0; k < n; ++k) {
      const Role& original = w.roles[k * w.roles.size() / n];
      Role changed = original;
      changed.scopes.push_back("bench:extra-scope");
      const auto start = Clock::now();
      const absl::Status status = (*resolver)->UpsertRole(changed);
      total += MillisSince(start);
      if (!status.ok() || !(*resolver)->UpsertRole(original).ok()) return 1;
    }
    update_ms = std::min(update_ms, total / n);
  }
  const size_t queries = std::max<size_t>(1, w.queries.size());
  nlohmann::ordered_json out = {
      {"roles", w.roles.size()},
      {"queries", w.queries.size()},
      {"build_ms", build_ms},
      {"expand_all_ms", expand_ms},
      {"expand_ns_per_query", static_cast<int64_t>(expand_ms * 1e6 / queries)},
      {"expand_all_strings_ms", strings_ms},
      {"expand_all_normalized_ms", normalized_ms},
      {"update_one_role_ms", n == 0 ? 0.0 : update_ms}};
  std::cout << out.dump() << "\n";
  return sink == static_cast<size_t>(-1) ? 1 : 0;
}

int ExpandOrExplain(const std::vector<std::string>& args, bool explain) {
  absl::StatusOr<Workload> w = ReadWorkload(Option(args, "--workload"));
  if (!w.ok()) {
    std::cerr << w.status() << "\n";
    return 2;
  }
  auto resolver = Resolver::Create(w->roles);
  if (!resolver.ok()) {
    std::cout << Dump({{"error", std::string(resolver.status().message())}}) << "\n";
    return 1;
  }
  if (!explain && Flag(args, "--bench")) return Bench(*w);
  const auto snapshot = (*resolver)->snapshot();
  const std::string target = Option(args, "--target");
  const bool normalized = Flag(args, "--normalized");
  for (const Scopes& q : w->queries) {
    if (!explain) {
      // --normalized: the query given sorted and normalized (ExpandedScopes), as the auth
      // service gives a client's stored scopes; the output must be the same.
      std::cout << Dump(normalized
                            ? snapshot->ExpandShared(ExpandedScopes::FromScopes(q)).ToVector()
                            : snapshot->Expand(q))
                << "\n";
      continue;
    }
    const Explanation e = snapshot->Explain(q, target);
    json steps = json::array();
    for (const ExplainStep& s : e.steps) {
      steps.push_back({{"scope", s.scope}, {"roleId", s.role_id}});
    }
    std::cout << Dump({{"satisfied", e.satisfied},
                       {"given", e.given},
                       {"steps", steps},
                       {"grantingScope", e.granting_scope}})
              << "\n";
  }
  return 0;
}

bool IsScopeArray(const json& j) {
  return j.is_array() &&
         std::all_of(j.begin(), j.end(), [](const json& s) { return s.is_string(); });
}

// One algebra line: the result, or an error message in `error`.
json Algebra(const json& in, std::string& error) {
  const auto scopes = [&](const char* key) -> Scopes {
    if (!in.contains(key) || !IsScopeArray(in[key])) {
      error = std::string(key) + " must be an array of strings";
      return {};
    }
    return in[key].get<Scopes>();
  };
  const auto string = [&](const char* key) -> std::string {
    if (!in.contains(key) || !in[key].is_string()) {
      error = std::string(key) + " must be a string";
      return "";
    }
    return in[key].get<std::string>();
  };
  const auto expression = [&]() -> Expression {
    absl::StatusOr<Expression> e = ExpressionFromJson(in.contains("expr") ? in["expr"] : json());
    if (!e.ok()) {
      error = std::string(e.status().message());
      return Expression("");
    }
    return *e;
  };
  const std::string op = in.is_object() && in.contains("op") && in["op"].is_string()
                             ? in["op"].get<std::string>()
                             : "";
  if (op == "valid") {
    return in.contains("scope") && in["scope"].is_string() &&
           ValidScope(in["scope"].get_ref<const std::string&>());
  }
  if (op == "validExpression") {
    return IsValidExpressionJson(in.contains("expr") ? in["expr"] : json());
  }
  if (op == "compare") {
    const std::string a = string("a"), b = string("b");
    const int c = ScopeCompare(a, b);
    return (c > 0) - (c < 0);
  }
  if (op == "normalize") return SortAndNormalize(scopes("scopes"));
  if (op == "union") {
    Scopes a = scopes("a"), b = scopes("b");
    return ScopeUnion(std::move(a), std::move(b));
  }
  if (op == "intersection") {
    const Scopes a = scopes("a"), b = scopes("b");
    return ScopeIntersection(a, b);
  }
  if (op == "simplify") {
    const Expression e = expression();
    if (!error.empty()) return nullptr;
    absl::StatusOr<Expression> s = SimplifyScopeExpression(e);
    return s.ok() ? ExpressionToJson(*s) : json();
  }
  if (op == "satisfies" || op == "scopesSatisfying" || op == "removeGivenScopes") {
    const Scopes given = scopes("scopes");
    if (!error.empty()) return nullptr;
    const Expression e = expression();
    if (!error.empty()) return nullptr;
    if (op == "satisfies") return SatisfiesExpression(given, e);
    if (op == "scopesSatisfying") {
      const auto result = ScopesSatisfying(given, e);
      return result.has_value() ? json(*result) : json();
    }
    const auto rest = RemoveGivenScopes(given, e);
    return rest.has_value() ? ExpressionToJson(*rest) : json();
  }
  error = "unknown op";
  return nullptr;
}

int AlgebraMode() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const json in = json::parse(line, nullptr, false);
    std::string error;
    const json result = in.is_discarded() ? json() : Algebra(in, error);
    if (in.is_discarded()) error = "invalid JSON";
    std::cout << (error.empty() ? Dump({{"result", result}}) : Dump({{"error", error}})) << "\n";
  }
  return 0;
}

int WorkloadMode(const std::vector<std::string>& args) {
  const std::string kind = Option(args, "--kind");
  uint64_t seed = 1;
  int size = 0;
  if (!Option(args, "--seed").empty() && !absl::SimpleAtoi(Option(args, "--seed"), &seed)) {
    return 2;
  }
  if (!Option(args, "--size").empty() && !absl::SimpleAtoi(Option(args, "--size"), &size)) {
    return 2;
  }
  Workload w;
  if (kind == "deployment") {
    w = DeploymentWorkload(size ? size : 35, 361, seed);
  } else if (kind == "large") {
    w = DeploymentWorkload(size ? size : 588, 1000, seed);
  } else if (kind == "chain") {
    w = ChainWorkload(size ? size : 1000);
  } else if (kind == "chain-points") {
    w = ChainPointsWorkload(size ? size : 1000, 200);
  } else if (kind == "levels") {
    w = LevelsWorkload(size ? size : 7800, 1000, seed);
  } else if (kind == "random") {
    std::mt19937_64 rng(seed);
    w.roles = RandomRoleSet(rng, size ? size : 8);
    for (int i = 0; i < 50; ++i) w.queries.push_back(RandomQuery(rng, w.roles));
  } else {
    std::cerr << "--kind must be deployment, large, chain, chain-points, levels or random\n";
    return 2;
  }
  std::cout << Dump(WorkloadToJson(w)) << "\n";
  return 0;
}

int Main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const std::string mode = args.empty() ? "" : args[0];
  if (mode == "expand") return ExpandOrExplain(args, /*explain=*/false);
  if (mode == "explain") return ExpandOrExplain(args, /*explain=*/true);
  if (mode == "algebra") return AlgebraMode();
  if (mode == "workload") return WorkloadMode(args);
  std::cerr << "usage: scopes_tool expand --workload FILE [--bench | --normalized] | explain "
               "--workload "
               "FILE --target SCOPE | algebra | workload --kind KIND [--seed "
               "N] [--size N]\n";
  return 2;
}

}  // namespace
}  // namespace bulwark::scopes

int main(int argc, char** argv) { return bulwark::scopes::Main(argc, argv); }
