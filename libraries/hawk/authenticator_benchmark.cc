// The request-authentication hot path: header parsing, the MAC, and whole
// Authenticate calls (client lookup through a static loader, role expansion
// through a real Resolver), plus the nonce cache on its own.
//
//   bazel run -c opt //libraries/hawk:authenticator_benchmark

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/authenticator.h"
#include "libraries/hawk/certificate.h"
#include "libraries/hawk/header.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/nonce_cache.h"
#include "libraries/hawk/signer.h"
#include "libraries/hawk/test_fixture.h"

namespace bulwark::hawk {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

Request QueueRequest() {
  Request request;
  request.resource = "/bulwark.queue.v1.Queue/CreateTask";
  request.host = "queue.bulwark.svc";
  request.port = 50052;
  return request;
}

// A client with a realistic scope set: 40 scopes, some of them roles.
std::unique_ptr<AuthenticatorFixture> Fixture() {
  std::vector<std::string> scopes;
  for (int i = 0; i < 30; ++i) {
    scopes.push_back(absl::StrCat("queue:create-task:highest:proj-", i, "/*"));
  }
  for (int i = 0; i < 10; ++i) scopes.push_back(absl::StrCat("assume:project:p", i));
  std::vector<scopes::Role> roles = {
      {"anonymous", {"queue:get-task:*"}},
      {"project:*", {"secrets:get:project/<..>/*", "queue:route:index.<..>.*"}}};
  return AuthenticatorFixture::Create(
      {{"project/ci",
        {"ci-token-0123456789abcdefghijklmnopqrstuvwxyz", scopes, kNow + absl::Hours(24)}}},
      roles, kNow, {}, /*replay_protection=*/false);
}

Credentials Ci() {
  return {"project/ci", "ci-token-0123456789abcdefghijklmnopqrstuvwxyz", "", std::nullopt};
}

void BM_ParseHeader(benchmark::State& state) {
  SimulatedClock clock(kNow);
  SeededRandom random(1);
  const std::string header = SignRequest(Ci(), QueueRequest(), clock, random).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseAuthorizationHeader(header));
  }
}
BENCHMARK(BM_ParseHeader);

void BM_CalculateMac(benchmark::State& state) {
  const Request request = QueueRequest();
  MacFields fields;
  fields.ts = "1700000000";
  fields.nonce = "abcdefghijk";
  fields.method = request.method;
  fields.resource = request.resource;
  fields.host = request.host;
  fields.port = request.port;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CalculateMac(Ci().access_token, fields));
  }
}
BENCHMARK(BM_CalculateMac);

void RunAuthenticate(benchmark::State& state, const Credentials& credentials) {
  auto fixture = Fixture();
  SeededRandom random(2);
  Request request = QueueRequest();
  request.authorization = SignRequest(credentials, request, fixture->clock, random).value();
  if (!fixture->authenticator->Authenticate(request)->ok()) {
    state.SkipWithError("the request does not authenticate");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(fixture->authenticator->Authenticate(request));
  }
}

void BM_AuthenticatePermanent(benchmark::State& state) { RunAuthenticate(state, Ci()); }
BENCHMARK(BM_AuthenticatePermanent);

void BM_AuthenticateAuthorizedScopes(benchmark::State& state) {
  Credentials restricted = Ci();
  restricted.authorized_scopes =
      std::vector<std::string>{"assume:project:p1", "queue:create-task:highest:proj-1/*"};
  RunAuthenticate(state, restricted);
}
BENCHMARK(BM_AuthenticateAuthorizedScopes);

void BM_AuthenticateTemporary(benchmark::State& state) {
  SeededRandom random(3);
  TemporaryCredentialsOptions options;
  options.start = kNow;
  options.expiry = kNow + absl::Hours(1);
  options.scopes = {"assume:project:p2", "queue:create-task:highest:proj-2/*"};
  RunAuthenticate(state, CreateTemporaryCredentials(Ci(), options, random).value());
}
BENCHMARK(BM_AuthenticateTemporary);

void BM_AuthenticateAnonymous(benchmark::State& state) {
  auto fixture = Fixture();
  const Request request = QueueRequest();
  for (auto _ : state) {
    benchmark::DoNotOptimize(fixture->authenticator->Authenticate(request));
  }
}
BENCHMARK(BM_AuthenticateAnonymous);

void BM_NonceCacheRecord(benchmark::State& state) {
  auto cache = InMemoryNonceCache::Create({}).value();
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache->Record("project/ci", "1700000000", absl::StrCat(i++), kNow,
                                           kNow + absl::Minutes(15)));
  }
  state.counters["refusals"] = static_cast<double>(cache->refusals());
}
BENCHMARK(BM_NonceCacheRecord);

}  // namespace
}  // namespace bulwark::hawk

namespace bulwark::hawk {
namespace {
void BM_ExpandClientScopes(benchmark::State& state) {
  auto fixture = Fixture();
  auto client = fixture->loader->Load("project/ci", absl::InfiniteFuture()).value();
  for (auto _ : state) {
    std::vector<std::string> input(client->scopes.begin(), client->scopes.end());
    input.emplace_back(kAnonymousRole);
    benchmark::DoNotOptimize(fixture->resolver->Expand(input));
  }
  state.counters["scopes"] = static_cast<double>(client->scopes.size());
}
BENCHMARK(BM_ExpandClientScopes);
}  // namespace
}  // namespace bulwark::hawk
