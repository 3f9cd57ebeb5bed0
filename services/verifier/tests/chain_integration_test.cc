// The chain of trust end to end on the real stack (ChainCluster: auth, queue, hooks, verifier,
// three real workers, PostgreSQL): the README's release walkthrough, its attack, and forged
// chains made by breaking one thing of a real, passing chain at a time. Each case asserts the
// exact checks that fail.
//
// Cases of the verifier's list (issue 12) covered here, with real workers only: decision task
// created directly by a client holding the same scopes (not through the hook); artifact bytes
// replaced after the fact; hook version changed after the fire (its stored bytes). The cases that
// need a worker signing something wrong are in chain_forgery_test.cc.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/process/identity.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "services/verifier/tests/chain_test.h"

namespace bulwark::verifier {
namespace {

using auth::SignedContext;

class ChainIntegrationTest : public ChainTest {
 protected:
  static void SetUpTestSuite() { StartCluster({}); }

  // A release of the trusted repository, run by the real workers to the signing task's end.
  static Release RunRelease(const std::string& revision) {
    Release r = FireRelease(kTrustedRepository, revision);
    WaitResolved(r.signing);
    return r;
  }
};

TEST_F(ChainIntegrationTest, AReleaseFromTheHookIsVerifiedAndSigned) {
  Release r = RunRelease("0123abc");
  auto status = cluster_->workers().Status(r.signing);
  ASSERT_TRUE(status.ok());
  std::string report = Artifact(r.signing, "public/logs/chain_of_trust.log");
  EXPECT_EQ(status->state(), queue::v1::TASK_STATE_COMPLETED) << report;
  EXPECT_TRUE(absl::StrContains(report, "as signing: PASS")) << report;
  // The signing task consumed the build's artifact, checked, and signed its digest.
  std::string app = Artifact(r.build, "public/build/app.txt");
  EXPECT_EQ(app, "demo app at 0123abc\n");
  std::string digest = Artifact(r.signing, "public/release/app.txt.sha256");
  EXPECT_EQ(digest.size(), 65u) << digest;

  v1::Verification after = Verify(r.signing, v1::ROOT_MODE_COMPLETED);
  EXPECT_EQ(after.verdict(), v1::VERDICT_PASS) << after.DebugString();
  EXPECT_TRUE(ChainCluster::FailedChecks(after).empty());
  EXPECT_EQ(after.policy_version(), cluster_->policy_version());
  EXPECT_EQ(after.repository(), kTrustedRepository);
  EXPECT_EQ(after.links_size(), 3) << after.DebugString();
}

// Runs `bulwark verify-attestation ARGS` (offline: no address given); returns its exit code and
// puts its stdout in `*out`.
int VerifyAttestationCli(const std::string& args, std::string* out) {
  const std::string file = absl::StrCat(testing::OutputDir(), "/verify-attestation.out");
  const std::string command = absl::StrCat(testing::RunfilePath("tools/cli/bulwark"),
                                           " verify-attestation ", args, " > '", file, "' 2>&1");
  int status = std::system(command.c_str());
  *out = testing::ReadFile(file);
  return (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

TEST_F(ChainIntegrationTest, APassedVerificationIssuesAnAttestationAnyoneCanCheckOffline) {
  Release r = RunRelease("fedcba9");
  // No one asks: the signing worker verifies the completed task once more, and that passing
  // verification has the verifier attest the task's artifacts (shortly after the run resolved).
  hawk::Credentials root = cluster_->Root();
  v1::GetAttestationRequest request;
  request.set_task_id(r.signing);
  v1::Attestation attestation;
  grpc::Status s;
  for (absl::Time give_up = absl::Now() + absl::Seconds(30); absl::Now() < give_up;
       absl::SleepFor(absl::Milliseconds(200))) {
    s = cluster_->Verifier()->GetAttestation(SignedContext(&root).get(), request, &attestation);
    if (s.error_code() != grpc::StatusCode::NOT_FOUND) break;
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(attestation.key_id(), "chain-attestation-1");
  // The public keys need no credentials.
  grpc::ClientContext anonymous;
  v1::GetAttestationKeysResponse keys;
  s = cluster_->Verifier()->GetAttestationKeys(&anonymous, v1::GetAttestationKeysRequest(), &keys);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const std::string dir = testing::OutputDir();
  std::ofstream(dir + "/attestation.json") << attestation.envelope();
  std::string jwks;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(keys, &jwks).ok());
  std::ofstream(dir + "/verifier-keys.json") << jwks;
  std::ofstream(dir + "/app.txt.sha256") << Artifact(r.signing, "public/release/app.txt.sha256");
  std::ofstream(dir + "/other.txt") << "not what was signed\n";

  std::string out;
  const std::string common =
      absl::StrCat(dir, "/attestation.json --jwks=", dir, "/verifier-keys.json --artifact=", dir);
  ASSERT_EQ(VerifyAttestationCli(common + "/app.txt.sha256", &out), 0) << out;
  for (const std::string& want :
       {std::string("signature:   OK, key chain-attestation-1"),
        std::string("is subject public/release/app.txt.sha256"),
        std::string("hook:        demo/release (triggerHook)"),
        absl::StrCat("repository:  ", kTrustedRepository), std::string("revision:    fedcba9"),
        absl::StrCat("public/build/app.txt  from signing:build (task ", r.build)}) {
    EXPECT_TRUE(absl::StrContains(out, want)) << want << "\n" << out;
  }
  EXPECT_EQ(VerifyAttestationCli(common + "/other.txt", &out), 1) << out;
  EXPECT_TRUE(absl::StrContains(out, "is not the digest of any subject")) << out;
}

TEST_F(ChainIntegrationTest, ASigningTaskCreatedAroundTheHookIsRefusedAndNeverRuns) {
  hawk::Credentials root = cluster_->Root();
  // A client holding every scope the release's signing task has.
  auth::v1::CreateClientRequest create;
  create.set_client_id("mallory/laptop");
  *create.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  for (const char* scope :
       {"queue:create-task:lowest:proj-demo/signing", "queue:create-task:project:none",
        "queue:scheduler-id:-", "project:demo:signing:cert:release"}) {
    create.add_scopes(scope);
  }
  auth::v1::CreateClientResponse mallory;
  grpc::Status s =
      cluster_->auth().Stub()->CreateClient(SignedContext(&root).get(), create, &mallory);
  ASSERT_TRUE(s.ok()) << s.error_message();
  hawk::Credentials creds;
  creds.client_id = mallory.client().client_id();
  creds.access_token = mallory.access_token();

  queue::v1::CreateTaskRequest request;
  request.set_task_id(NiceSlugid(Random::Secure()));
  queue::v1::TaskDefinition* t = request.mutable_task();
  t->set_task_queue_id(kSigningPool);
  t->set_scheduler_id("-");
  *t->mutable_created() = ToProtoTimestamp(absl::Now());
  *t->mutable_deadline() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  t->add_scopes("project:demo:signing:cert:release");
  t->mutable_metadata()->set_name("sign");
  t->mutable_metadata()->set_description("mine");
  t->mutable_metadata()->set_owner("m@example.com");
  t->mutable_metadata()->set_source(std::string(kTrustedRepository) + "/tree/0123abc");
  *t->mutable_payload() =
      *StructFromJson({{"command", {"sh", "-c", "echo SIGNED-ANYWAY"}}, {"maxRunTime", 60}});
  queue::v1::CreateTaskResponse created;
  s = cluster_->queue().Stub()->CreateTask(SignedContext(&creds).get(), request, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();

  auto status = cluster_->workers().WaitResolved(request.task_id(), kTimeout);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->state(), queue::v1::TASK_STATE_EXCEPTION);
  ASSERT_GE(status->runs_size(), 1);
  EXPECT_EQ(status->runs(0).reason_resolved(), "malformed-payload");
  std::string log = Artifact(request.task_id(), "public/logs/live_backing.log");
  EXPECT_FALSE(absl::StrContains(log, "SIGNED-ANYWAY")) << log;
  std::string report = Artifact(request.task_id(), "public/logs/chain_of_trust.log");
  EXPECT_TRUE(absl::StrContains(report, "as signing: FAIL")) << report;
  // Its own task group: it is its own decision task, and the hooks service did not create it.
  EXPECT_TRUE(absl::StrContains(report, "\u2717 decision.creator")) << report;
  // A failed verification issues no attestation.
  v1::GetAttestationRequest get;
  get.set_task_id(request.task_id());
  v1::Attestation none;
  s = cluster_->Verifier()->GetAttestation(SignedContext(&root).get(), get, &none);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
}

TEST_F(ChainIntegrationTest, ArtifactBytesReplacedAfterTheFactFailTheChain) {
  Release r = RunRelease("4567def");
  ASSERT_EQ(Verify(r.signing, v1::ROOT_MODE_COMPLETED).verdict(), v1::VERDICT_PASS);
  {
    pqxx::connection admin(cluster_->auth().database().AdminDsn());
    pqxx::work txn(admin);
    pqxx::result changed = txn.exec_params(
        "UPDATE queue.artifact_chunks SET data = set_byte(data, 0, (get_byte(data, 0) + 1) % 256) "
        "WHERE sha256 = (SELECT sha256 FROM queue.artifacts WHERE task_id = $1 AND name = $2)",
        r.build, std::string("public/build/app.txt"));
    ASSERT_EQ(changed.affected_rows(), 1u);
    txn.commit();
  }
  v1::Verification v = Verify(r.signing, v1::ROOT_MODE_COMPLETED);
  EXPECT_EQ(v.verdict(), v1::VERDICT_FAIL);
  EXPECT_EQ(ChainCluster::FailedChecks(v), std::set<std::string>{"signing/artifact.sha256"})
      << v.DebugString();
}

TEST_F(ChainIntegrationTest, AHookVersionChangedAfterTheFireFailsTheChain) {
  Release r = RunRelease("89abcde");
  ASSERT_EQ(Verify(r.signing, v1::ROOT_MODE_COMPLETED).verdict(), v1::VERDICT_PASS);
  {
    pqxx::connection admin(cluster_->auth().database().AdminDsn());
    pqxx::work txn(admin);
    pqxx::result changed = txn.exec(
        "UPDATE hooks.hook_versions SET definition = replace(definition, "
        "'release-decision', 'release-decision-evil')");
    ASSERT_GE(changed.affected_rows(), 1u);
    txn.commit();
  }
  v1::Verification v = Verify(r.signing, v1::ROOT_MODE_COMPLETED);
  EXPECT_EQ(v.verdict(), v1::VERDICT_FAIL);
  std::set<std::string> failed = ChainCluster::FailedChecks(v);
  EXPECT_EQ(failed.count("signing:decision/decision.hook-version"), 1u) << v.DebugString();
}

}  // namespace
}  // namespace bulwark::verifier
