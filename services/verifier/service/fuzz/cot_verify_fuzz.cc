// Fuzz target: the verifier's reading of a downloaded chain-of-trust body
// (services/verifier/service/verifier_engine.cc: cot.format, cot.run, cot.task-definition and
// the artifact checks that use the signed hashes), through the whole engine.
//
// A passing chain is built once in a FakeChainSource (chain_builder.h): a hook fire's decision
// task, a build task and a signing task that consumes the build's artifact. Each input replaces
// the build's public/chain-of-trust.json, signed with the build worker's real key so that the
// signature passes and the bytes reach the parser. The first byte says how the rest is used:
//   0     the whole body, as downloaded
//   other a JSON merge patch (RFC 7386) applied to the valid body, re-serialized as the worker
//         would: mutations then reach the checks behind the JSON parser
//
// Properties checked, beyond "no crash": VerifyTask never fails as a call (a malformed body is a
// failing check, not an error); every check of the valid chain is reported again (none is
// skipped because another failed); the report is deterministic; and a PASS implies the body
// signs exactly the run and task of the valid one (taskId, runId, workerGroup, workerId, task
// equal) and the consumed artifact's true hash. (Signed artifacts no task consumes are not
// checked against anything: the first campaign's finding, kept as
// corpus/cot_verify_fuzz/regression-unconsumed-artifact.)
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "libraries/hookfire/firing.h"
#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"
#include "services/verifier/service/chain_builder.h"
#include "services/verifier/service/fake_chain_source.h"
#include "services/verifier/service/report.h"
#include "services/verifier/service/task_normalizer.h"
#include "services/verifier/service/verifier_engine.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;

constexpr char kRepo[] = "https://git.example.com/fuzz/app";
constexpr char kApp[] = "public/build/app.tar.gz";
const absl::Time kFired = absl::FromUnixSeconds(1780000000);

json TaskJson(const std::string& name, const std::string& pool, const std::string& group) {
  return {{"taskQueueId", pool},
          {"taskGroupId", group},
          {"created", hookfire::IsoMillis(kFired + absl::Minutes(1))},
          {"deadline", hookfire::IsoMillis(kFired + absl::Hours(24))},
          {"payload", {{"command", {"make", name}}, {"maxRunTime", 3600}}},
          {"metadata",
           {{"name", name},
            {"description", "a fuzz task"},
            {"owner", "fuzz@example.com"},
            {"source", absl::StrCat(kRepo, "/tree/main")}}}};
}

struct Chain {
  SimulatedClock clock{kFired};
  FakeChainSource source{clock};
  ChainBuilder builder{source};
  FakeWorker decision = FakeWorker::Make("fuzz/decision", 1);
  FakeWorker build = FakeWorker::Make("fuzz/build", 2);
  FakeWorker signing = FakeWorker::Make("fuzz/signing", 3);
  std::string build_id, signing_id;
  std::string valid_body;
  std::unique_ptr<VerifierEngine> engine;
  std::vector<std::string> check_names;  // of the valid chain's report
};

json PolicyJson(const Chain& c) {
  auto key = [](const char* id, const FakeWorker& w) {
    return json{{"id", id},
                {"publicKey", w.PublicKeyBase64()},
                {"pools", {w.pool}},
                {"notBefore", "2026-01-01T00:00:00Z"},
                {"notAfter", "2099-01-01T00:00:00Z"}};
  };
  return {{"version", "fuzz"},
          {"workerKeys",
           {key("decision", c.decision), key("build", c.build), key("signing", c.signing)}},
          {"decisionPools", {"fuzz/decision"}},
          {"taskTypes",
           {{"decision", {{"pools", {"fuzz/decision"}}}},
            {"build", {{"pools", {"fuzz/build"}}}},
            {"signing", {{"pools", {"fuzz/signing"}}}}}},
          {"hooks", {{"fuzz/release", {{"repository", {{"pointer", "/payload/repository"}}}}}}},
          {"trustedRepositories", {{{"prefix", kRepo}, {"path", "fuzz/app"}}}},
          {"restrictedScopes", {{"project:fuzz:signing:*", "release"}}},
          {"aliases", {{"release", {kRepo}}}}};
}

std::vector<std::string> CheckNames(const VerificationReport& r) {
  std::vector<std::string> out;
  for (const LinkReport& l : r.links) {
    for (const CheckResult& c : l.checks) out.push_back(l.name + "/" + c.name);
  }
  for (const CheckResult& c : r.chain_checks) out.push_back("/" + c.name);
  return out;
}

