// VerifierService with an AttestationIssuer, on a realistic chain built in a FakeChainSource
// (a decision task fired by a hook, a build, and a signing task consuming the build's tarball,
// each signed by its worker): a passed VerifyTask issues a signed attestation that verifies
// offline against the published keys and names the file's digest; a failed one issues none.

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/attest/attestation.h"
#include "libraries/authn/caller.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "libraries/hookfire/firing.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "nlohmann/json.hpp"
#include "services/verifier/service/attestation_issuer.h"
#include "services/verifier/service/chain_builder.h"
#include "services/verifier/service/fake_chain_source.h"
#include "services/verifier/service/task_normalizer.h"
#include "services/verifier/service/verifier_service.h"
#include "services/verifier/store/in_memory_attestation_store.h"
#include "services/verifier/store/in_memory_verifier_store.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;

constexpr char kRepo[] = "https://git.example.com/proj/app";
constexpr char kRevision[] = "0123abcd";
constexpr char kTarball[] = "public/build/app.tar.gz";
constexpr char kSignature[] = "public/build/app.tar.gz.sig";

std::string Sha256Hex(const std::string& bytes) {
  return absl::BytesToHexString(crypto::Sha256(bytes));
}

crypto::SigningKey Key(const std::string& id, uint64_t seed) {
  SeededRandom random(seed);
  return {id, crypto::Ed25519PrivateKey::Generate(random).value()};
}

class VerifierServiceAttestationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SeededRandom random(11);
    decision_id_ = NiceSlugid(random);
    build_id_ = NiceSlugid(random);
    signing_id_ = NiceSlugid(random);
    BuildChain();
    absl::Status loaded = service_.LoadPolicy(Policy().dump(), kForever);
    ASSERT_TRUE(loaded.ok()) << loaded;
    service_.set_attestation_issuer(&issuer_);
  }

  json Policy() const {
    auto key = [](const char* id, const FakeWorker& w, const char* pool) {
      return json{{"id", id},
                  {"publicKey", w.PublicKeyBase64()},
                  {"pools", {pool}},
                  {"notBefore", "2024-01-01T00:00:00Z"},
                  {"notAfter", "2025-01-01T00:00:00Z"}};
    };
    return {{"version", "7"},
            {"workerKeys",
             {key("decision", decision_worker_, "proj-3/decision"),
              key("build", build_worker_, "proj-3/build"),
              key("signing", signing_worker_, "proj-3/signing")}},
            {"decisionPools", {"proj-3/decision"}},
            {"taskTypes",
             {{"decision", {{"pools", {"proj-3/decision"}}}},
              {"build", {{"pools", {"proj-3/build"}}}},
              {"signing", {{"pools", {"proj-3/signing"}}}}}},
            {"hooks",
             {{"proj/on-push",
               {{"repository", {{"pointer", "/payload/repository"}}},
                {"revision", {{"pointer", "/payload/revision"}}}}}}},
            {"trustedRepositories", {{{"prefix", kRepo}, {"path", "proj/app"}}}},
            {"restrictedScopes", json::object()},
            {"aliases", json::object()}};
  }

  json Task(const std::string& name, const std::string& pool) const {
    return {{"taskQueueId", pool},
            {"taskGroupId", decision_id_},
            {"created", hookfire::IsoMillis(fire_time_ + absl::Minutes(1))},
            {"deadline", hookfire::IsoMillis(fire_time_ + absl::Hours(24))},
            {"payload", {{"command", {"make", name}}, {"maxRunTime", 3600}}},
            {"metadata",
             {{"name", name},
              {"description", "the " + name + " task"},
              {"owner", "ci@example.com"},
              {"source", std::string(kRepo) + "/raw/" + kRevision + "/.taskcluster.yml"}}}};
  }

  void BuildChain() {
    hook_version_ = {
        {"hookGroupId", "proj"},
        {"hookId", "on-push"},
        {"task",
         {{"provisionerId", "proj-3"},
          {"workerType", "decision"},
          {"deadline", {{"$fromNow", "1 day"}}},
          {"payload", {{"command", {"decide", "${payload.revision}"}}, {"maxRunTime", 600}}},
          {"metadata",
           {{"name", "decision"},
            {"description", "the decision task of a push"},
            {"owner", "ci@example.com"},
            {"source", "${payload.repository}/raw/${payload.revision}/.taskcluster.yml"}}}}}};
    hookfire::FireContext fire{"triggerHook",
                               {{"repository", kRepo}, {"revision", kRevision}},
                               "git-webhook",
                               fire_time_,
                               decision_id_};
    ASSERT_TRUE(chain_.FireHook(hook_version_, fire).ok());
    json build = Task("build", "proj-3/build");
    build["dependencies"] = {decision_id_};
    json signing = Task("signing", "proj-3/signing");
    signing["dependencies"] = {build_id_};
    signing["payload"] = {
        {"maxRunTime", 600},
        {"upstreamArtifacts",
         {{{"taskId", build_id_}, {"taskType", "build"}, {"paths", {kTarball}}}}}};
    ASSERT_TRUE(chain_.CreateTask(build_id_, build, "task-client", {}).ok());
    ASSERT_TRUE(chain_.CreateTask(signing_id_, signing, "task-client", {}).ok());
    json graph = {{build_id_, {{"task", build}}}, {signing_id_, {{"task", signing}}}};
    ASSERT_TRUE(chain_
                    .RunTask(decision_id_, decision_worker_, {{kTaskGraphArtifact, graph.dump(2)}},
                             fire_time_ + absl::Minutes(5))
                    .ok());
    ASSERT_TRUE(chain_
                    .RunTask(build_id_, build_worker_, {{kTarball, tarball_}},
                             fire_time_ + absl::Minutes(20))
                    .ok());
    ASSERT_TRUE(chain_
                    .RunTask(signing_id_, signing_worker_, {{kSignature, signature_}},
                             fire_time_ + absl::Minutes(30))
                    .ok());
    clock_.Set(fire_time_ + absl::Hours(1));
  }

  absl::StatusOr<v1::Verification> Verify() {
    v1::VerifyTaskRequest request;
    request.set_task_id(signing_id_);
    request.set_task_type("signing");
    return service_.VerifyTask(Caller{"releng", {"verifier:verify-task:signing"}}, request,
                               clock_.Now() + absl::Minutes(1));
  }

  json PublishedKeys() {
    absl::StatusOr<v1::GetAttestationKeysResponse> keys = issuer_.GetAttestationKeys(kForever);
    EXPECT_TRUE(keys.ok()) << keys.status();
    return JsonFromStruct(keys->jwks());
  }

  const absl::Time kForever = absl::InfiniteFuture();
  absl::Time fire_time_ =
      absl::FromCivil(absl::CivilMinute(2024, 6, 1, 12, 0), absl::UTCTimeZone());
  SimulatedClock clock_{fire_time_};
  FakeChainSource source_{clock_};
  ChainBuilder chain_{source_};
  FakeWorker decision_worker_ = FakeWorker::Make("proj-3/decision", 1);
  FakeWorker build_worker_ = FakeWorker::Make("proj-3/build", 2);
  FakeWorker signing_worker_ = FakeWorker::Make("proj-3/signing", 3);
  std::string tarball_ = "the release tarball";
  std::string signature_ = "a detached signature of the tarball";
  json hook_version_;
  std::string decision_id_, build_id_, signing_id_;
  InMemoryVerifierStore store_{clock_};
  InMemoryAttestationStore attestations_{clock_};
  SeededRandom random_{5};
  crypto::SigningKeyring keys_ =
      crypto::SigningKeyring::Create({Key("verifier-2026-05", 1), Key("verifier-2026-11", 2)})
          .value();
  AttestationIssuer issuer_{attestations_, keys_, clock_, absl::Hours(24 * 365)};
  VerifierService service_{store_, source_, QueueTaskNormalizer(), clock_, random_};
};

