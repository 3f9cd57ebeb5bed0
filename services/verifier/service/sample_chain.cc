#include "services/verifier/service/sample_chain.h"

#include "absl/strings/str_cat.h"
#include "libraries/crypto/random.h"
#include "libraries/hookfire/firing.h"
#include "libraries/status/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/verifier/service/policy.h"
#include "services/verifier/service/task_normalizer.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;

constexpr char kRepo[] = "https://git.example.com/sample/app";
const absl::Time kFired = absl::FromUnixSeconds(1780000000);

json PolicyJson(const SampleChain& c) {
  auto key = [](const char* id, const FakeWorker& w) {
    return json{{"id", id},
                {"publicKey", w.PublicKeyBase64()},
                {"pools", {w.pool}},
                {"notBefore", "2026-01-01T00:00:00Z"},
                {"notAfter", "2099-01-01T00:00:00Z"}};
  };
  return {{"version", "sample"},
          {"maxLinks", 100},
          {"workerKeys",
           {key("decision", c.decision), key("build", c.build), key("signing", c.signing)}},
          {"decisionPools", {c.decision.pool}},
          {"taskTypes",
           {{"decision", {{"pools", {c.decision.pool}}}},
            {"build", {{"pools", {c.build.pool}}}},
            {"signing", {{"pools", {c.signing.pool}}}}}},
          {"hooks", {{"sample/release", {{"repository", {{"pointer", "/payload/repository"}}}}}}},
          {"trustedRepositories", {{{"prefix", kRepo}, {"path", "sample/app"}}}},
          {"restrictedScopes", {{"project:sample:signing:*", "release"}}},
          {"aliases", {{"release", {kRepo}}}}};
}

json TaskJson(const std::string& name, const std::string& pool, const std::string& group) {
  return {{"taskQueueId", pool},
          {"taskGroupId", group},
          {"created", hookfire::IsoMillis(kFired + absl::Minutes(1))},
          {"deadline", hookfire::IsoMillis(kFired + absl::Hours(24))},
          {"payload", {{"command", {"make", name}}, {"maxRunTime", 3600}}},
          {"metadata",
           {{"name", name},
            {"description", "a sample task"},
            {"owner", "sample@example.com"},
            {"source", absl::StrCat(kRepo, "/tree/main")}}}};
}

}  // namespace

absl::StatusOr<std::unique_ptr<SampleChain>> SampleChain::Make(
    const std::vector<std::pair<std::string, std::string>>& build_artifacts) {
  auto c = std::make_unique<SampleChain>();
  c->clock.Set(kFired);
  SeededRandom random(11);
  const std::string decision_id = NiceSlugid(random);
  json hook = {{"hookGroupId", "sample"}, {"hookId", "release"}};
  hook["task"] = TaskJson("decision", c->decision.pool, "${taskId}");
  hook["task"]["metadata"]["source"] = "${payload.repository}/tree/main";
  hookfire::FireContext fire{"triggerHook", {{"repository", kRepo}}, "sample", kFired, decision_id};
  BULWARK_RETURN_IF_ERROR(c->builder.FireHook(hook, fire).status());

  json graph = json::object();
  json consumed = json::array();
  for (size_t i = 0; i < build_artifacts.size(); ++i) {
    c->build_ids.push_back(NiceSlugid(random));
    json task = TaskJson(absl::StrCat("build-", i), c->build.pool, decision_id);
    graph[c->build_ids.back()] = {{"task", task}};
    BULWARK_RETURN_IF_ERROR(
        c->builder.CreateTask(c->build_ids.back(), task, "task-client", {}).status());
    consumed.push_back({{"taskId", c->build_ids.back()},
                        {"taskType", "build"},
                        {"paths", {build_artifacts[i].first}}});
  }
  c->signing_id = NiceSlugid(random);
  json signing = TaskJson("signing", c->signing.pool, decision_id);
  signing["scopes"] = {"project:sample:signing:cert:release"};
  signing["dependencies"] = c->build_ids;
  signing["payload"]["upstreamArtifacts"] = consumed;
  graph[c->signing_id] = {{"task", signing}};
  BULWARK_RETURN_IF_ERROR(
      c->builder.CreateTask(c->signing_id, signing, "task-client", {}).status());

  BULWARK_RETURN_IF_ERROR(c->builder.RunTask(
      decision_id, c->decision, {{kTaskGraphArtifact, graph.dump(2)}}, kFired + absl::Minutes(5)));
  for (size_t i = 0; i < build_artifacts.size(); ++i) {
    BULWARK_RETURN_IF_ERROR(c->builder.RunTask(c->build_ids[i], c->build, {build_artifacts[i]},
                                               kFired + absl::Minutes(10)));
  }
  BULWARK_RETURN_IF_ERROR(c->builder.RunTask(
      c->signing_id, c->signing, {{"public/release.sig", "s"}}, kFired + absl::Minutes(20)));
  c->clock.Set(kFired + absl::Hours(1));
  BULWARK_ASSIGN_OR_RETURN(Policy policy, Policy::Parse(PolicyJson(*c).dump()));
  c->engine = std::make_unique<VerifierEngine>(std::make_shared<const Policy>(std::move(policy)),
                                               c->source, c->clock, QueueTaskNormalizer());
  return c;
}

absl::StatusOr<VerificationReport> SampleChain::Verify() const {
  return engine->VerifyTask(signing_id, "signing", clock.Now() + absl::Minutes(10),
                            RootMode::kCompleted);
}

}  // namespace bulwark::verifier
