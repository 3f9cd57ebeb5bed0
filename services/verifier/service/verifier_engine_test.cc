// Tests of VerifierEngine on realistic chains built in a FakeChainSource: a decision task fired by
// a hook (rendered by the hooks service's own renderer), a build task and a signing task that
// consumes the build's artifacts, each run by a worker that signs its chain-of-trust with a real
// Ed25519 key. Each test breaks one thing and asserts the exact set of failing checks, so that
// every other check is shown to have run and passed.
//
// Scriptworker's negative cases (reference chain-of-trust.md §8) and where they stand here:
//
// Chain shape
//  - get_link finding none or several; a link's task/cot set twice: not applicable (links are
//    kept by taskId in one map; nothing is set twice).
//  - CoT taskId mismatch: SignedTaskIdDiffers (cot.run).
//  - unknown task-type name: UnknownRootTaskType (policy.pool); malformed upstream taskType:
//    UpstreamArtifactsMalformed (payload.upstream-artifacts).
//  - recursion past max_chain_length: ChainOverDepthLimit, ChainOverLinkLimit (chain.length).
//  - a failed task fetch: TaskFetchFailsIsReportedNotAborted (link.fetch),
//    DeadlineExceededIsReported.
// Worker implementation
//  - no match / conflicting matches / scriptworker-type task on another worker: not applicable.
//    Bulwark has one worker implementation; keys are bound to pools, and the pool comes from the
//    queue's taskQueueId, not guessed from the payload. The analogue is policy.pool:
//    BuildOnPoolNotAllowedForItsType, DecisionOnNonDecisionPool, SignatureByKeyOfAnotherPool.
// Interactive
//  - docker-worker features.interactive, TASKCLUSTER_INTERACTIVE, malformed payload;
//    generic-worker rdpInfo, allow-rdp scope: InteractiveFeatureRejected (each variant,
//    policy.not-interactive), including a non-object payload.features/env.
// Docker image
//  - wrong/missing image sha, inputs.docker-image mismatch, prebuilt/indexed images, unknown
//    image type: not applicable. Bulwark's worker payload has no docker image; inputs a task
//    consumes are upstreamArtifacts, covered by artifact.sha256.
// Downloads and hashes
//  - CoT download failure: CotMissing (cot.fetch); an artifact that cannot be streamed:
//    ArtifactStreamFails.
//  - optional paths failing are tolerated: OptionalArtifactNotProduced.
//  - sha mismatch: ArtifactBytesReplaced, WorkerSignedAWrongHash, SignedHashEditedAfterSigning.
//  - illegal hash algorithm: CotFormatRejectsOtherHashAlgorithms (cot.format; only sha256).
//  - path missing from the CoT: RequiredArtifactNotProduced.
//  - a failed mandatory artifact: ArtifactStreamFails.
// Signatures
//  - nonexistent file: CotSignatureMissing; wrong key: SignatureByKeyOfAnotherPool, and
//    KeyOutsideValidityWindow (stronger: keys have windows).
//  - a good key anywhere in the list is accepted: KeyRotationOverlapAcceptsEitherKey.
//  - checks skipped when turned off: not applicable (signatures are always checked).
//  - bad base64 pubkey: policy_test PublicKeyNotCanonicalBase64 (rejected at load).
//  - the CLI rejecting a bad signature: SignedHashEditedAfterSigning (cot.signature).
// Task graph
//  - task missing from the graph: TaskMissingFromGraph; a field that differs:
//    TaskDiffersFromGraph; extra dependency: TaskDependencyNotInGraph (whole definitions are
//    compared, so any extra dependency is a difference). Missing task-graph.json and a graph whose
//    bytes changed: TaskGraphMissing, TaskGraphBytesReplaced.
// Parent rebuild
//  - unknown tasks_for / project / bad hg-push comment / unsupported VCS host / scm level: not
//    applicable (no .taskcluster.yml fetched from a VCS; the decision is rebuilt from the recorded
//    hook version and firing context instead).
//  - json-e render error: RerenderErrorIsReported; a rebuilt definition that differs:
//    FireRecordsADifferentHookVersion, DecisionDefinitionChangedInQueue.
//  - actions (no action for the callback, kind not hook, broken template, ACTION_TASK_GROUP_ID):
//    not applicable yet (Bulwark has no action tasks; a future action hook would be one more hook
//    in the policy).
//  - a decision task on a bad pool: DecisionOnNonDecisionPool.
// Tree tracing
//  - source URL != repository: SourceNotAtFiredRevision, SourceOutsideFiredRepository
//    (decision.source); SameRepositoryViolated (policy.same-repository).
//  - root on try / pull requests: not applicable as such; a pull-request hook would be a hook the
//    policy lists with an untrusted repository, covered by UntrustedRepositoryWithRestrictedScope
//    and TrustedRepositoryNotInAlias.
//  - a sibling from an untrusted repo: SameRepositoryViolated; a link from another graph from an
//    unknown repo while restricted scopes are held: ForeignGraphTest.FromUntrustedRepository.
//  - a scope matching two restricted patterns: rejected when the policy loads
//    (policy_test OverlappingRestrictedScope*).
// Top-level wrapper (KeyError/TypeError become CoTError): not applicable; nothing throws, and
//  malformed documents are failing checks (CotNotJson, TaskGraphNotJson).
// Generation (missing config key, unreadable schema): the worker's side, not this library.
// generic-worker (key readable by the task, reserved artifact names): the worker's side.
//
// Also covered (Bulwark's own checks): decision created directly by a client, hook template
// changed after the fire, upstreamArtifacts cycles, signed runId/workerId, before-run mode,
// latest completed run, streaming and bounded concurrency.

#include "services/verifier/service/verifier_engine.h"

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "services/verifier/service/chain_builder.h"
#include "services/verifier/service/checks.h"
#include "services/verifier/service/fake_chain_source.h"
#include "services/verifier/service/task_normalizer.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) ADD_FAILURE() << err;
  return t;
}

std::string Sha256Hex(const std::string& bytes) {
  return absl::BytesToHexString(crypto::Sha256(bytes));
}

constexpr char kRepo[] = "https://git.example.com/proj/app";
constexpr char kRevision[] = "0123abcd";
constexpr char kRestrictedScope[] = "project:proj:signing:cert:release";
constexpr char kTarball[] = "public/build/app.tar.gz";
constexpr char kChecksums[] = "public/build/checksums.txt";

// What to build, and what to break while building it.
struct Scenario {
  std::string repository = kRepo;
  std::string revision = kRevision;
  bool cron = false;                    // fire the nightly cron hook instead of on-push
  bool fire_hook = true;                // false: a client creates the decision task directly
  bool run_signing = true;              // false: the signing task has not run (before-run mode)
  bool with_toolchain = false;          // the build consumes a toolchain built in the same graph
  bool build_consumes_signing = false;  // an upstreamArtifacts cycle
  std::function<void(json& tmpl)> edit_template;
  std::function<void(json& task)> edit_build;    // before creation (queue and graph agree)
  std::function<void(json& task)> edit_signing;  // before creation
  std::function<void(json& graph)> edit_graph;   // the decision's task-graph.json
  RunOptions decision_run;
  RunOptions build_run;
  RunOptions signing_run;
  std::string build_pool = "proj-3/build";
  const FakeWorker* build_worker = nullptr;
  const FakeWorker* decision_worker = nullptr;
};

// Builds chains and verifies them; a test fixture, and usable on its own for a fresh chain.
class ChainFixture {
 public:
  ChainFixture() {
    SeededRandom random(7);
    decision_id_ = NiceSlugid(random);
    build_id_ = NiceSlugid(random);
    signing_id_ = NiceSlugid(random);
    toolchain_id_ = NiceSlugid(random);
    other_decision_id_ = NiceSlugid(random);
    other_build_id_ = NiceSlugid(random);
  }

