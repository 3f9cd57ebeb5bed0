// worker_bench: trivial tasks per second through one real worker, at each given capacity.
// Bounded and loopback only.
//
//   worker_bench [--tasks=200] [--capacities=1,4] [--repetitions=3]
//       Starts its own auth and queue servers and workers (the binaries in its runfiles) on a
//       fresh database of the PostgreSQL cluster named by BULWARK_TEST_PG_ADMIN, as the
//       integration tests do. Must run as root (the worker runs tasks as `nobody`).
//
// For each capacity and repetition: N tasks whose payload is `{"command": ["true"]}` are
// created (pending) on a pool of their own, then one worker with that capacity is started and
// the bench waits until every task is resolved. The rate is N over the span from the first
// run's `started` to the last run's `resolved`, both as the queue recorded them (so the
// worker's own start-up and the bench's polling are not counted). Every task must complete.
// Prints one JSON line per measurement, then the median per capacity.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libraries/config/flags.h"
#include "libraries/process/identity.h"
#include "libraries/proto/timestamp.h"
#include "nlohmann/json.hpp"
#include "services/worker/tests/worker_cluster.h"

namespace bulwark::worker {
namespace {

absl::StatusOr<double> Measure(WorkerCluster& cluster, int capacity, int tasks, int repetition) {
  const std::string pool = absl::StrCat("bench/c", capacity, "-r", repetition);
  std::vector<std::string> ids;
  ids.reserve(tasks);
  for (int i = 0; i < tasks; ++i) {
    auto id = cluster.CreateTask(pool, {{"command", {"true"}}, {"maxRunTime", 60}});
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  auto worker = cluster.StartWorker(pool, absl::StrCat("c", capacity, "-r", repetition),
                                    {absl::StrCat("--capacity=", capacity), "--claim-wait=2s"});
  if (!worker.ok()) return worker.status();
  absl::Time first_started = absl::InfiniteFuture();
  absl::Time last_resolved = absl::InfinitePast();
  for (const std::string& id : ids) {
    auto status = cluster.WaitResolved(id, absl::Seconds(120));
    if (!status.ok()) return status.status();
    if (status->state() != queue::v1::TASK_STATE_COMPLETED || status->runs_size() != 1) {
      return absl::InternalError("a bench task did not complete once: " + status->DebugString());
    }
    first_started = std::min(first_started, FromProtoTimestamp(status->runs(0).started()));
    last_resolved = std::max(last_resolved, FromProtoTimestamp(status->runs(0).resolved()));
  }
  (void)(*worker)->process->Terminate();
  return tasks / absl::ToDoubleSeconds(last_resolved - first_started);
}

int Main(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, {"tasks", "capacities", "repetitions"});
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return 2;
  }
  int tasks = 200;
  int repetitions = 3;
  std::vector<int> capacities;
  if (!absl::SimpleAtoi(flags->Get("tasks", "200"), &tasks) || tasks < 1 || tasks > 10000 ||
      !absl::SimpleAtoi(flags->Get("repetitions", "3"), &repetitions) || repetitions < 1 ||
      repetitions > 20) {
    std::cerr << "--tasks must be 1..10000 and --repetitions 1..20\n";
    return 2;
  }
  for (absl::string_view c : absl::StrSplit(flags->Get("capacities", "1,4"), ',')) {
    int capacity = 0;
    if (!absl::SimpleAtoi(c, &capacity) || capacity < 1 || capacity > 64) {
      std::cerr << "--capacities must be a list of 1..64\n";
      return 2;
    }
    capacities.push_back(capacity);
  }
  if (!process::IsRoot()) {
    std::cerr << "worker_bench runs workers, which run tasks as another user: run it as root\n";
    return 2;
  }
  if (std::getenv("TEST_SRCDIR") == nullptr) {
    // Absolute: the servers and workers are started from other directories.
    char* self = realpath(argv[0], nullptr);
    if (self == nullptr) {
      std::cerr << "cannot resolve " << argv[0] << "\n";
      return 1;
    }
    setenv("TEST_SRCDIR", absl::StrCat(self, ".runfiles").c_str(), 1);
    free(self);
  }
  auto cluster = WorkerCluster::Start();
  if (!cluster.ok()) {
    std::cerr << "starting auth and queue: " << cluster.status() << "\n";
    return 1;
  }
  std::vector<std::vector<double>> rates(capacities.size());
  // Alternate capacities within each repetition, so both see the same machine.
  for (int r = 0; r < repetitions; ++r) {
    for (size_t c = 0; c < capacities.size(); ++c) {
      auto rate = Measure(**cluster, capacities[c], tasks, r);
      if (!rate.ok()) {
        std::cerr << "capacity " << capacities[c] << ": " << rate.status() << "\n";
        return 1;
      }
      rates[c].push_back(*rate);
      std::cout << nlohmann::json{{"capacity", capacities[c]},
                                  {"tasks", tasks},
                                  {"repetition", r},
                                  {"tasks_per_s", *rate}}
                       .dump()
                << std::endl;
    }
  }
  for (size_t c = 0; c < capacities.size(); ++c) {
    std::sort(rates[c].begin(), rates[c].end());
    std::cout << "capacity " << capacities[c] << ": median " << rates[c][rates[c].size() / 2]
              << " tasks/s over " << repetitions << " runs of " << tasks << " tasks\n";
  }
  return 0;
}

}  // namespace
}  // namespace bulwark::worker

int main(int argc, char** argv) { return bulwark::worker::Main(argc, argv); }
