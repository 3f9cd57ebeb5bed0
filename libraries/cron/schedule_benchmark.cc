// Benchmarks of Schedule::Parse and Schedule::Next (`bazel run -c opt
// //libraries/cron:schedule_benchmark`). Next walks months and days, so its
// cost grows with the number of days it must skip, not with the number of
// seconds.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "libraries/cron/schedule.h"

namespace bulwark::cron {
namespace {

const char* const kPatterns[] = {
    "* * * * * *",       // every second
    "*/5 * * * *",       // every five minutes
    "0 0 1 * * *",       // daily at 01:00
    "0 0 9,21 * * 1-5",  // twice on weekdays
    "0 0 L * 5L",        // last day of the month or its last Friday
    "0 0 29 2 *",        // leap days: up to 8 years ahead
    "0 0 * 2 1#5",       // fifth Monday of February: decades ahead
};

void BM_Parse(benchmark::State& state) {
  const std::string pattern = kPatterns[state.range(0)];
  state.SetLabel(pattern);
  for (auto _ : state) {
    benchmark::DoNotOptimize(Schedule::Parse(pattern));
  }
}
BENCHMARK(BM_Parse)->DenseRange(0, 6);

// Next from successive results, so each call starts from a slot like the
// scheduler does.
void BM_Next(benchmark::State& state) {
  const Schedule schedule = Schedule::Parse(kPatterns[state.range(0)]).value();
  state.SetLabel(schedule.pattern());
  const absl::Time start = absl::FromUnixSeconds(1704067200);  // 2024-01-01
  absl::Time t = start;
  int steps = 0;
  for (auto _ : state) {
    const std::optional<absl::Time> next = schedule.Next(t);
    benchmark::DoNotOptimize(next);
    // Restart every 64 steps so that t stays within a few thousand years.
    t = ++steps % 64 == 0 ? start : *next;
  }
}
BENCHMARK(BM_Next)->DenseRange(0, 6);

void BM_NextOf(benchmark::State& state) {
  const std::vector<Schedule> schedules =
      ParseSchedules({"0 0 9,21 * * 1-5", "0 0 12 * * 0,6", "@monthly"}).value();
  absl::Time t = absl::FromUnixSeconds(1704067200);
  for (auto _ : state) {
    t = NextOf(schedules, t).value();
  }
}
BENCHMARK(BM_NextOf);

}  // namespace
}  // namespace bulwark::cron