  json PolicyJson() const {
    auto key = [](const char* id, const FakeWorker& w, std::vector<std::string> pools) {
      return json{{"id", id},
                  {"publicKey", w.PublicKeyBase64()},
                  {"pools", pools},
                  {"notBefore", "2024-01-01T00:00:00Z"},
                  {"notAfter", "2025-01-01T00:00:00Z"}};
    };
    return {
        {"version", 3},
        {"workerKeys",
         {key("decision-2024", decision_worker_, {"proj-3/decision"}),
          key("build-2024", build_worker_, {"proj-3/build"}),
          key("signing-2024", signing_worker_, {"proj-3/signing"}),
          key("level1-2024", level1_worker_, {"proj-1/build"})}},
        {"decisionPools", {"proj-3/decision"}},
        {"taskTypes",
         {{"decision", {{"pools", {"proj-3/decision"}}}},
          {"build", {{"pools", {"proj-3/build", "proj-1/build"}}}},
          {"signing", {{"pools", {"proj-3/signing"}}}}}},
        {"hooks",
         {{"proj/on-push",
           {{"repository", {{"pointer", "/payload/repository"}}},
            {"revision", {{"pointer", "/payload/revision"}}}}},
          {"proj/nightly", {{"repository", {{"value", kRepo}}}}}}},
        {"trustedRepositories",
         {{{"prefix", kRepo}, {"path", "proj/app"}},
          {{"prefix", "https://git.example.com/proj/playground"}, {"path", "proj/playground"}}}},
        {"restrictedScopes", {{kRestrictedScope, "release"}}},
        {"aliases", {{"release", {kRepo}}}},
    };
  }

  std::unique_ptr<VerifierEngine> Engine(const json& policy_json,
                                         const VerifierOptions& options = {}) {
    absl::StatusOr<Policy> policy = Policy::Parse(policy_json.dump());
    EXPECT_TRUE(policy.ok()) << policy.status();
    return std::make_unique<VerifierEngine>(std::make_shared<const Policy>(*std::move(policy)),
                                            source_, clock_, QueueTaskNormalizer(), options);
  }
  std::unique_ptr<VerifierEngine> Engine() { return Engine(PolicyJson()); }

  json HookVersion(const Scenario& s) const {
    json tmpl = {
        {"provisionerId", "proj-3"},
        {"workerType", "decision"},
        {"deadline", {{"$fromNow", "1 day"}}},
        {"scopes", {"assume:repo:git.example.com/proj/app:branch:main"}},
        {"payload",
         {{"command", {"decide", "--revision", "${payload.revision}"}},
          {"env", {{"REPOSITORY", "${payload.repository}"}}},
          {"maxRunTime", 600}}},
        {"metadata",
         {{"name", "decision"},
          {"description", "the decision task of a push"},
          {"owner", "ci@example.com"},
          {"source", "${payload.repository}/raw/${payload.revision}/.taskcluster.yml"}}},
        {"extra", {{"tasksFor", "push"}}},
    };
    json version = {{"hookGroupId", "proj"}, {"hookId", "on-push"}};
    if (s.cron) {
      version["hookId"] = "nightly";
      tmpl["payload"] = {{"command", {"decide", "--nightly"}}, {"maxRunTime", 600}};
      tmpl["metadata"]["source"] = absl::StrCat(kRepo, "/raw/main/.taskcluster.yml");
      tmpl["extra"] = {{"tasksFor", "cron"}};
    }
    if (s.edit_template) s.edit_template(tmpl);
    version["task"] = tmpl;
    return version;
  }

  hookfire::FireContext Fire(const Scenario& s, const std::string& task_id) const {
    if (s.cron) return {"schedule", json(), "", fire_time_, task_id};
    return {"triggerHook",
            {{"repository", s.repository}, {"revision", s.revision}},
            "git-webhook",
            fire_time_,
            task_id};
  }

  std::string Source(const Scenario& s) const {
    return absl::StrCat(s.repository, "/raw/", s.cron ? "main" : s.revision, "/.taskcluster.yml");
  }

  json TaskJson(const std::string& name, const std::string& pool, const std::string& group,
                const Scenario& s) const {
    return {{"taskQueueId", pool},
            {"taskGroupId", group},
            {"created", hookfire::IsoMillis(fire_time_ + absl::Minutes(1))},
            {"deadline", hookfire::IsoMillis(fire_time_ + absl::Hours(24))},
            {"payload", {{"command", {"make", name}}, {"maxRunTime", 3600}}},
            {"metadata",
             {{"name", name},
              {"description", absl::StrCat("the ", name, " task")},
              {"owner", "ci@example.com"},
              {"source", Source(s)}}}};
  }

  // Builds decision -> build (-> toolchain) -> signing as described by `s`.
  void Build(const Scenario& s = {}) {
    scenario_ = s;
    hook_version_ = HookVersion(s);
    if (s.fire_hook) {
      absl::StatusOr<json> decision = chain_.FireHook(hook_version_, Fire(s, decision_id_));
      ASSERT_TRUE(decision.ok()) << decision.status();
    } else {
      absl::StatusOr<std::optional<json>> rendered =
          hookfire::RenderTask(hook_version_["task"], Fire(s, decision_id_));
      ASSERT_TRUE(rendered.ok() && rendered->has_value());
      ASSERT_TRUE(chain_
                      .CreateTask(decision_id_, **rendered, "mozilla-auth0/alice",
                                  {"assume:hook-id:proj/on-push"})
                      .ok());
    }

    json graph = json::object();
    json build = TaskJson("build", s.build_pool, decision_id_, s);
    build["dependencies"] = {decision_id_};
    if (s.with_toolchain) {
      json toolchain = TaskJson("toolchain", "proj-3/build", decision_id_, s);
      graph[toolchain_id_] = {{"task", toolchain}};
      ASSERT_TRUE(chain_.CreateTask(toolchain_id_, toolchain, "task-client", {}).ok());
      build["payload"]["upstreamArtifacts"] = {
          {{"taskId", toolchain_id_}, {"taskType", "build"}, {"paths", {"public/toolchain.tar"}}}};
    }
    if (s.build_consumes_signing) {
      build["payload"]["upstreamArtifacts"] = {{{"taskId", signing_id_},
                                                {"taskType", "signing"},
                                                {"paths", {"public/signing/manifest.json"}}}};
    }
    if (s.edit_build) s.edit_build(build);
    json signing = TaskJson("signing", "proj-3/signing", decision_id_, s);
    signing["dependencies"] = {build_id_};
    signing["scopes"] = {kRestrictedScope};
    signing["payload"] = {
        {"maxRunTime", 600},
        {"upstreamArtifacts",
         {{{"taskId", build_id_}, {"taskType", "build"}, {"paths", {kTarball, kChecksums}}}}}};
    if (s.edit_signing) s.edit_signing(signing);
    graph[build_id_] = {{"task", build}};
    graph[signing_id_] = {{"task", signing}};
    ASSERT_TRUE(chain_.CreateTask(build_id_, build, "task-client", {}).ok());
    ASSERT_TRUE(chain_.CreateTask(signing_id_, signing, "task-client", {}).ok());
    if (s.edit_graph) s.edit_graph(graph);

    const FakeWorker& dw = s.decision_worker ? *s.decision_worker : decision_worker_;
    const FakeWorker& bw = s.build_worker ? *s.build_worker : build_worker_;
    ASSERT_TRUE(chain_
                    .RunTask(decision_id_, dw, {{kTaskGraphArtifact, graph.dump(2)}},
                             fire_time_ + absl::Minutes(5), s.decision_run)
                    .ok());
    if (s.with_toolchain) {
      ASSERT_TRUE(chain_
                      .RunTask(toolchain_id_, build_worker_, {{"public/toolchain.tar", "tools"}},
                               fire_time_ + absl::Minutes(10))
                      .ok());
    }
    ASSERT_TRUE(chain_
                    .RunTask(build_id_, bw,
                             {{kTarball, tarball_}, {kChecksums, "abc  app.tar.gz\n"}},
                             fire_time_ + absl::Minutes(20), s.build_run)
                    .ok());
    if (s.run_signing) {
      ASSERT_TRUE(chain_
                      .RunTask(signing_id_, signing_worker_,
                               {{"public/build/app.tar.gz.sig", "signature"},
                                {"public/signing/manifest.json", "{}"}},
                               fire_time_ + absl::Minutes(30), s.signing_run)
                      .ok());
    }
    clock_.Set(fire_time_ + absl::Hours(1));
  }

