// auth_load: a bounded load generator for the auth service, on loopback only. It measures the
// server's Ping and AuthenticateRequest (a freshly signed Hawk header per request, as a
// resource service would forward it) with the same concurrency, and prints one JSON line per
// method: requests per second and p50/p99 latency.
//
//   auth_load --target=127.0.0.1:50051 --credentials=.bulwark/root.json
//             [--threads=8] [--seconds=10] [--warmup-seconds=2] [--slices=1] [--route]
//
// Each method runs for --seconds in all; with --slices=N the two alternate in N slices each,
// so that load from elsewhere during the run weighs on both methods alike. With --route,
// AuthenticateRequest goes as the services send it (libraries/authn/auth_replica_router.h): to
// the replica that owns each header's nonce partition once an answer has named it, else to
// --target (each load thread has its own router and connections); the report then counts the
// requests sent to an owner directly ("routed").
//
// Refuses any target that is not 127.0.0.1 or localhost. Stops by itself after the duration.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "libraries/authn/auth_replica_router.h"
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
  std::string first_error;  // the first failure's code and message, for the report
  std::vector<double> latencies_ms;
};

// A connection of load thread `t`'s own.
std::shared_ptr<grpc::Channel> Connection(const std::string& target, int t) {
  grpc::ChannelArguments args;
  args.SetInt("grpc.channel_id", t);  // distinct connections
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

// What one load thread calls: the target, and with --route a router whose fallback is the target.
struct Stub {
  std::unique_ptr<Auth::Stub> target;
  std::unique_ptr<bulwark::AuthReplicaRouter> router;
};

std::vector<Stub> Stubs(const std::string& target, int threads, bool route) {
  std::vector<Stub> stubs;
  for (int t = 0; t < threads; ++t) {
    Stub stub;
    stub.target = Auth::NewStub(Connection(target, t));
    if (route) {
      stub.router = std::make_unique<bulwark::AuthReplicaRouter>(
          Connection(target, t),
          [t](const std::string& address) { return Connection(address, t); });
    }
    stubs.push_back(std::move(stub));
  }
  return stubs;
}

// Runs `call` from one thread per stub for `duration`, adding to `all`.
template <typename Call>
void Run(std::vector<Stub>& stubs, absl::Duration duration, Call call, Result* all) {
  std::vector<Result> per_thread(stubs.size());
  std::vector<std::thread> workers;
  absl::Time end = absl::Now() + duration;
  for (size_t t = 0; t < stubs.size(); ++t) {
    workers.emplace_back([&, t] {
      Result& r = per_thread[t];
      while (absl::Now() < end) {
        absl::Time start = absl::Now();
        std::string error = call(stubs[t]);
        r.latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
        ++r.requests;
        if (!error.empty()) {
          ++r.errors;
          if (r.first_error.empty()) r.first_error = error;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  for (Result& r : per_thread) {
    all->requests += r.requests;
    all->errors += r.errors;
    if (all->first_error.empty()) all->first_error = r.first_error;
    all->latencies_ms.insert(all->latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
}

// "" for OK, else the code and message.
std::string Failure(const grpc::Status& status) {
  if (status.ok()) return "";
  return absl::StrCat("code ", status.error_code(), ": ", status.error_message());
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
          {"first_error", r.first_error},
          {"rps", r.requests / absl::ToDoubleSeconds(duration)},
          {"p50_ms", Percentile(r.latencies_ms, 0.50)},
          {"p99_ms", Percentile(r.latencies_ms, 0.99)}};
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = bulwark::Flags::Parse(
      argc, argv, {"target", "credentials", "threads", "seconds", "warmup-seconds", "slices"},
      {"route"});
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return 2;
  }
  std::string target = flags->Get("target", "127.0.0.1:50051");
  if (target.rfind("127.0.0.1:", 0) != 0 && target.rfind("localhost:", 0) != 0) {
    std::cerr << "auth_load only targets 127.0.0.1 or localhost\n";
    return 2;
  }
  int threads = 8, seconds = 10, warmup = 2, slices = 1;
  if (!absl::SimpleAtoi(flags->Get("threads", "8"), &threads) ||
      !absl::SimpleAtoi(flags->Get("slices", "1"), &slices) || slices < 1 || slices > 100 ||
      !absl::SimpleAtoi(flags->Get("seconds", "10"), &seconds) ||
      !absl::SimpleAtoi(flags->Get("warmup-seconds", "2"), &warmup) || threads < 1 ||
      threads > 256 || seconds < 1 || seconds > 600 || warmup < 0 || warmup > 60) {
    std::cerr << "threads 1..256, seconds 1..600, warmup-seconds 0..60, slices 1..100\n";
    return 2;
  }
  const absl::StatusOr<bool> route_flag = flags->GetBool("route");
  if (!route_flag.ok()) {
    std::cerr << route_flag.status().message() << "\n";
    return 2;
  }
  const bool route = *route_flag;
  // Debian builds Abseil without NDEBUG: its deadlock detector would take a global lock per
  // lock in this process too, on the CPUs the server shares.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto creds = bulwark::LoadCredentials(flags->Get("credentials", ".bulwark/root.json"));
  if (!creds.ok()) {
    std::cerr << creds.status().message() << "\n";
    return 1;
  }
  auto target_hp = bulwark::hawk::ParseAuthority("127.0.0.1:50052");
  auto ping = [](Stub& stub) {
    grpc::ClientContext c;
    bulwark::auth::v1::PingResponse r;
    return Failure(stub.target->Ping(&c, bulwark::auth::v1::PingRequest(), &r));
  };
  auto authenticate = [&](Stub& stub) {
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
    grpc::Status status = stub.router == nullptr ? stub.target->AuthenticateRequest(&c, req, &r)
                                                 : stub.router->AuthenticateRequest(c, req, &r);
    if (!status.ok()) return Failure(status);
    if (r.status() != bulwark::auth::v1::AUTHENTICATION_STATUS_SUCCESS) {
      return "authentication failed: " + r.message();
    }
    return std::string();
  };
  // The two methods alternate in `slices` slices of equal length, so that a change in what
  // else the machine does during the run (other processes, a loaded host) weighs on both alike.
  absl::Duration d = absl::Seconds(seconds);
  auto stubs = Stubs(target, threads, route);
  Result warm, pings, authentications;
  Run(stubs, absl::Seconds(warmup), ping, &warm);
  Run(stubs, absl::Seconds(warmup), authenticate, &warm);
  for (int i = 0; i < slices; ++i) {
    Run(stubs, d / slices, ping, &pings);
    Run(stubs, d / slices, authenticate, &authentications);
  }
  std::cout << Report("Ping", pings, d, threads).dump() << "\n";
  nlohmann::json report = Report("AuthenticateRequest", authentications, d, threads);
  if (route) {
    uint64_t routed = 0, unrouted = 0;
    for (const Stub& stub : stubs) {
      routed += stub.router->routed();
      unrouted += stub.router->unrouted();
    }
    report["routed"] = static_cast<double>(routed) / static_cast<double>(routed + unrouted);
  }
  std::cout << report.dump() << "\n";
  return 0;
}
