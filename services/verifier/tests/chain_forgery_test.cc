// Forged chains on the real stack (ChainCluster: auth, queue, hooks, verifier, the decision and
// the privileged signing worker, PostgreSQL), made the way an attacker would: the test plays the
// build worker of proj-demo/ci (chain_forger.h) with that worker's real credentials, signing
// what a compromised worker or a stolen key would sign; or creates tasks in a release's task
// group with a client holding every scope; or loads a stricter policy. First an honestly played
// build worker yields a chain that verifies and is signed, so each later failure comes from its
// one change. Every forged signing task is refused by the real signing worker (resolved
// exception/malformed-payload, its command never run) and VerifyTask names exactly the checks
// that fail.
//
// Scriptworker's negative cases (reference chain-of-trust.md §8), by its groups, and where each
// applicable one is covered. On the real stack: wrong key and key outside its window, signed body
// edited, task id / run id / worker mismatch, task missing from or differing from the graph,
// restricted scope from an untrusted repository, recursion past the limit (here);
// sha mismatch of replaced bytes, decision task not made by the hook, rebuilt definition that
// differs (chain_integration_test.cc). With real signatures and the queue's normalization in
// services/verifier/service/verifier_engine_test.cc: missing CoT or .sig, CoT not JSON, illegal
// hash algorithm, path missing from the CoT, a failed mandatory / a missing optional artifact,
// extra dependency not in the graph, task-graph missing or replaced, decision on a bad pool,
// render error, source URL outside the fired repository or revision, a sibling from an
// untrusted repository, unknown task type, interactive features, a failed task fetch, key
// rotation (either key of an overlap accepted). In policy_test.cc: a scope matching two
// restricted patterns, bad base64 keys. Not applicable: worker-implementation detection and
// docker images (one worker implementation, no images), hg pushlog / GitHub event / cron /
// action contexts and `tasks_for` (a chain starts only at a hook fire, whose recorded context is
// re-rendered), SCM levels and VCS hosts (policy lists trusted repositories instead), the
// top-level exception wrapper (every check is reported, none aborts the chain).
#include <pqxx/pqxx>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/process/identity.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "services/verifier/tests/chain_forger.h"
#include "services/verifier/tests/chain_test.h"

namespace bulwark::verifier {
namespace {

using auth::SignedContext;

constexpr char kApp[] = "public/build/app.txt";

class ChainForgeryTest : public ChainTest {
 protected:
  static void SetUpTestSuite() {
    ChainCluster::Options options;
    options.launch_build_worker = false;
    StartCluster(options);
  }

  // Fires demo/release; once the real decision worker has created the build and signing tasks,
  // runs `before_build`, then plays the build worker with `forgery` and waits for the signing
  // worker to resolve the signing task.
  static Release RunRelease(const Forgery& forgery, const std::string& revision,
                            const std::string& repository = kTrustedRepository,
                            const std::function<void(const Release&)>& before_build = {}) {
    Release r = FireRelease(repository, revision);
    if (before_build) before_build(r);
    auto built = ForgeRun(cluster_->workers(), cluster_->build_worker(),
                          {{kApp, "demo app at " + revision + "\n"}}, forgery, kTimeout);
    EXPECT_TRUE(built.ok()) << built.status();
    EXPECT_EQ(built.value_or(""), r.build);
    WaitResolved(r.signing);
    return r;
  }

  // The signing worker refused `signing` (never ran its command, reported the chain), and
  // verifying it as the worker did fails exactly `failed`.
  static void ExpectRefused(const std::string& signing, const std::set<std::string>& failed) {
    auto status = cluster_->workers().Status(signing);
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(status->state(), queue::v1::TASK_STATE_EXCEPTION);
    ASSERT_GE(status->runs_size(), 1);
    EXPECT_EQ(status->runs(0).reason_resolved(), "malformed-payload");
    std::string report = Artifact(signing, "public/logs/chain_of_trust.log");
    EXPECT_TRUE(absl::StrContains(report, "as signing: FAIL")) << report;
    auto signed_digest = cluster_->workers().Download(signing, "public/release/app.txt.sha256");
    EXPECT_EQ(signed_digest.status().code(), absl::StatusCode::kNotFound) << "the command ran";
    v1::Verification v = Verify(signing, v1::ROOT_MODE_BEFORE_RUN);
    EXPECT_EQ(v.verdict(), v1::VERDICT_FAIL);
    EXPECT_EQ(ChainCluster::FailedChecks(v), failed) << v.DebugString();
  }