  VerificationReport Verify(VerifierEngine& engine, const std::string& task_type = "signing",
                            RootMode mode = RootMode::kAuto) {
    absl::StatusOr<VerificationReport> report =
        engine.VerifyTask(signing_id_, task_type, clock_.Now() + absl::Minutes(1), mode);
    EXPECT_TRUE(report.ok()) << report.status();
    if (!report.ok()) return {};
    return *std::move(report);
  }
  VerificationReport Verify() {
    std::unique_ptr<VerifierEngine> engine = Engine();
    return Verify(*engine);
  }

  static size_t CheckCount(const VerificationReport& r) {
    size_t n = r.chain_checks.size();
    for (const LinkReport& l : r.links) n += l.checks.size();
    return n;
  }

  static std::string Reason(const VerificationReport& r, const std::string& link,
                            const std::string& check) {
    std::vector<const CheckResult*> found = r.Find(link, check);
    std::string out;
    for (const CheckResult* c : found) absl::StrAppend(&out, c->reason, "\n");
    return out;
  }

  // The number of checks a passing chain of the standard shape reports.
  size_t PassingCheckCount() {
    ChainFixture fresh;
    fresh.Build();
    return CheckCount(fresh.Verify());
  }

  // Rewrites a stored chain-of-trust document without re-signing it (tampering in storage).
  void TamperStoredCot(const std::string& task_id, const std::function<void(json&)>& edit) {
    std::optional<std::string> bytes = source_.Artifact(task_id, 0, kChainOfTrustArtifact);
    ASSERT_TRUE(bytes.has_value());
    json cot = json::parse(*bytes);
    edit(cot);
    source_.PutArtifact(task_id, 0, kChainOfTrustArtifact, cot.dump(2));
  }

  absl::Time fire_time_ = T("2024-06-01T12:00:00Z");
  SimulatedClock clock_{fire_time_};
  FakeChainSource source_{clock_};
  ChainBuilder chain_{source_};
  FakeWorker decision_worker_ = FakeWorker::Make("proj-3/decision", 1);
  FakeWorker build_worker_ = FakeWorker::Make("proj-3/build", 2);
  FakeWorker signing_worker_ = FakeWorker::Make("proj-3/signing", 3);
  FakeWorker level1_worker_ = FakeWorker::Make("proj-1/build", 4);
  std::string tarball_ = std::string(size_t{100} * 1024, 'x') + "end of tarball";
  std::string decision_id_, build_id_, signing_id_, toolchain_id_;
  std::string other_decision_id_, other_build_id_;
  Scenario scenario_;
  json hook_version_;
};

class VerifierEngineTest : public ::testing::Test, public ChainFixture {};

// ---------------------------------------------------------------------------------------------
// The chain as built.

TEST_F(VerifierEngineTest, ValidChainPasses) {
  Build();
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_THAT(r.Failures(), IsEmpty());
  ASSERT_EQ(r.links.size(), 3u);
  EXPECT_EQ(r.links[0].name, "signing");
  EXPECT_EQ(r.links[0].task_id, signing_id_);
  EXPECT_EQ(r.links[0].pool, "proj-3/signing");
  EXPECT_EQ(r.links[0].run_id, 0);
  EXPECT_EQ(r.links[1].name, "signing:decision");
  EXPECT_EQ(r.links[1].task_id, decision_id_);
  EXPECT_TRUE(r.links[1].is_decision);
  EXPECT_EQ(r.links[2].name, "signing:build");
  EXPECT_EQ(r.links[2].task_id, build_id_);
  EXPECT_EQ(r.repository, kRepo);
  EXPECT_EQ(r.policy_version, "3");
  EXPECT_EQ(r.policy_sha256.size(), 64u);
  EXPECT_EQ(r.started, fire_time_ + absl::Hours(1));

  // Every check of each kind ran.
  auto names = [](const LinkReport& l) {
    std::vector<std::string> out;
    for (const CheckResult& c : l.checks) out.push_back(c.name);
    return out;
  };
  EXPECT_THAT(names(r.links[0]),
              ElementsAre("link.fetch", "link.run", "cot.fetch", "cot.signature", "cot.format",
                          "cot.run", "cot.task-definition", "policy.pool", "policy.not-interactive",
                          "payload.upstream-artifacts", "artifact.sha256", "artifact.sha256",
                          "graph.membership"));
  EXPECT_THAT(names(r.links[1]),
              ElementsAre("link.fetch", "link.run", "cot.fetch", "cot.signature", "cot.format",
                          "cot.run", "cot.task-definition", "policy.pool", "policy.not-interactive",
                          "payload.upstream-artifacts", "decision.group", "decision.creator",
                          "decision.fire", "decision.hook-version", "decision.rerender",
                          "decision.source", "decision.task-graph"));
  std::vector<std::string> chain_names;
  for (const CheckResult& c : r.chain_checks) chain_names.push_back(c.name);
  EXPECT_THAT(chain_names, ElementsAre("chain.length", "chain.cycle", "policy.restricted-scopes",
                                       "policy.same-repository", "policy.foreign-graphs"));
  EXPECT_THAT(Reason(r, "signing", checks::kCotSignature), HasSubstr("key 'signing-2024'"));
  EXPECT_THAT(Reason(r, "signing", checks::kArtifactSha256),
              HasSubstr(absl::StrCat(kTarball, " of signing:build (", build_id_, ") run 0: sha256 ",
                                     Sha256Hex(tarball_))));
  EXPECT_THAT(Reason(r, "chain", checks::kPolicyRestrictedScopes),
              HasSubstr("repository proj/app may use project:proj:signing:cert:release"));
  EXPECT_THAT(
      Reason(r, "signing:decision", checks::kDecisionSource),
      HasSubstr(absl::StrCat("the fire names repository ", kRepo, " at revision ", kRevision)));
}

TEST_F(VerifierEngineTest, RenderingsShowTheChain) {
  Build();
  VerificationReport r = Verify();
  std::string text = ReportToText(r);
  EXPECT_THAT(text, HasSubstr("PASS: signing task " + signing_id_));
  EXPECT_THAT(text, HasSubstr("✓ signing:build  " + build_id_ + "  pool proj-3/build  run 0"));
  EXPECT_THAT(text, HasSubstr("✓ decision.rerender: "));
  json j = ReportToJson(r);
  EXPECT_EQ(j["verdict"], "PASS");
  EXPECT_EQ(j["links"].size(), 3u);
  EXPECT_EQ(j["links"][2]["upstreamTaskIds"], json::array());
  EXPECT_EQ(j["links"][0]["upstreamTaskIds"], json::array({build_id_}));
  std::string dot = ReportToDot(r);
  EXPECT_THAT(dot, HasSubstr("\"" + signing_id_ + "\" -> \"" + build_id_ +
                             "\" [label=\"upstreamArtifacts\"]"));
  EXPECT_THAT(
      dot, HasSubstr("\"" + build_id_ + "\" -> \"" + decision_id_ + "\" [label=\"taskGroupId\"]"));
}

// ---------------------------------------------------------------------------------------------
// Artifacts.