TEST_F(VerifierServiceAttestationTest, APassIssuesAnAttestationThatVerifiesOffline) {
  absl::StatusOr<v1::Verification> verification = Verify();
  ASSERT_TRUE(verification.ok()) << verification.status();
  ASSERT_EQ(verification->verdict(), v1::VERDICT_PASS);
  ASSERT_EQ(attestations_.size(), 1u);

  v1::GetAttestationRequest get;
  get.set_task_id(signing_id_);
  absl::StatusOr<v1::Attestation> attestation = issuer_.GetAttestation(
      Caller{"anyone", {"verifier:get-attestation:" + signing_id_}}, get, kForever);
  ASSERT_TRUE(attestation.ok()) << attestation.status();
  EXPECT_EQ(attestation->verification_id(), verification->verification_id());
  EXPECT_EQ(attestation->task_id(), signing_id_);
  EXPECT_EQ(attestation->run_id(), 0);
  EXPECT_EQ(attestation->key_id(), "verifier-2026-11");  // the current key
  EXPECT_EQ(FromProtoTimestamp(attestation->expires()), clock_.Now() + absl::Hours(24 * 365));
  ASSERT_GE(attestation->subjects_size(), 2);

  // Offline: only the envelope, the published keys and the file.
  absl::StatusOr<attest::VerifiedAttestation> checked =
      attest::VerifyAttestation(attestation->envelope(), PublishedKeys());
  ASSERT_TRUE(checked.ok()) << checked.status();
  absl::StatusOr<attest::ArtifactDigest> subject =
      attest::MatchSubject(checked->view, Sha256Hex(signature_));
  ASSERT_TRUE(subject.ok()) << subject.status();
  EXPECT_EQ(subject->name, kSignature);
  EXPECT_EQ(attest::MatchSubject(checked->view, Sha256Hex(signature_ + "x")).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const attest::StatementView& v = checked->view;
  EXPECT_EQ(v.hook, "proj/on-push");
  EXPECT_EQ(v.fired_by, "triggerHook");
  EXPECT_EQ(v.repository, kRepo);
  EXPECT_EQ(v.revision, kRevision);
  EXPECT_EQ(v.builder_id, "bulwark:worker-pool/proj-3/signing");
  EXPECT_EQ(v.invocation_id, signing_id_ + "/0");
  EXPECT_EQ(v.verification_id, verification->verification_id());
  EXPECT_EQ(v.policy_version, "7");
  ASSERT_EQ(v.upstream.size(), 1u);
  EXPECT_EQ(v.upstream[0].task_id, build_id_);
  EXPECT_EQ(v.upstream[0].name, kTarball);
  EXPECT_EQ(v.upstream[0].sha256, Sha256Hex(tarball_));
  EXPECT_EQ(v.chain.size(), 3u);
  EXPECT_EQ(checked->statement["predicate"]["buildDefinition"]["internalParameters"]["task"],
            *source_.Task(signing_id_));
}

TEST_F(VerifierServiceAttestationTest, AFailedVerificationIssuesNoAttestation) {
  source_.PutArtifact(build_id_, 0, kTarball, "a trojan tarball");
  absl::StatusOr<v1::Verification> verification = Verify();
  ASSERT_TRUE(verification.ok()) << verification.status();
  EXPECT_EQ(verification->verdict(), v1::VERDICT_FAIL);
  EXPECT_EQ(attestations_.size(), 0u);
  v1::GetAttestationRequest get;
  get.set_task_id(signing_id_);
  EXPECT_EQ(issuer_.GetAttestation(Caller{"a", {"verifier:get-attestation:*"}}, get, kForever)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  // And the issuer itself refuses a failed report.
  VerificationReport failed;
  failed.passed = false;
  failed.provenance = attest::Provenance();
  EXPECT_EQ(issuer_.Issue(failed, "v1", kForever).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(VerifierServiceAttestationTest, ReadsNeedTheirScopes) {
  ASSERT_TRUE(Verify().ok());
  v1::GetAttestationRequest get;
  get.set_task_id(signing_id_);
  absl::Status denied = issuer_.GetAttestation(Caller{"eve", {}}, get, kForever).status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("verifier:get-attestation:" + signing_id_), std::string::npos)
      << denied;
  v1::ListAttestationsRequest list;
  EXPECT_EQ(issuer_
                .ListAttestations(Caller{"eve", {"verifier:list-attestations:" + signing_id_}},
                                  list, kForever)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  list.set_task_id(signing_id_);
  absl::StatusOr<v1::ListAttestationsResponse> listed = issuer_.ListAttestations(
      Caller{"eve", {"verifier:list-attestations:" + signing_id_}}, list, kForever);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->attestations_size(), 1);
  list.set_limit(1001);
  EXPECT_EQ(issuer_.ListAttestations(Caller{"r", {"verifier:list-attestations:*"}}, list, kForever)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  get.set_task_id("");
  EXPECT_EQ(issuer_.GetAttestation(Caller{"r", {"*"}}, get, kForever).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VerifierServiceAttestationTest, KeysArePublishedWithHowLongEachIsNeeded) {
  ASSERT_TRUE(Verify().ok());
  absl::StatusOr<v1::GetAttestationKeysResponse> keys = issuer_.GetAttestationKeys(kForever);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->current_key_id(), "verifier-2026-11");
  json jwks = JsonFromStruct(keys->jwks());
  ASSERT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(jwks["keys"][0]["kid"], "verifier-2026-05");
  EXPECT_EQ(jwks["keys"][1]["kty"], "OKP");
  ASSERT_EQ(keys->needed_until().size(), 1u);
  EXPECT_EQ(FromProtoTimestamp(keys->needed_until().at("verifier-2026-11")),
            clock_.Now() + absl::Hours(24 * 365));
}

TEST_F(VerifierServiceAttestationTest, AfterRotationOldAttestationsStillVerify) {
  // Issued under a keyring whose current key is the old one...
  crypto::SigningKeyring before =
      crypto::SigningKeyring::Create({Key("verifier-2026-05", 1)}).value();
  AttestationIssuer old_issuer(attestations_, before, clock_);
  service_.set_attestation_issuer(&old_issuer);
  ASSERT_TRUE(Verify().ok());
  v1::GetAttestationRequest get;
  get.set_task_id(signing_id_);
  std::string old_envelope = issuer_.GetAttestation(Caller{"r", {"*"}}, get, kForever)->envelope();
  // ...it still verifies with the rotated keyring's published keys (old key kept).
  service_.set_attestation_issuer(&issuer_);
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(Verify().ok());
  absl::StatusOr<v1::Attestation> newest =
      issuer_.GetAttestation(Caller{"r", {"*"}}, get, kForever);
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->key_id(), "verifier-2026-11");
  absl::StatusOr<attest::VerifiedAttestation> old_checked =
      attest::VerifyAttestation(old_envelope, PublishedKeys());
  ASSERT_TRUE(old_checked.ok()) << old_checked.status();
  EXPECT_EQ(old_checked->keyid, "verifier-2026-05");
  absl::StatusOr<v1::GetAttestationKeysResponse> keys = issuer_.GetAttestationKeys(kForever);
  EXPECT_EQ(keys->needed_until().size(), 2u);
}

}  // namespace
}  // namespace bulwark::verifier
