// The expirer on the injected clock: nothing is deleted before its time, everything is once the
// clock passes it, and a pile larger than one round's batches is cleared over several rounds.
#include "services/verifier/server/expirer.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/crypto/encoding.h"
#include "services/verifier/store/in_memory_attestation_store.h"
#include "services/verifier/store/in_memory_verifier_store.h"

namespace bulwark::verifier {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1780000000);
// How long a test waits for the expirer's rounds (it stops waiting as soon as they are done).
// Generous: under ThreadSanitizer a round over the 100,000-attestation pile below took over
// 10 s when other tests shared the machine.
const absl::Duration kWait = absl::Seconds(60);
const absl::Duration kRetention = absl::Hours(24 * 30);

class ExpirerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string policy = "{\"version\": \"1\", \"taskTypes\": {}}\n";
    ASSERT_TRUE(verifications_
                    .RecordPolicy("1", absl::BytesToHexString(crypto::Sha256(policy)), policy,
                                  kStart, absl::InfiniteFuture())
                    .ok());
  }

  void AddVerification(const std::string& id, absl::Time created) {
    VerificationRecord v;
    v.verification_id = id;
    v.task_id = "task-" + id;
    v.task_type = "signing";
    v.verdict = VerificationRecord::Verdict::kPass;
    v.policy_version = "1";
    v.report = "{}";
    v.checks_passed = 1;
    v.created = created;
    ASSERT_TRUE(verifications_.InsertVerification(v, absl::InfiniteFuture()).ok());
  }

  void AddAttestation(const std::string& id, absl::Time expires) {
    AttestationRecord a;
    a.verification_id = id;
    a.task_id = "task-" + id;
    a.key_id = "verifier-1";
    a.envelope = "{}";
    a.created = kStart;
    a.expires = expires;
    ASSERT_TRUE(attestations_.InsertAttestation(a, absl::InfiniteFuture()).ok());
  }

  bool HasVerification(const std::string& id) {
    return verifications_.GetVerification(id, absl::InfiniteFuture()).ok();
  }
  bool HasAttestation(const std::string& id) {
    return attestations_.LatestAttestation("task-" + id, absl::InfiniteFuture()).ok();
  }

  SimulatedClock clock_{kStart};
  InMemoryVerifierStore verifications_{clock_};
  InMemoryAttestationStore attestations_{clock_};
};

TEST_F(ExpirerTest, DeletesOnlyWhatThePassingClockHasExpired) {
  AddVerification("old", kStart);
  AddVerification("new", kStart + absl::Hours(24 * 10));
  AddAttestation("soon", kStart + absl::Hours(24 * 20));
  AddAttestation("late", kStart + absl::Hours(24 * 400));

  auto expirer = StartExpirer(verifications_, &attestations_, clock_, absl::Hours(1), kRetention);
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(expirer->WaitForRounds(1, kWait));
  EXPECT_TRUE(HasVerification("old") && HasVerification("new"));
  EXPECT_TRUE(HasAttestation("soon") && HasAttestation("late"));

  // 31 days in: "old" is past the retention, "soon" past its expiry; the others stay.
  clock_.Advance(absl::Hours(24 * 31) - absl::Hours(1));
  ASSERT_TRUE(expirer->WaitForRounds(2, kWait));
  EXPECT_FALSE(HasVerification("old"));
  EXPECT_TRUE(HasVerification("new"));
  EXPECT_FALSE(HasAttestation("soon"));
  EXPECT_TRUE(HasAttestation("late"));
  EXPECT_EQ(expirer->failures(), 0);
}

TEST_F(ExpirerTest, WithoutAnAttestationStoreOnlyVerificationsExpire) {
  AddVerification("old", kStart);
  auto expirer = StartExpirer(verifications_, nullptr, clock_, absl::Hours(1), kRetention);
  clock_.Advance(kRetention + absl::Hours(1));
  ASSERT_TRUE(expirer->WaitForRounds(1, kWait));
  EXPECT_FALSE(HasVerification("old"));
  EXPECT_EQ(expirer->failures(), 0);
}

TEST_F(ExpirerTest, APileLargerThanOneRoundIsClearedOverSeveralRounds) {
  const int pile = kMaxBatchesPerRound * AttestationStore::kMaxExpireBatch + 5;
  for (int i = 0; i < pile; ++i) AddAttestation(absl::StrCat("a", i), kStart + absl::Hours(1));
  auto expirer = StartExpirer(verifications_, &attestations_, clock_, absl::Hours(1), kRetention);
  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(expirer->WaitForRounds(1, kWait));
  // One round deleted its bounded share; the rest waits for the next round.
  auto page = attestations_.ListAttestations("", 1000, "", absl::InfiniteFuture());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->attestations.size(), 5u);
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(expirer->WaitForRounds(2, kWait));
  page = attestations_.ListAttestations("", 1000, "", absl::InfiniteFuture());
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->attestations.empty());
}

}  // namespace
}  // namespace bulwark::verifier