TEST_F(VerifierEngineTest, ArtifactBytesReplaced) {
  Build();
  source_.PutArtifact(build_id_, 0, kTarball, "a trojan tarball");
  VerificationReport r = Verify();
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.Failures(), ElementsAre("signing: artifact.sha256"));
  EXPECT_THAT(
      Reason(r, "signing", checks::kArtifactSha256),
      HasSubstr(absl::StrCat("streamed bytes hash to sha256 ", Sha256Hex("a trojan tarball"),
                             ", but the signed sha256 is ", Sha256Hex(tarball_))));
  EXPECT_EQ(CheckCount(r), PassingCheckCount());
}

TEST_F(VerifierEngineTest, WorkerSignedAWrongHash) {
  Scenario s;
  s.build_run.edit_cot = [](json& cot) {
    cot["artifacts"][kTarball]["sha256"] = Sha256Hex("something else");
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing: artifact.sha256"));
}

TEST_F(VerifierEngineTest, SignedHashEditedAfterSigning) {
  Build();
  TamperStoredCot(build_id_, [&](json& cot) {
    cot["artifacts"][kTarball]["sha256"] = Sha256Hex("a trojan tarball");
  });
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:build: cot.signature", "signing: artifact.sha256"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotSignature),
              HasSubstr("does not verify with any key trusted for pool proj-3/build"));
}

TEST_F(VerifierEngineTest, ConsistentForgeryIsCaughtByTheSignature) {
  Build();
  // The attacker replaces the artifact and the hash in the stored chain-of-trust: the bytes match
  // the document, so only the signature shows the forgery (and fails the verdict).
  TamperStoredCot(build_id_, [&](json& cot) {
    cot["artifacts"][kTarball]["sha256"] = Sha256Hex("a trojan tarball");
  });
  source_.PutArtifact(build_id_, 0, kTarball, "a trojan tarball");
  VerificationReport r = Verify();
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: cot.signature"));
}

TEST_F(VerifierEngineTest, RequiredArtifactNotProduced) {
  Scenario s;
  s.edit_signing = [](json& t) {
    t["payload"]["upstreamArtifacts"][0]["paths"].push_back("public/build/missing.txt");
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing: artifact.sha256"));
  EXPECT_THAT(Reason(r, "signing", checks::kArtifactSha256),
              HasSubstr("public/build/missing.txt of signing:build (" + build_id_ +
                        ") run 0: not among the signed artifacts"));
}

TEST_F(VerifierEngineTest, OptionalArtifactNotProduced) {
  Scenario s;
  s.edit_signing = [&](json& t) {
    t["payload"]["upstreamArtifacts"].push_back({{"taskId", build_id_},
                                                 {"taskType", "build"},
                                                 {"paths", {"public/build/debug-symbols.zip"}},
                                                 {"optional", true}});
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_THAT(Reason(r, "signing", checks::kArtifactSha256),
              HasSubstr("optional, and not among the signed artifacts"));
  EXPECT_EQ(r.Find("signing", checks::kArtifactSha256).size(), 3u);
}

TEST_F(VerifierEngineTest, ArtifactStreamFails) {
  Build();
  source_.FailCall(FakeChainSource::Call::kStreamArtifact, absl::StrCat(build_id_, "/", kTarball),
                   absl::UnavailableError("queue unreachable"));
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing: artifact.sha256"));
  EXPECT_THAT(Reason(r, "signing", checks::kArtifactSha256),
              HasSubstr("could not be streamed: UNAVAILABLE: queue unreachable"));
}

TEST_F(VerifierEngineTest, ArtifactsAreStreamedInChunks) {
  Build();
  source_.set_chunk_size(1000);
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  // 100 KiB in 1000-byte chunks: the sink saw it piece by piece.
  EXPECT_GE(source_.chunks_delivered(kTarball), 100);
}

TEST_F(VerifierEngineTest, IndependentArtifactsAreHashedConcurrently) {
  Build();
  // Both build artifacts must be in flight at once before either is delivered.
  source_.SetRendezvous({kTarball, kChecksums}, absl::Seconds(30));
  VerifierOptions options;
  options.max_concurrency = 3;
  std::unique_ptr<VerifierEngine> engine = Engine(PolicyJson(), options);
  VerificationReport r = Verify(*engine);
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_TRUE(source_.rendezvous_reached());
  EXPECT_LE(source_.max_in_flight(), 3);
}

TEST_F(VerifierEngineTest, ConcurrencyIsBounded) {
  Scenario s;
  s.with_toolchain = true;
  Build(s);
  VerifierOptions options;
  options.max_concurrency = 1;
  std::unique_ptr<VerifierEngine> engine = Engine(PolicyJson(), options);
  VerificationReport r = Verify(*engine);
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_EQ(source_.max_in_flight(), 1);
}

// ---------------------------------------------------------------------------------------------
// Signatures and the signed document.

TEST_F(VerifierEngineTest, SignatureByKeyOfAnotherPool) {
  Scenario s;
  s.signing_run.signing_key = &build_worker_.key;
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing: cot.signature"));
  EXPECT_THAT(Reason(r, "signing", checks::kCotSignature),
              HasSubstr("it verifies with key 'build-2024', which is trusted only for pools "
                        "proj-3/build"));
}

TEST_F(VerifierEngineTest, KeyOutsideValidityWindow) {
  Build();
  json policy = PolicyJson();
  // The build key expired ten minutes after the fire; the build resolved twenty minutes after.
  policy["workerKeys"][1]["notAfter"] = "2024-06-01T12:10:00Z";
  std::unique_ptr<VerifierEngine> engine = Engine(policy);
  VerificationReport r = Verify(*engine);
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: cot.signature"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotSignature),
              HasSubstr("no key trusted for pool proj-3/build is valid at "
                        "2024-06-01T12:20:00.000Z"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotSignature),
              HasSubstr("it verifies with key 'build-2024', trusted for proj-3/build only in"));
}

TEST_F(VerifierEngineTest, KeyRotationOverlapAcceptsEitherKey) {
  FakeWorker rotated = FakeWorker::Make("proj-3/build", 22);
  Scenario s;
  s.build_worker = &rotated;
  Build(s);
  json policy = PolicyJson();
  policy["workerKeys"].push_back({{"id", "build-2024b"},
                                  {"publicKey", rotated.PublicKeyBase64()},
                                  {"pools", {"proj-3/build"}},
                                  {"notBefore", "2024-05-01T00:00:00Z"},
                                  {"notAfter", "2025-06-01T00:00:00Z"}});
  std::unique_ptr<VerifierEngine> engine = Engine(policy);
  VerificationReport r = Verify(*engine);
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotSignature), HasSubstr("'build-2024b'"));
}

TEST_F(VerifierEngineTest, CotSignatureMissing) {
  Build();
  source_.RemoveArtifact(build_id_, 0, kChainOfTrustSignatureArtifact);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:build: cot.fetch", "signing:build: cot.signature",
                                   "signing:build: cot.format", "signing:build: cot.run",
                                   "signing:build: cot.task-definition", "signing: artifact.sha256",
                                   "signing: artifact.sha256"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotFetch),
              HasSubstr("public/chain-of-trust.json.sig: artifact"));
}

TEST_F(VerifierEngineTest, CotMissing) {
  Build();
  source_.RemoveArtifact(build_id_, 0, kChainOfTrustArtifact);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:build: cot.fetch", "signing:build: cot.signature",
                                   "signing:build: cot.format", "signing:build: cot.run",
                                   "signing:build: cot.task-definition", "signing: artifact.sha256",
                                   "signing: artifact.sha256"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotFetch), HasSubstr("NOT_FOUND"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotSignature),
              HasSubstr("not checked: no chain-of-trust document"));
  EXPECT_EQ(CheckCount(r), PassingCheckCount());
}

