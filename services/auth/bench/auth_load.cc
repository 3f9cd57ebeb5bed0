// auth_load: a bounded load generator for the auth service, on loopback only. It measures the
// server's Ping and AuthenticateRequest (a freshly signed Hawk header per request, as a
// resource service would forward it) with the same concurrency, and prints one JSON line per
// method: requests per second and p50/p99 latency.
//
//   auth_load --target=127.0.0.1:50051 --credentials=.bulwark/root.json
//             [--threads=8] [--seconds=10] [--warmup-seconds=2]
//
// Refuses any target that is not 127.0.0.1 or localhost. Stops by itself after the duration.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "libraries/client/call_credentials.h"
#include "libraries/config/flags.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "nlohmann/json.hpp"

namespace {

using bulwark::auth::v1::Auth;

struct Result {
  int64_t requests = 0;
  int64_t errors = 0;
  std::vector<double> latencies_ms;
};

// Runs `call` from `threads` threads for `duration`; each thread has its own channel.
template <typename Call>
Result Run(const std::string& target, int threads, absl::Duration duration, Call call) {
  std::vector<Result> per_thread(threads);
  std::vector<std::thread> workers;
  absl::Time end = absl::Now() + duration;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", t);  // distinct connections
      auto stub = Auth::NewStub(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
      Result& r = per_thread[t];
      while (absl::Now() < end) {
        absl::Time start = absl::Now();
        bool ok = call(*stub);
        r.latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
        ++r.requests;
        if (!ok) ++r.errors;
      }
    });
  }
  for (auto& w : workers) w.join();
  Result all;
  for (Result& r : per_thread) {
    all.requests += r.requests;
    all.errors += r.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  return all;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

nlohmann::json Report(const char* method, Result r, absl::Duration duration, int threads) {
  return {{"method", method},
          {"threads", threads},
          {"requests", r.requests},
          {"errors", r.errors},
          {"rps", r.requests / absl::ToDoubleSeconds(duration)},
          {"p50_ms", Percentile(r.latencies_ms, 0.50)},
          {"p99_ms", Percentile(r.latencies_ms, 0.99)}};
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = bulwark::Flags::Parse(
      argc, argv, {"target", "credentials", "threads", "seconds", "warmup-seconds"});
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return 2;
  }
  std::string target = flags->Get("target", "127.0.0.1:50051");
  if (target.rfind("127.0.0.1:", 0) != 0 && target.rfind("localhost:", 0) != 0) {
    std::cerr << "auth_load only targets 127.0.0.1 or localhost\n";
    return 2;
  }
  int threads = 8, seconds = 10, warmup = 2;
  if (!absl::SimpleAtoi(flags->Get("threads", "8"), &threads) ||
      !absl::SimpleAtoi(flags->Get("seconds", "10"), &seconds) ||
      !absl::SimpleAtoi(flags->Get("warmup-seconds", "2"), &warmup) || threads < 1 ||
      threads > 256 || seconds < 1 || seconds > 600 || warmup < 0 || warmup > 60) {
    std::cerr << "threads 1..256, seconds 1..600, warmup-seconds 0..60\n";
    return 2;
  }
  auto creds = bulwark::LoadCredentials(flags->Get("credentials", ".bulwark/root.json"));
  if (!creds.ok()) {
    std::cerr << creds.status().message() << "\n";
    return 1;
  }
  auto target_hp = bulwark::hawk::ParseAuthority("127.0.0.1:50052");
  auto ping = [](Auth::Stub& stub) {
    grpc::ClientContext c;
    bulwark::auth::v1::PingResponse r;
    return stub.Ping(&c, bulwark::auth::v1::PingRequest(), &r).ok();
  };
  auto authenticate = [&](Auth::Stub& stub) {
    // What the queue forwards for a CreateTask call signed by the caller: the body is under
    // the MAC, so the queue passes the payload hash of the bytes it received.
    const std::string body = "\n\026bench-task-0000000000";
    bulwark::hawk::Request request;
    request.resource = "/bulwark.queue.v1.Queue/CreateTask";
    request.host = target_hp->host;
    request.port = target_hp->port;
    request.payload_hash = bulwark::hawk::GrpcPayloadHash(body);
    bulwark::auth::v1::AuthenticateRequestRequest req;
    req.set_resource(request.resource);
    req.set_authority("127.0.0.1:50052");
    req.set_payload_hash(*request.payload_hash);
    req.set_authorization(*bulwark::hawk::SignRequest(*creds, request, bulwark::Clock::Real(),
                                                      bulwark::Random::Secure()));
    grpc::ClientContext c;
    bulwark::auth::v1::AuthenticateRequestResponse r;
    return stub.AuthenticateRequest(&c, req, &r).ok() &&
           r.status() == bulwark::auth::v1::AUTHENTICATION_STATUS_SUCCESS;
  };
  absl::Duration d = absl::Seconds(seconds);
  Run(target, threads, absl::Seconds(warmup), ping);
  std::cout << Report("Ping", Run(target, threads, d, ping), d, threads).dump() << "\n";
  Run(target, threads, absl::Seconds(warmup), authenticate);
  std::cout
      << Report("AuthenticateRequest", Run(target, threads, d, authenticate), d, threads).dump()
      << "\n";
  return 0;
}
