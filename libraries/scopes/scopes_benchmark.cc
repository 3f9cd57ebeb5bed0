// Google Benchmark of the resolver on the generated workloads (workload.h): a
// ~600-role deployment with 361 clients, a chain of 1,000 roles (queried at its
// start, middle and as a kleene), the same chain queried at 200 points, ~10,000
// deployment roles with 1,000 clients, and ~7,800 roles on six levels with
// 1,000 clients. Run with -c opt; results and commands are in
// docs/benchmarks.md.
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "libraries/scopes/resolver.h"
#include "libraries/scopes/workload.h"

namespace bulwark::scopes {
namespace {

const char* const kNames[] = {"deployment600", "chain1000", "chain1000x200", "roles10000",
                              "levels7800"};

const Workload& GetWorkload(int kind) {
  static const Workload* const workloads[] = {
      new Workload(DeploymentWorkload(35, 361, 1)), new Workload(ChainWorkload(1000)),
      new Workload(ChainPointsWorkload(1000, 200)), new Workload(DeploymentWorkload(588, 1000, 1)),
      new Workload(LevelsWorkload(7800, 1000, 1)),
  };
  return *workloads[kind];
}

void BM_Build(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0));
  for (auto _ : state) {
    auto resolver = Resolver::Create(w.roles);
    benchmark::DoNotOptimize(resolver);
  }
  state.SetLabel(kNames[state.range(0)]);
}

// Expanding every client (ExpandShared) on a resolver whose lazy caches are
// warm.
void BM_ExpandAllWarm(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0));
  auto resolver = Resolver::Create(w.roles);
  const auto snapshot = (*resolver)->snapshot();
  for (const auto& q : w.queries) snapshot->ExpandShared(q);
  for (auto _ : state) {
    for (const auto& q : w.queries) benchmark::DoNotOptimize(snapshot->ExpandShared(q));
  }
  state.SetItemsProcessed(state.iterations() * w.queries.size());
  state.SetLabel(kNames[state.range(0)]);
}

// The same with each client's scopes given as an ExpandedScopes made once
// beforehand, as the auth service keeps them (no sorting of the input).
void BM_ExpandAllWarmNormalized(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0));
  auto resolver = Resolver::Create(w.roles);
  const auto snapshot = (*resolver)->snapshot();
  std::vector<ExpandedScopes> queries;
  for (const auto& q : w.queries) queries.push_back(ExpandedScopes::FromScopes(q));
  for (const auto& q : queries) snapshot->ExpandShared(q);
  for (auto _ : state) {
    for (const auto& q : queries) benchmark::DoNotOptimize(snapshot->ExpandShared(q));
  }
  state.SetItemsProcessed(state.iterations() * queries.size());
  state.SetLabel(kNames[state.range(0)]);
}

// The same through Expand, which copies every scope of the answer into a
// std::string.
void BM_ExpandAllWarmStrings(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0));
  auto resolver = Resolver::Create(w.roles);
  const auto snapshot = (*resolver)->snapshot();
  for (const auto& q : w.queries) snapshot->Expand(q);
  for (auto _ : state) {
    for (const auto& q : w.queries) benchmark::DoNotOptimize(snapshot->Expand(q));
  }
  state.SetItemsProcessed(state.iterations() * w.queries.size());
  state.SetLabel(kNames[state.range(0)]);
}

// Building, then expanding every client once: nothing cached beforehand.
void BM_BuildAndExpandAllCold(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0));
  for (auto _ : state) {
    auto resolver = Resolver::Create(w.roles);
    const auto snapshot = (*resolver)->snapshot();
    for (const auto& q : w.queries) benchmark::DoNotOptimize(snapshot->ExpandShared(q));
  }
  state.SetLabel(kNames[state.range(0)]);
}

// Changing one role (16 roles spread over the set, in turn) and publishing.
void BM_UpdateOneRole(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0));
  auto resolver = Resolver::Create(w.roles);
  size_t k = 0;
  for (auto _ : state) {
    Role changed = w.roles[(k++ % 16) * w.roles.size() / 16];
    changed.scopes.push_back("bench:extra-" + std::to_string(k));
    if (!(*resolver)->UpsertRole(changed).ok()) state.SkipWithError("rejected");
  }
  state.SetLabel(kNames[state.range(0)]);
}

BENCHMARK(BM_Build)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExpandAllWarm)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExpandAllWarmNormalized)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExpandAllWarmStrings)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildAndExpandAllCold)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UpdateOneRole)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace bulwark::scopes