TEST_F(VerifierEngineTest, CotNotJson) {
  Scenario s;
  Build(s);
  // A worker that signs garbage: the signature is good, the document is not.
  std::string garbage = "not json at all";
  source_.PutArtifact(build_id_, 0, kChainOfTrustArtifact, garbage);
  source_.PutArtifact(build_id_, 0, kChainOfTrustSignatureArtifact,
                      *build_worker_.key.Sign(garbage));
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:build: cot.format", "signing:build: cot.run",
                                   "signing:build: cot.task-definition", "signing: artifact.sha256",
                                   "signing: artifact.sha256"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotFormat), HasSubstr("not JSON"));
}

TEST_F(VerifierEngineTest, CotFormatRejectsOtherHashAlgorithms) {
  Scenario s;
  s.build_run.edit_cot = [](json& cot) {
    cot["artifacts"]["public/logs/live_backing.log"] = {{"md5", "0123"}};
    cot["chainOfTrustVersion"] = 2;
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: cot.format"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotFormat),
              HasSubstr("chainOfTrustVersion must be 1; artifacts['public/logs/live_backing.log'] "
                        "must be {\"sha256\": <64 lowercase hex digits>}"));
}

TEST_F(VerifierEngineTest, SignedTaskDefinitionDiffers) {
  Scenario s;
  s.build_run.edit_cot = [](json& cot) { cot["task"]["payload"]["command"][1] = "exfiltrate"; };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: cot.task-definition"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotTaskDefinition),
              HasSubstr("at /payload/command/1: signed \"exfiltrate\", queue \"build\""));
}

TEST_F(VerifierEngineTest, SignedRunIdDiffers) {
  Scenario s;
  s.build_run.edit_cot = [](json& cot) { cot["runId"] = 1; };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: cot.run"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotRun),
              HasSubstr("signed runId 1, but the verifier uses run 0"));
}

TEST_F(VerifierEngineTest, SignedWorkerIdDiffers) {
  Scenario s;
  s.build_run.edit_cot = [](json& cot) { cot["workerId"] = "some-other-worker"; };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: cot.run"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kCotRun),
              HasSubstr("signed workerId \"some-other-worker\", but the queue's run 0 has "
                        "'worker-2'"));
}

TEST_F(VerifierEngineTest, SignedTaskIdDiffers) {
  Scenario s;
  s.build_run.edit_cot = [&](json& cot) { cot["taskId"] = signing_id_; };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: cot.run"));
}

// ---------------------------------------------------------------------------------------------
// Runs.

TEST_F(VerifierEngineTest, LatestCompletedRunIsUsed) {
  Build();
  // A rerun of the build failed after run 0 completed.
  ASSERT_TRUE(chain_.AddRun(build_id_, build_worker_, RunState::kFailed).ok());
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_THAT(Reason(r, "signing:build", checks::kLinkRun),
              HasSubstr("the latest run 1 is failed, so the latest completed run 0 is the one "
                        "checked"));
}

TEST_F(VerifierEngineTest, LinkWithoutCompletedRun) {
  Build();
  TaskStatusInfo status = *source_.Status(build_id_);
  status.runs[0].state = RunState::kException;
  source_.PutStatus(build_id_, status);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:build: link.run", "signing:build: cot.fetch",
                                   "signing:build: cot.signature", "signing:build: cot.format",
                                   "signing:build: cot.run", "signing:build: cot.task-definition",
                                   "signing: artifact.sha256", "signing: artifact.sha256"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kLinkRun),
              HasSubstr("no completed run (runs: 0 exception)"));
}

TEST_F(VerifierEngineTest, RootBeforeRunChecksWhatItWillConsume) {
  Scenario s;
  s.run_signing = false;
  Build(s);
  ASSERT_TRUE(chain_.AddRun(signing_id_, signing_worker_, RunState::kRunning).ok());
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_TRUE(r.Find("signing", checks::kCotSignature).empty());
  EXPECT_FALSE(r.links[0].run_id.has_value());
  EXPECT_EQ(r.Find("signing", checks::kArtifactSha256).size(), 2u);
  EXPECT_THAT(Reason(r, "signing", checks::kLinkRun),
              HasSubstr("has not completed (runs: 0 running)"));

  // Requiring the root's own chain-of-trust fails it.
  std::unique_ptr<VerifierEngine> engine = Engine();
  VerificationReport required = Verify(*engine, "signing", RootMode::kCompleted);
  EXPECT_THAT(required.Failures(),
              UnorderedElementsAre("signing: link.run", "signing: cot.fetch",
                                   "signing: cot.signature", "signing: cot.format",
                                   "signing: cot.run", "signing: cot.task-definition"));
}

TEST_F(VerifierEngineTest, RootBeforeRunModeIgnoresAnEarlierCompletedRun) {
  Build();
  // Run 0 completed with a (now) bad signature; a rerun is about to start.
  source_.PutArtifact(signing_id_, 0, kChainOfTrustSignatureArtifact, std::string(64, 'x'));
  ASSERT_TRUE(chain_.AddRun(signing_id_, signing_worker_, RunState::kRunning).ok());
  std::unique_ptr<VerifierEngine> engine = Engine();
  EXPECT_TRUE(Verify(*engine, "signing", RootMode::kBeforeRun).passed);
  // kAuto: the latest run is running, so the root's CoT is not required either.
  EXPECT_TRUE(Verify(*engine, "signing", RootMode::kAuto).passed);
  EXPECT_THAT(Verify(*engine, "signing", RootMode::kCompleted).Failures(),
              ElementsAre("signing: cot.signature"));
}

// ---------------------------------------------------------------------------------------------
// Task graph.

TEST_F(VerifierEngineTest, TaskMissingFromGraph) {
  Scenario s;
  s.edit_graph = [&](json& graph) { graph.erase(build_id_); };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: graph.membership"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kGraphMembership),
              HasSubstr("is not in public/task-graph.json of decision task " + decision_id_));
}

TEST_F(VerifierEngineTest, TaskDiffersFromGraph) {
  Scenario s;
  s.edit_graph = [&](json& graph) {
    graph[build_id_]["task"]["payload"]["command"] = {"make", "something-else"};
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: graph.membership"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kGraphMembership),
              HasSubstr("at /payload/command/1: graph \"something-else\", queue \"build\""));
}

TEST_F(VerifierEngineTest, TaskDependencyNotInGraph) {
  Scenario s;
  s.edit_graph = [&](json& graph) { graph[signing_id_]["task"].erase("dependencies"); };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing: graph.membership"));
  EXPECT_THAT(Reason(r, "signing", checks::kGraphMembership),
              HasSubstr("at /dependencies: graph absent"));
}

TEST_F(VerifierEngineTest, TaskGraphBytesReplaced) {
  Build();
  source_.PutArtifact(decision_id_, 0, kTaskGraphArtifact, "{}");
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:decision: decision.task-graph",
                                   "signing:build: graph.membership", "signing: graph.membership"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionTaskGraph),
              HasSubstr("streamed bytes hash to sha256 " + Sha256Hex("{}")));
  EXPECT_THAT(Reason(r, "signing:build", checks::kGraphMembership),
              HasSubstr("not checked: the task graph of decision task " + decision_id_ +
                        " is not verified"));
}

TEST_F(VerifierEngineTest, TaskGraphMissing) {
  Scenario s;
  s.decision_run.edit_cot = [](json& cot) { cot["artifacts"].erase(kTaskGraphArtifact); };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:decision: decision.task-graph",
                                   "signing:build: graph.membership", "signing: graph.membership"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionTaskGraph),
              HasSubstr("public/task-graph.json is not among the signed artifacts of run 0"));
}

