// Benchmarks of JSON-e rendering (build with -c opt):
//   bazel run -c opt //libraries/jsone:jsone_benchmark
// Inputs are parsed once, outside the timed loops. "per_render" is the mean
// time of one render in seconds, with an SI prefix (828n is 828 ns).
//  - BM_SpecSuite: every case of the specification suite, errors included
//    (1,175 renders per iteration), through Render (JSON in, JSON out).
//  - BM_DecisionTask: a Taskcluster-style decision task
//    (testdata/decision_task.json).
//  - BM_DecisionTaskToValue: the same without converting the result to JSON.
//  - BM_DecisionTaskPrebuiltContext: the same with the Context built once.
//  - BM_DecisionTaskPushEvent: the decision task with a 20 kB GitHub push
//    event as its `event` (the template reads a few fields of it).

#include <cstdlib>
#include <iostream>
#include <vector>

#include "benchmark/benchmark.h"
#include "libraries/jsone/render.h"
#include "libraries/jsone/test_data.h"

namespace bulwark::jsone {
namespace {

const std::vector<SpecCase>& Cases() {
  static const auto* const cases = [] {
    absl::StatusOr<std::vector<SpecCase>> loaded = LoadSpecSuite();
    if (!loaded.ok()) {
      std::cerr << loaded.status() << "\n";
      std::abort();
    }
    return new std::vector<SpecCase>(*std::move(loaded));
  }();
  return *cases;
}

DecisionTask* LoadOrDie(absl::StatusOr<DecisionTask> loaded) {
  if (!loaded.ok()) {
    std::cerr << loaded.status() << "\n";
    std::abort();
  }
  return new DecisionTask(*std::move(loaded));
}

const DecisionTask& Task(bool with_push_event = false) {
  static const DecisionTask* const task = LoadOrDie(LoadDecisionTask());
  static const DecisionTask* const push_task = LoadOrDie(LoadDecisionTaskWithPushEvent());
  return with_push_event ? *push_task : *task;
}

void ReportRenders(benchmark::State& state, double renders_per_iteration) {
  // Seconds per render, shown with an SI prefix (e.g. "828n" is 828 ns).
  state.counters["per_render"] =
      benchmark::Counter(renders_per_iteration, benchmark::Counter::kIsIterationInvariantRate |
                                                    benchmark::Counter::kInvert);
}

void BM_SpecSuite(benchmark::State& state) {
  const std::vector<SpecCase>& cases = Cases();
  const absl::Time now = SpecSuiteNow();
  for (auto _ : state) {
    for (const SpecCase& c : cases) {
      absl::StatusOr<nlohmann::json> result = Render(c.tmpl, c.context, now);
      benchmark::DoNotOptimize(result);
    }
  }
  ReportRenders(state, static_cast<double>(cases.size()));
}
BENCHMARK(BM_SpecSuite);

// Renders `task` through Render, the JSON-in, JSON-out entry point.
void RenderTask(benchmark::State& state, const DecisionTask& task) {
  for (auto _ : state) {
    absl::StatusOr<nlohmann::json> result = Render(task.tmpl, task.context, task.now);
    if (!result.ok()) state.SkipWithError("render failed");
    benchmark::DoNotOptimize(result);
  }
  ReportRenders(state, 1);
}

void BM_DecisionTask(benchmark::State& state) { RenderTask(state, Task()); }
BENCHMARK(BM_DecisionTask);

void BM_DecisionTaskToValue(benchmark::State& state) {
  const DecisionTask& task = Task();
  for (auto _ : state) {
    absl::StatusOr<Value> result = RenderValue(task.tmpl, Context(task.context), task.now);
    benchmark::DoNotOptimize(result);
  }
  ReportRenders(state, 1);
}
BENCHMARK(BM_DecisionTaskToValue);

void BM_DecisionTaskPrebuiltContext(benchmark::State& state) {
  const DecisionTask& task = Task();
  const Context context(task.context);
  for (auto _ : state) {
    absl::StatusOr<nlohmann::json> result = Render(task.tmpl, context, task.now);
    benchmark::DoNotOptimize(result);
  }
  ReportRenders(state, 1);
}
BENCHMARK(BM_DecisionTaskPrebuiltContext);

void BM_DecisionTaskPushEvent(benchmark::State& state) {
  RenderTask(state, Task(/*with_push_event=*/true));
}
BENCHMARK(BM_DecisionTaskPushEvent);

}  // namespace
}  // namespace bulwark::jsone