VerificationReport Verify(const Chain& c) {
  absl::StatusOr<VerificationReport> report = c.engine->VerifyTask(
      c.signing_id, "signing", c.clock.Now() + absl::Minutes(10), RootMode::kCompleted);
  FUZZ_CHECK(report.ok()) << "VerifyTask failed as a call: " << report.status();
  return *std::move(report);
}

Chain& TheChain() {
  static Chain* chain = [] {
    auto* c = new Chain();
    SeededRandom random(17);
    const std::string decision_id = NiceSlugid(random);
    c->build_id = NiceSlugid(random);
    c->signing_id = NiceSlugid(random);
    json hook = {{"hookGroupId", "fuzz"}, {"hookId", "release"}};
    hook["task"] = TaskJson("decision", "fuzz/decision", "${taskId}");
    hook["task"]["metadata"]["source"] = "${payload.repository}/tree/main";
    hookfire::FireContext fire{"triggerHook", {{"repository", kRepo}}, "fuzz", kFired, decision_id};
    FUZZ_CHECK(c->builder.FireHook(hook, fire).ok());
    json build = TaskJson("build", "fuzz/build", decision_id);
    json signing = TaskJson("signing", "fuzz/signing", decision_id);
    signing["scopes"] = {"project:fuzz:signing:cert:release"};
    signing["payload"]["upstreamArtifacts"] = {
        {{"taskId", c->build_id}, {"taskType", "build"}, {"paths", {kApp}}}};
    json graph = {{c->build_id, {{"task", build}}}, {c->signing_id, {{"task", signing}}}};
    FUZZ_CHECK(c->builder.CreateTask(c->build_id, build, "task-client", {}).ok());
    FUZZ_CHECK(c->builder.CreateTask(c->signing_id, signing, "task-client", {}).ok());
    FUZZ_CHECK(c->builder
                   .RunTask(decision_id, c->decision, {{kTaskGraphArtifact, graph.dump(2)}},
                            kFired + absl::Minutes(5))
                   .ok());
    FUZZ_CHECK(
        c->builder.RunTask(c->build_id, c->build, {{kApp, "app"}}, kFired + absl::Minutes(10))
            .ok());
    FUZZ_CHECK(c->builder
                   .RunTask(c->signing_id, c->signing, {{"public/app.sig", "s"}},
                            kFired + absl::Minutes(20))
                   .ok());
    c->clock.Set(kFired + absl::Hours(1));
    absl::StatusOr<Policy> policy = Policy::Parse(PolicyJson(*c).dump());
    FUZZ_CHECK(policy.ok()) << policy.status();
    c->engine = std::make_unique<VerifierEngine>(std::make_shared<const Policy>(*std::move(policy)),
                                                 c->source, c->clock, QueueTaskNormalizer());
    c->valid_body = *c->source.Artifact(c->build_id, 0, kChainOfTrustArtifact);
    VerificationReport valid = Verify(*c);
    FUZZ_CHECK(valid.passed) << ReportToText(valid);
    c->check_names = CheckNames(valid);
    return c;
  }();
  return *chain;
}

}  // namespace
}  // namespace bulwark::verifier

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::verifier;  // NOLINT(build/namespaces): a fuzz entry point
  Chain& c = TheChain();
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] != 0) {
    json patch = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (patch.is_discarded()) return 0;
    json doc = json::parse(c.valid_body);
    doc.merge_patch(patch);
    body = doc.dump(2, ' ', false) + "\n";
  }
  c.source.PutArtifact(c.build_id, 0, kChainOfTrustArtifact, body);
  c.source.PutArtifact(c.build_id, 0, kChainOfTrustSignatureArtifact, *c.build.key.Sign(body));

  const VerificationReport report = Verify(c);
  FUZZ_CHECK(CheckNames(report) == c.check_names) << "a check was skipped or added";
  FUZZ_CHECK(ReportToText(Verify(c)) == ReportToText(report)) << "not deterministic";
  if (report.passed) {
    const json signed_doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    const json valid = json::parse(c.valid_body);
    FUZZ_CHECK(signed_doc.is_object()) << body;
    for (const char* field : {"taskId", "runId", "workerGroup", "workerId", "task"}) {
      FUZZ_CHECK(signed_doc.contains(field) && signed_doc[field] == valid[field])
          << "PASS with " << field << " changed: " << body;
    }
    // Of the signed artifacts, those a later task consumes are checked against their bytes;
    // others may be listed differently (a worker's key signs them; nothing downstream uses them).
    FUZZ_CHECK(signed_doc["artifacts"].is_object() &&
               signed_doc["artifacts"].value(kApp, json()) == valid["artifacts"][kApp])
        << "PASS with the consumed artifact's hash changed: " << body;
  }
  return 0;
}