TEST_F(VerifierEngineTest, TaskGraphNotJson) {
  Build();
  const std::string graph = "[not json";
  source_.PutArtifact(decision_id_, 0, kTaskGraphArtifact, graph);
  TamperStoredCot(decision_id_, [&](json& cot) {
    cot["artifacts"][kTaskGraphArtifact]["sha256"] = Sha256Hex(graph);
  });
  std::optional<std::string> cot = source_.Artifact(decision_id_, 0, kChainOfTrustArtifact);
  source_.PutArtifact(decision_id_, 0, kChainOfTrustSignatureArtifact,
                      *decision_worker_.key.Sign(*cot));
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("signing:decision: decision.task-graph",
                                   "signing:build: graph.membership", "signing: graph.membership"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionTaskGraph), HasSubstr("not JSON"));
}

// ---------------------------------------------------------------------------------------------
// Decision provenance.

TEST_F(VerifierEngineTest, DecisionCreatedDirectlyByClient) {
  Scenario s;
  s.fire_hook = false;
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre(
                  "signing:decision: decision.creator", "signing:decision: decision.fire",
                  "signing:decision: decision.hook-version", "signing:decision: decision.rerender",
                  "signing:decision: decision.source", "chain: policy.restricted-scopes",
                  "chain: policy.same-repository"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionCreator),
              HasSubstr("created by client 'mozilla-auth0/alice', not by the hooks service"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionFire),
              HasSubstr("no hook fire is recorded as creating task " + decision_id_));
  EXPECT_EQ(CheckCount(r), PassingCheckCount());
}

TEST_F(VerifierEngineTest, DecisionFromHookNotInPolicy) {
  Build();
  json policy = PolicyJson();
  policy["hooks"].erase("proj/on-push");
  std::unique_ptr<VerifierEngine> engine = Engine(policy);
  VerificationReport r = Verify(*engine);
  EXPECT_THAT(
      r.Failures(),
      UnorderedElementsAre("signing:decision: decision.creator", "signing:decision: decision.fire",
                           "signing:decision: decision.source", "chain: policy.restricted-scopes",
                           "chain: policy.same-repository"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionCreator),
              HasSubstr("hook proj/on-push may not start a chain"));
}

TEST_F(VerifierEngineTest, HookUpdatedAfterTheFireStillVerifies) {
  Build();
  // The hook changed later; its new version exists, but the fire recorded the old one.
  json updated = hook_version_;
  updated["task"]["payload"]["command"] = {"decide", "--something-new"};
  source_.PutHookVersion(ChainBuilder::HookVersionSha256(updated), updated.dump());
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
}

TEST_F(VerifierEngineTest, FireRecordsADifferentHookVersion) {
  Build();
  // The fire record names a version whose template renders something else.
  json other = hook_version_;
  other["task"]["payload"]["command"] = {"decide", "--something-new"};
  const std::string sha = ChainBuilder::HookVersionSha256(other);
  source_.PutHookVersion(sha, other.dump());
  HookFire fire = *source_.GetHookFire(decision_id_, absl::InfiniteFuture());
  fire.hook_version_sha256 = sha;
  source_.PutHookFire(decision_id_, fire);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:decision: decision.rerender"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionRerender),
              HasSubstr("at /payload/command: re-rendered [\"decide\",\"--something-new\"], "
                        "queue [\"decide\",\"--revision\",\"0123abcd\"]"));
}

TEST_F(VerifierEngineTest, HookVersionBytesDoNotMatchTheirHash) {
  Build();
  json other = hook_version_;
  other["task"]["payload"]["command"] = {"decide", "--something-new"};
  source_.PutHookVersion(ChainBuilder::HookVersionSha256(hook_version_), other.dump());
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), UnorderedElementsAre("signing:decision: decision.hook-version",
                                                 "signing:decision: decision.rerender"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionHookVersion),
              HasSubstr("not the sha256 " + ChainBuilder::HookVersionSha256(hook_version_)));
}

TEST_F(VerifierEngineTest, DecisionDefinitionChangedInQueue) {
  Build();
  json task = *source_.Task(decision_id_);
  task["scopes"].push_back(kRestrictedScope);
  source_.PutTask(decision_id_, task);
  VerificationReport r = Verify();
  // The worker signed the original; re-rendering gives the original too.
  EXPECT_THAT(r.Failures(), UnorderedElementsAre("signing:decision: cot.task-definition",
                                                 "signing:decision: decision.rerender"));
}

TEST_F(VerifierEngineTest, RerenderErrorIsReported) {
  Build();
  json broken = hook_version_;
  broken["task"]["payload"]["env"]["X"] = {{"$eval", "unknownName"}};
  const std::string sha = ChainBuilder::HookVersionSha256(broken);
  source_.PutHookVersion(sha, broken.dump());
  HookFire fire = *source_.GetHookFire(decision_id_, absl::InfiniteFuture());
  fire.hook_version_sha256 = sha;
  source_.PutHookFire(decision_id_, fire);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:decision: decision.rerender"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionRerender),
              HasSubstr("rendering the hook's template with the recorded context failed"));
}

TEST_F(VerifierEngineTest, FireOfAnotherHook) {
  Build();
  HookFire fire = *source_.GetHookFire(decision_id_, absl::InfiniteFuture());
  fire.hook_id = "nightly";
  source_.PutHookFire(decision_id_, fire);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), UnorderedElementsAre("signing:decision: decision.fire",
                                                 "signing:decision: decision.hook-version",
                                                 "signing:decision: decision.rerender"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionFire),
              HasSubstr("the fire is of hook proj/nightly, but the creator record acted as "
                        "hook-id:proj/on-push"));
}

TEST_F(VerifierEngineTest, CronHookPasses) {
  Scenario s;
  s.cron = true;
  Build(s);
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionSource),
              HasSubstr("(no revision pinned)"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionFire), HasSubstr("(schedule at"));
}

TEST_F(VerifierEngineTest, SourceNotAtFiredRevision) {
  Scenario s;
  s.edit_template = [](json& tmpl) {
    tmpl["metadata"]["source"] = "${payload.repository}/raw/ffffffff/.taskcluster.yml";
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:decision: decision.source"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kDecisionSource),
              HasSubstr("does not name revision '0123abcd' the fire names"));
}

TEST_F(VerifierEngineTest, SourceOutsideFiredRepository) {
  Scenario s;
  s.edit_template = [](json& tmpl) {
    tmpl["metadata"]["source"] = "https://git.example.com/proj/app-fork/raw/0123abcd/x.yml";
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:decision: decision.source"));
}

TEST_F(VerifierEngineTest, DecisionOnNonDecisionPool) {
  Scenario s;
  s.edit_template = [](json& tmpl) { tmpl["workerType"] = "build"; };
  s.decision_worker = &build_worker_;
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:decision: policy.pool"));
  EXPECT_THAT(Reason(r, "signing:decision", checks::kPolicyPool),
              HasSubstr("pool 'proj-3/build' is not allowed for decision tasks"));
}

TEST_F(VerifierEngineTest, TaskClaimingToBeADecision) {
  Build();
  std::unique_ptr<VerifierEngine> engine = Engine();
  absl::StatusOr<VerificationReport> r =
      engine->VerifyTask(build_id_, "decision", clock_.Now() + absl::Minutes(1));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  for (const char* failing :
       {"decision: policy.pool", "decision: decision.group", "decision: decision.creator",
        "decision: decision.fire", "decision: decision.task-graph"}) {
    EXPECT_THAT(r->Failures(), Contains(failing));
  }
}

// ---------------------------------------------------------------------------------------------
// Policy over the chain.

TEST_F(VerifierEngineTest, UntrustedRepositoryWithRestrictedScope) {
  Scenario s;
  s.repository = "https://git.example.com/evil/app";
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("chain: policy.restricted-scopes"));
  EXPECT_THAT(Reason(r, "chain", checks::kPolicyRestrictedScopes),
              HasSubstr("repository https://git.example.com/evil/app is not a trusted repository"));
  EXPECT_EQ(r.repository, "https://git.example.com/evil/app");
}

