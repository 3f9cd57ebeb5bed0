// queue_load: a bounded load generator for the queue, on loopback only, with the real auth
// service in the loop (every call is Hawk-signed and authenticated through auth).
//   1. CreateTask from --threads threads for --seconds: tasks/s, p50/p99.
//   2. ClaimWork (one task per call) from --threads workers until the tasks created in
//      step 1 are claimed or --seconds pass: claims/s, p50/p99.
//
//   queue_load --target=127.0.0.1:50052 --credentials=.bulwark/root.json
//              [--threads=8] [--seconds=10]
//
// Tasks go to a fresh queue "bench/q<random>", so runs never interfere.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/call_credentials.h"
#include "libraries/config/flags.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"
#include "nlohmann/json.hpp"

namespace {

using bulwark::queue::v1::Queue;

struct Result {
  int64_t ok = 0;
  int64_t errors = 0;
  std::vector<double> latencies_ms;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

template <typename Call>
Result Run(const std::string& target, int threads, absl::Time end, Call call) {
  std::vector<Result> per(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", t);
      auto stub = Queue::NewStub(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
      while (absl::Now() < end) {
        absl::Time start = absl::Now();
        int r = call(*stub, t);
        if (r < 0) break;  // nothing left to do
        per[t].latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
        (r > 0 ? per[t].ok : per[t].errors)++;
      }
    });
  }
  for (auto& w : workers) w.join();
  Result all;
  for (Result& r : per) {
    all.ok += r.ok;
    all.errors += r.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  return all;
}

nlohmann::json Report(const char* what, Result r, absl::Duration elapsed, int threads) {
  return {{"method", what},
          {"threads", threads},
          {"ok", r.ok},
          {"errors", r.errors},
          {"per_second", r.ok / absl::ToDoubleSeconds(elapsed)},
          {"p50_ms", Percentile(r.latencies_ms, 0.5)},
          {"p99_ms", Percentile(r.latencies_ms, 0.99)}};
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = bulwark::Flags::Parse(argc, argv, {"target", "credentials", "threads", "seconds"});
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return 2;
  }
  std::string target = flags->Get("target", "127.0.0.1:50052");
  if (target.rfind("127.0.0.1:", 0) != 0 && target.rfind("localhost:", 0) != 0) {
    std::cerr << "queue_load only targets 127.0.0.1 or localhost\n";
    return 2;
  }
  int threads = 8, seconds = 10;
  if (!absl::SimpleAtoi(flags->Get("threads", "8"), &threads) ||
      !absl::SimpleAtoi(flags->Get("seconds", "10"), &seconds) || threads < 1 || threads > 256 ||
      seconds < 1 || seconds > 600) {
    std::cerr << "threads 1..256, seconds 1..600\n";
    return 2;
  }
  auto creds = bulwark::LoadCredentials(flags->Get("credentials", ".bulwark/root.json"));
  if (!creds.ok()) {
    std::cerr << creds.status().message() << "\n";
    return 1;
  }
  auto call_creds = bulwark::HawkCallCredentials(*creds);
  std::string queue = "bench/q" + bulwark::NiceSlugid(bulwark::Random::Secure()).substr(0, 8);
  for (char& c : queue) c = static_cast<char>(std::tolower(c));
  for (char& c : queue) {
    if (c == '_') c = '-';
  }

  auto create = [&](Queue::Stub& stub, int) {
    bulwark::queue::v1::CreateTaskRequest r;
    r.set_task_id(bulwark::NiceSlugid(bulwark::Random::Secure()));
    auto* t = r.mutable_task();
    t->set_task_queue_id(queue);
    *t->mutable_created() = bulwark::ToProtoTimestamp(absl::Now());
    *t->mutable_deadline() = bulwark::ToProtoTimestamp(absl::Now() + absl::Hours(1));
    t->mutable_metadata()->set_name("bench");
    t->mutable_metadata()->set_description("load test");
    t->mutable_metadata()->set_owner("bench@example.com");
    t->mutable_metadata()->set_source("https://example.com/bench");
    grpc::ClientContext c;
    c.set_credentials(call_creds);
    bulwark::queue::v1::CreateTaskResponse out;
    return stub.CreateTask(&c, r, &out).ok() ? 1 : 0;
  };
  absl::Time start = absl::Now();
  Result created = Run(target, threads, start + absl::Seconds(seconds), create);
  absl::Duration create_time = absl::Now() - start;
  std::cout << Report("CreateTask", created, create_time, threads).dump() << "\n";

  std::atomic<int64_t> left{created.ok};
  auto claim = [&](Queue::Stub& stub, int t) {
    if (left.load() <= 0) return -1;
    bulwark::queue::v1::ClaimWorkRequest r;
    r.set_task_queue_id(queue);
    r.set_worker_group("bench");
    r.set_worker_id(absl::StrCat("w", t));
    r.set_tasks(1);
    grpc::ClientContext c;
    c.set_credentials(call_creds);
    bulwark::queue::v1::ClaimWorkResponse out;
    if (!stub.ClaimWork(&c, r, &out).ok()) return 0;
    left -= out.tasks_size();
    return out.tasks_size() > 0 ? 1 : -1;
  };
  start = absl::Now();
  Result claimed = Run(target, threads, start + absl::Seconds(seconds), claim);
  std::cout << Report("ClaimWork", claimed, absl::Now() - start, threads).dump() << "\n";
  return 0;
}