  static std::unique_ptr<crypto::Ed25519PrivateKey> SigningWorkerKey() {
    auto key = crypto::Ed25519PrivateKey::FromPemFile(cluster_->signing_worker().key_file);
    EXPECT_TRUE(key.ok()) << key.status();
    return key.ok() ? std::make_unique<crypto::Ed25519PrivateKey>(*std::move(key)) : nullptr;
  }
};

TEST_F(ChainForgeryTest, AnHonestlyPlayedBuildWorkerGivesAChainThatIsVerifiedAndSigned) {
  Release r = RunRelease(Forgery(), "1000aaa");
  auto status = cluster_->workers().Status(r.signing);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state(), queue::v1::TASK_STATE_COMPLETED)
      << Artifact(r.signing, "public/logs/chain_of_trust.log");
  v1::Verification v = Verify(r.signing, v1::ROOT_MODE_COMPLETED);
  EXPECT_EQ(v.verdict(), v1::VERDICT_PASS) << v.DebugString();
  EXPECT_EQ(v.links_size(), 3);
}

TEST_F(ChainForgeryTest, ASignedHashEditedAfterSigningBreaksTheSignature) {
  Forgery forgery;
  std::string signed_hash;
  forgery.before_signing = [&](worker::ChainOfTrustInput& in) {
    signed_hash = in.artifact_sha256[kApp];
  };
  forgery.after_signing = [&](worker::SignedChainOfTrust& cot) {
    const std::string other(64, 'a');
    ASSERT_TRUE(absl::StrContains(cot.body, signed_hash));
    cot.body = absl::StrReplaceAll(cot.body, {{signed_hash, other}});
  };
  Release r = RunRelease(forgery, "1001aaa");
  // The signature no longer verifies, and the hash the body now claims is not the bytes'.
  ExpectRefused(r.signing, {"signing:build/cot.signature", "signing/artifact.sha256"});
}

TEST_F(ChainForgeryTest, ASignatureByAKeyOfAnotherPoolIsRefused) {
  std::unique_ptr<crypto::Ed25519PrivateKey> key = SigningWorkerKey();
  ASSERT_NE(key, nullptr);
  Forgery forgery;
  forgery.key = key.get();
  Release r = RunRelease(forgery, "1002aaa");
  ExpectRefused(r.signing, {"signing:build/cot.signature"});
}

TEST_F(ChainForgeryTest, ASignatureByAKeyOutsideItsValidityWindowIsRefused) {
  Forgery forgery;
  forgery.key = &cluster_->expired_build_key();
  Release r = RunRelease(forgery, "1003aaa");
  ExpectRefused(r.signing, {"signing:build/cot.signature"});
}

TEST_F(ChainForgeryTest, ASignedTaskDefinitionThatDiffersFromTheQueuesIsRefused) {
  Forgery forgery;
  forgery.before_signing = [](worker::ChainOfTrustInput& in) {
    in.task["payload"]["command"] = {"sh", "-c", "echo something else"};
  };
  Release r = RunRelease(forgery, "1004aaa");
  ExpectRefused(r.signing, {"signing:build/cot.task-definition"});
}

TEST_F(ChainForgeryTest, ASignedRunIdThatDiffersFromTheQueuesIsRefused) {
  Forgery forgery;
  forgery.before_signing = [](worker::ChainOfTrustInput& in) { in.run_id += 1; };
  Release r = RunRelease(forgery, "1005aaa");
  ExpectRefused(r.signing, {"signing:build/cot.run"});
}

TEST_F(ChainForgeryTest, ASignedWorkerIdThatDiffersFromTheQueuesIsRefused) {
  Forgery forgery;
  forgery.before_signing = [](worker::ChainOfTrustInput& in) { in.worker_id = "build-2"; };
  Release r = RunRelease(forgery, "1006aaa");
  ExpectRefused(r.signing, {"signing:build/cot.run"});
}

TEST_F(ChainForgeryTest, ABuildTaskThatDiffersFromTheGraphIsRefused) {
  // The queue's record of the build task changed after the decision task wrote the graph; the
  // worker signs what it was given, so only the graph catches it.
  auto edit_queue_record = [](const Release& r) {
    pqxx::connection admin(cluster_->auth().database().AdminDsn());
    pqxx::work txn(admin);
    pqxx::result changed = txn.exec_params(
        "UPDATE queue.tasks SET definition = jsonb_set(definition, '{payload,command}', "
        "'[\"sh\", \"-c\", \"echo evil\"]') WHERE task_id = $1",
        r.build);
    ASSERT_EQ(changed.affected_rows(), 1u);
    txn.commit();
  };
  Release r = RunRelease(Forgery(), "1007aaa", kTrustedRepository, edit_queue_record);
  ExpectRefused(r.signing, {"signing:build/graph.membership"});
}

TEST_F(ChainForgeryTest, ASigningTaskInjectedIntoAReleaseGroupIsRefused) {
  Release r = RunRelease(Forgery(), "1008aaa");
  // A client with every scope (root) adds its own signing task to the verified release's group,
  // consuming the genuine build.
  hawk::Credentials root = cluster_->Root();
  queue::v1::CreateTaskRequest request;
  request.set_task_id(NiceSlugid(Random::Secure()));
  queue::v1::GetTaskRequest get;
  get.set_task_id(r.signing);
  queue::v1::TaskDefinition genuine;
  grpc::Status s =
      cluster_->workers().queue().Stub()->GetTask(SignedContext(&root).get(), get, &genuine);
  ASSERT_TRUE(s.ok()) << s.error_message();
  *request.mutable_task() = genuine;
  request.mutable_task()->mutable_metadata()->set_name("sign, again");
  queue::v1::CreateTaskResponse created;
  s = cluster_->workers().queue().Stub()->CreateTask(SignedContext(&root).get(), request, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto resolved = cluster_->workers().WaitResolved(request.task_id(), kTimeout);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ExpectRefused(request.task_id(), {"signing/graph.membership"});
}

TEST_F(ChainForgeryTest, ARestrictedScopeForAnUntrustedRepositoryIsRefused) {
  Release r = RunRelease(Forgery(), "1009aaa", "https://git.example.com/evil/app");
  ExpectRefused(r.signing, {"/policy.restricted-scopes"});
}

TEST_F(ChainForgeryTest, AChainOverTheLengthLimitIsRefused) {
  // The release's chain has three links (signing, build, decision); a policy allowing two is
  // loaded (SIGHUP) before it runs.
  absl::Status reloaded =
      cluster_->ReloadPolicy([](nlohmann::json& policy) { policy["maxLinks"] = 2; });
  ASSERT_TRUE(reloaded.ok()) << reloaded;
  absl::Cleanup restore = [] {
    absl::Status s = cluster_->ReloadPolicy({});
    EXPECT_TRUE(s.ok()) << s;
  };
  Release r = RunRelease(Forgery(), "1010aaa");
  // The build link was not followed, so the artifact the signing task consumes is not checked.
  ExpectRefused(r.signing, {"/chain.length", "signing/artifact.sha256"});
}

TEST_F(ChainForgeryTest, AnUpstreamArtifactsCycleIsReportedAndRefused) {
  Release r = RunRelease(Forgery(), "1011aaa");
  // Two tasks in the release's group that consume each other's artifacts: the signing task x
  // (waiting for y) and a build task y, which the test's build worker completes.
  hawk::Credentials root = cluster_->Root();
  queue::v1::GetTaskRequest get;
  get.set_task_id(r.signing);
  queue::v1::TaskDefinition signing;
  grpc::Status s =
      cluster_->workers().queue().Stub()->GetTask(SignedContext(&root).get(), get, &signing);
  ASSERT_TRUE(s.ok()) << s.error_message();
  get.set_task_id(r.build);
  queue::v1::TaskDefinition build;
  s = cluster_->workers().queue().Stub()->GetTask(SignedContext(&root).get(), get, &build);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string x = NiceSlugid(Random::Secure());
  const std::string y = NiceSlugid(Random::Secure());
  auto consume = [](queue::v1::TaskDefinition& t, const std::string& from, const std::string& type,
                    const std::string& path) {
    auto upstream = StructFromJson(
        {{"upstreamArtifacts", {{{"taskId", from}, {"taskType", type}, {"paths", {path}}}}}});
    ASSERT_TRUE(upstream.ok());
    (*t.mutable_payload()->mutable_fields())["upstreamArtifacts"] =
        upstream->fields().at("upstreamArtifacts");
  };
  consume(signing, y, "build", kApp);
  signing.clear_dependencies();
  signing.add_dependencies(y);
  consume(build, x, "signing", "public/release/app.txt.sha256");
  for (const auto& [id, t] :
       {std::pair<std::string, queue::v1::TaskDefinition*>{y, &build}, {x, &signing}}) {
    queue::v1::CreateTaskRequest request;
    request.set_task_id(id);
    *request.mutable_task() = *t;
    queue::v1::CreateTaskResponse created;
    s = cluster_->workers().queue().Stub()->CreateTask(SignedContext(&root).get(), request,
                                                       &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto built =
      ForgeRun(cluster_->workers(), cluster_->build_worker(), {{kApp, "y\n"}}, Forgery(), kTimeout);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(*built, y);
  auto resolved = cluster_->workers().WaitResolved(x, kTimeout);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ExpectRefused(x, {"/chain.cycle", "signing/graph.membership", "signing:build/graph.membership",
                    "signing:build/artifact.sha256"});
}

}  // namespace
}  // namespace bulwark::verifier