TEST_F(VerifierEngineTest, UntrustedRepositoryWithoutRestrictedScopePasses) {
  Scenario s;
  s.repository = "https://git.example.com/evil/app";
  s.edit_signing = [](json& t) { t.erase("scopes"); };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_THAT(Reason(r, "chain", checks::kPolicyRestrictedScopes),
              HasSubstr("holds no restricted scope"));
}

TEST_F(VerifierEngineTest, TrustedRepositoryNotInAlias) {
  Scenario s;
  s.repository = "https://git.example.com/proj/playground";
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("chain: policy.restricted-scopes"));
  EXPECT_THAT(Reason(r, "chain", checks::kPolicyRestrictedScopes),
              HasSubstr("is restricted to alias release [proj/app], which does not include "
                        "proj/playground"));
}

TEST_F(VerifierEngineTest, StarScopeHoldsRestrictedScopes) {
  Scenario s;
  s.repository = "https://git.example.com/proj/playground";
  s.edit_signing = [](json& t) { t["scopes"] = {"project:proj:signing:*"}; };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("chain: policy.restricted-scopes"));
}

TEST_F(VerifierEngineTest, SameRepositoryViolated) {
  Scenario s;
  s.edit_build = [](json& t) {
    t["metadata"]["source"] = "https://git.example.com/evil/app/raw/0123abcd/.taskcluster.yml";
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("chain: policy.same-repository"));
  EXPECT_THAT(Reason(r, "chain", checks::kPolicySameRepository),
              HasSubstr("signing:build (" + build_id_ +
                        "): metadata.source 'https://git.example.com/evil/app/raw/"));
}

class ForeignGraphTest : public VerifierEngineTest {
 protected:
  // The signing task also consumes a build from another task graph, fired for `repository`.
  void BuildWithForeign(const std::string& repository) {
    Scenario s;
    s.edit_signing = [&](json& t) {
      t["payload"]["upstreamArtifacts"].push_back({{"taskId", other_build_id_},
                                                   {"taskType", "build"},
                                                   {"paths", {"public/build/lib.tar.gz"}}});
    };
    Build(s);
    Scenario other;
    other.repository = repository;
    hookfire::FireContext fire = Fire(other, other_decision_id_);
    ASSERT_TRUE(chain_.FireHook(HookVersion(other), fire).ok());
    json build = TaskJson("library", "proj-3/build", other_decision_id_, other);
    ASSERT_TRUE(chain_.CreateTask(other_build_id_, build, "task-client", {}).ok());
    json graph = {{other_build_id_, {{"task", build}}}};
    ASSERT_TRUE(chain_
                    .RunTask(other_decision_id_, decision_worker_,
                             {{kTaskGraphArtifact, graph.dump()}}, fire_time_ + absl::Minutes(2))
                    .ok());
    ASSERT_TRUE(chain_
                    .RunTask(other_build_id_, build_worker_, {{"public/build/lib.tar.gz", "lib"}},
                             fire_time_ + absl::Minutes(3))
                    .ok());
  }
};

TEST_F(ForeignGraphTest, FromTrustedRepository) {
  BuildWithForeign("https://git.example.com/proj/playground");
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_EQ(r.links.size(), 5u);
  EXPECT_NE(r.FindLink("signing:build:decision"), nullptr);
  EXPECT_THAT(Reason(r, "chain", checks::kPolicyForeignGraphs),
              HasSubstr("https://git.example.com/proj/playground"));
}

TEST_F(ForeignGraphTest, FromUntrustedRepository) {
  BuildWithForeign("https://git.example.com/evil/lib");
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("chain: policy.foreign-graphs"));
  EXPECT_THAT(Reason(r, "chain", checks::kPolicyForeignGraphs),
              HasSubstr("repository https://git.example.com/evil/lib is not a trusted repository"));
}

TEST_F(VerifierEngineTest, BuildOnPoolNotAllowedForItsType) {
  Scenario s;
  s.build_pool = "proj-3/signing";
  s.build_worker = &signing_worker_;
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing:build: policy.pool"));
  EXPECT_THAT(Reason(r, "signing:build", checks::kPolicyPool),
              HasSubstr("pool 'proj-3/signing' is not allowed for build tasks (allowed: "
                        "proj-1/build, proj-3/build)"));
}

TEST_F(VerifierEngineTest, UnknownRootTaskType) {
  Build();
  std::unique_ptr<VerifierEngine> engine = Engine();
  VerificationReport r = Verify(*engine, "beetmover");
  EXPECT_THAT(r.Failures(), ElementsAre("beetmover: policy.pool"));
  EXPECT_NE(r.FindLink("beetmover:build"), nullptr);
}

TEST_F(VerifierEngineTest, InteractiveFeatureRejected) {
  const std::vector<std::pair<std::string, std::function<void(json&)>>> variants = {
      {"payload.features.interactive is true",
       [](json& t) {
         t["payload"]["features"] = {{"interactive", true}};
       }},
      {"payload.env sets TASKCLUSTER_INTERACTIVE",
       [](json& t) {
         t["payload"]["env"] = {{"TASKCLUSTER_INTERACTIVE", "true"}};
       }},
      {"payload.rdpInfo is set", [](json& t) { t["payload"]["rdpInfo"] = "login/rdp"; }},
      {"grants interactive access (generic-worker:allow-rdp:)",
       [](json& t) { t["scopes"] = {"generic-worker:allow-rdp:proj-3/build"}; }},
      {"payload.features is not an object", [](json& t) { t["payload"]["features"] = "all"; }},
      {"payload.env is not an object", [](json& t) { t["payload"]["env"] = json::array(); }},
  };
  for (const auto& [reason, edit] : variants) {
    ChainFixture fresh;
    Scenario s;
    s.edit_build = edit;
    fresh.Build(s);
    VerificationReport r = fresh.Verify();
    EXPECT_THAT(r.Failures(), ElementsAre("signing:build: policy.not-interactive")) << reason;
    EXPECT_THAT(Reason(r, "signing:build", checks::kPolicyNotInteractive), HasSubstr(reason));
  }
  // features.interactive false is fine.
  ChainFixture fresh;
  Scenario s;
  s.edit_build = [](json& t) { t["payload"]["features"] = {{"interactive", false}}; };
  fresh.Build(s);
  EXPECT_TRUE(fresh.Verify().passed);
}

// ---------------------------------------------------------------------------------------------
// Chain shape.

TEST_F(VerifierEngineTest, ChainWithToolchainPasses) {
  Scenario s;
  s.with_toolchain = true;
  Build(s);
  VerificationReport r = Verify();
  EXPECT_TRUE(r.passed) << ReportToText(r);
  ASSERT_EQ(r.links.size(), 4u);
  EXPECT_EQ(r.links[3].name, "signing:build:build");
  EXPECT_EQ(r.links[3].task_id, toolchain_id_);
}

TEST_F(VerifierEngineTest, ChainOverDepthLimit) {
  Scenario s;
  s.with_toolchain = true;
  Build(s);
  json policy = PolicyJson();
  policy["maxChainLength"] = 2;
  std::unique_ptr<VerifierEngine> engine = Engine(policy);
  VerificationReport r = Verify(*engine);
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("chain: chain.length", "signing:build: artifact.sha256"));
  EXPECT_THAT(Reason(r, "chain", checks::kChainLength),
              HasSubstr("signing:build:build (" + toolchain_id_ +
                        ") would be 3 segments deep, more than maxChainLength 2"));
  EXPECT_EQ(r.links.size(), 3u);
}

TEST_F(VerifierEngineTest, ChainOverLinkLimit) {
  Scenario s;
  s.with_toolchain = true;
  Build(s);
  json policy = PolicyJson();
  policy["maxLinks"] = 3;
  std::unique_ptr<VerifierEngine> engine = Engine(policy);
  VerificationReport r = Verify(*engine);
  EXPECT_THAT(r.Failures(),
              UnorderedElementsAre("chain: chain.length", "signing:build: artifact.sha256"));
  EXPECT_THAT(Reason(r, "chain", checks::kChainLength),
              HasSubstr("the chain already has 3 links (maxLinks 3)"));
}

TEST_F(VerifierEngineTest, UpstreamArtifactsCycle) {
  Scenario s;
  s.build_consumes_signing = true;
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("chain: chain.cycle"));
  EXPECT_THAT(Reason(r, "chain", checks::kChainCycle),
              HasSubstr("signing (" + signing_id_ + ") -> signing:build (" + build_id_ +
                        ") -> signing (" + signing_id_ + ")"));
  EXPECT_EQ(r.links.size(), 3u);
}

TEST_F(VerifierEngineTest, SelfCycle) {
  Scenario s;
  s.edit_build = [&](json& t) {
    t["payload"]["upstreamArtifacts"] = {
        {{"taskId", build_id_}, {"taskType", "build"}, {"paths", {kChecksums}}}};
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("chain: chain.cycle"));
}

TEST_F(VerifierEngineTest, UpstreamArtifactsMalformed) {
  Scenario s;
  s.edit_signing = [&](json& t) {
    t["payload"]["upstreamArtifacts"].push_back(
        {{"taskId", build_id_}, {"taskType", "Build!"}, {"paths", {"public/build/*"}}});
  };
  Build(s);
  VerificationReport r = Verify();
  EXPECT_THAT(r.Failures(), ElementsAre("signing: payload.upstream-artifacts"));
  EXPECT_THAT(Reason(r, "signing", checks::kPayloadUpstreamArtifacts),
              HasSubstr("payload.upstreamArtifacts[1]: taskType must be a task type name"));
  EXPECT_THAT(Reason(r, "signing", checks::kPayloadUpstreamArtifacts),
              HasSubstr("path 'public/build/*' is a glob"));
}

TEST_F(VerifierEngineTest, TaskFetchFailsIsReportedNotAborted) {
  Build();
  source_.FailCall(FakeChainSource::Call::kGetTaskDefinition, build_id_,
                   absl::UnavailableError("queue replica down"));
  VerificationReport r = Verify();
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(Reason(r, "signing:build", checks::kLinkFetch),
              HasSubstr("definition: UNAVAILABLE: queue replica down"));
  // The other links were still verified.
  EXPECT_TRUE(r.FindLink("signing:decision")->passed());
  EXPECT_TRUE(r.Find("signing", checks::kCotSignature)[0]->passed);
  for (const CheckResult& c : r.FindLink("signing:build")->checks) {
    EXPECT_FALSE(c.passed) << c.name;
  }
  EXPECT_THAT(r.Failures(), Contains("signing: artifact.sha256"));
  EXPECT_EQ(CheckCount(r), PassingCheckCount());
}

TEST_F(VerifierEngineTest, DeadlineExceededIsReported) {
  Build();
  std::unique_ptr<VerifierEngine> engine = Engine();
  absl::StatusOr<VerificationReport> r =
      engine->VerifyTask(signing_id_, "signing", clock_.Now() - absl::Seconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  EXPECT_THAT(Reason(*r, "signing", checks::kLinkFetch), HasSubstr("DEADLINE_EXCEEDED"));
}

TEST_F(VerifierEngineTest, InvalidArguments) {
  std::unique_ptr<VerifierEngine> engine = Engine();
  EXPECT_EQ(engine->VerifyTask("", "signing", absl::InfiniteFuture()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine->VerifyTask(signing_id_, "Signing Task", absl::InfiniteFuture()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VerifierEngineTest, UnknownTaskIsAFailingReport) {
  std::unique_ptr<VerifierEngine> engine = Engine();
  absl::StatusOr<VerificationReport> r =
      engine->VerifyTask("nosuchtaskAAAAAAAAAAAA", "signing", absl::InfiniteFuture());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  EXPECT_THAT(Reason(*r, "signing", checks::kLinkFetch), HasSubstr("NOT_FOUND"));
  EXPECT_THAT(Reason(*r, "chain", checks::kPolicyRestrictedScopes), HasSubstr("not checked"));
}

// ---------------------------------------------------------------------------------------------
// Provenance (what an attestation of a passed verification states).

TEST_F(VerifierEngineTest, PassedReportCarriesTheProvenance) {
  Build();
  VerificationReport r = Verify();
  ASSERT_TRUE(r.passed) << ReportToText(r);
  ASSERT_TRUE(r.provenance.has_value());
  const attest::Provenance& p = *r.provenance;
  EXPECT_EQ(p.task_id, signing_id_);
  EXPECT_EQ(p.run_id, 0);
  EXPECT_EQ(p.task_type, "signing");
  EXPECT_EQ(p.worker_pool, "proj-3/signing");
  EXPECT_EQ(p.task_definition, *source_.Task(signing_id_));
  EXPECT_EQ(p.finished, fire_time_ + absl::Minutes(30));
  std::vector<std::string> subjects;
  for (const attest::ArtifactDigest& d : p.subjects) subjects.push_back(d.name);
  EXPECT_THAT(subjects,
              UnorderedElementsAre("public/build/app.tar.gz.sig", "public/signing/manifest.json",
                                   "public/logs/live_backing.log"));
  for (const attest::ArtifactDigest& d : p.subjects) {
    EXPECT_EQ(d.sha256, Sha256Hex(*source_.Artifact(signing_id_, 0, d.name))) << d.name;
  }
  EXPECT_EQ(p.decision_task_id, decision_id_);
  EXPECT_EQ(p.hook_group_id, "proj");
  EXPECT_EQ(p.hook_id, "on-push");
  EXPECT_EQ(p.fired_by, "triggerHook");
  EXPECT_EQ(p.payload, json({{"repository", kRepo}, {"revision", kRevision}}));
  EXPECT_EQ(p.hook_version_sha256, ChainBuilder::HookVersionSha256(hook_version_));
  EXPECT_EQ(p.repository, kRepo);
  EXPECT_EQ(p.revision, kRevision);
  ASSERT_EQ(p.upstream.size(), 2u);
  for (const attest::UpstreamArtifact& u : p.upstream) {
    EXPECT_EQ(u.task_id, build_id_);
    EXPECT_EQ(u.link, "signing:build");
    EXPECT_EQ(u.task_type, "build");
    EXPECT_EQ(u.consumed_by, signing_id_);
    EXPECT_EQ(u.sha256, Sha256Hex(*source_.Artifact(build_id_, 0, u.name))) << u.name;
  }
  ASSERT_EQ(p.chain.size(), 3u);
  EXPECT_EQ(p.chain[2].name, "signing:build");
  EXPECT_EQ(p.chain[2].worker_pool, "proj-3/build");
  EXPECT_EQ(p.policy_version, "3");
  EXPECT_EQ(p.policy_sha256, r.policy_sha256);
  EXPECT_TRUE(attest::BuildStatement(p).ok());
}

TEST_F(VerifierEngineTest, FailedOrUnrunVerificationHasNoProvenance) {
  Build();
  source_.PutArtifact(build_id_, 0, kTarball, "a trojan tarball");
  VerificationReport failed = Verify();
  EXPECT_FALSE(failed.passed);
  EXPECT_FALSE(failed.provenance.has_value());

  ChainFixture before_run;
  Scenario s;
  s.run_signing = false;
  before_run.Build(s);
  std::unique_ptr<VerifierEngine> engine = before_run.Engine();
  VerificationReport r = before_run.Verify(*engine, "signing", RootMode::kBeforeRun);
  EXPECT_TRUE(r.passed) << ReportToText(r);
  EXPECT_FALSE(r.provenance.has_value());
}

}  // namespace
}  // namespace bulwark::verifier
