// Auth's background work on a simulated clock: the purge removes a client once the injected
// clock has passed its expiry; the periodic resync picks up a role changed behind this
// replica's back (no notification) on its next round; the audit checkpoint is taken at start
// and then once per interval of the injected clock, each covering the head at that time; the
// replay purge drops shared nonces once the injected clock has passed their window.
#include "services/auth/server/auth_runtime.h"

#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"
#include "services/auth/service/fake_token_sealer.h"
#include "services/auth/store/in_memory_auth_store.h"

namespace bulwark::auth {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);
const absl::Time kForever = absl::InfiniteFuture();

class AuthBackgroundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthService::Dependencies deps;
    deps.store = &store_;
    deps.sealer = &sealer_;
    deps.clock = &clock_;
    deps.random = &random_;
    service_ = std::move(AuthService::Create({}, deps, kForever)).value();
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1795435200)};
  SeededRandom random_{11};
  AuditKeyring audit_keys_ = AuditKeyring::ForTesting();
  InMemoryAuthStore store_{clock_, audit_keys_};
  FakeTokenSealer sealer_;
  std::unique_ptr<AuthService> service_;
  Caller root_{"static/bulwark/root", {"*"}};
};

TEST_F(AuthBackgroundTest, PurgeRemovesAClientOnceTheInjectedClockPassesItsExpiry) {
  v1::CreateClientRequest request;
  request.set_client_id("project/ephemeral");
  request.set_description("d");
  request.set_delete_on_expiration(true);
  *request.mutable_expires() = ToProtoTimestamp(clock_.Now() + absl::Minutes(90));
  ASSERT_TRUE(service_->clients().CreateClient(root_, request, kForever).ok());

  auto purge = StartPurge(*service_, clock_, absl::Hours(1));
  ASSERT_TRUE(purge->WaitForRounds(1, kWait));  // at start: nothing expired yet
  EXPECT_TRUE(store_.GetClient("project/ephemeral", kForever).ok());
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(purge->WaitForRounds(2, kWait));
  EXPECT_TRUE(store_.GetClient("project/ephemeral", kForever).ok()) << "purged before expiry";
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(purge->WaitForRounds(3, kWait));
  EXPECT_EQ(store_.GetClient("project/ephemeral", kForever).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AuthBackgroundTest, ResyncPicksUpARoleChangedWithoutANotification) {
  auto resync = StartResync(*service_, clock_, absl::Minutes(10));
  // Another replica's change this one never heard of.
  ASSERT_TRUE(
      store_
          .ChangeRoles(
              [&](RoleTransaction&) -> absl::StatusOr<RoleChange> {
                RoleChange change;
                change.upsert = RoleRow{
                    "project:ci", "d", {"queue:create-task:ci"}, clock_.Now(), clock_.Now()};
                return change;
              },
              kForever)
          .ok());
  auto expanded = [&] {
    return service_->roles().snapshot()->Expand(std::vector<std::string>{"assume:project:ci"});
  };
  EXPECT_EQ(expanded(), std::vector<std::string>{"assume:project:ci"});
  clock_.Advance(absl::Minutes(10));
  ASSERT_TRUE(resync->WaitForRounds(1, kWait));
  EXPECT_EQ(expanded(), (std::vector<std::string>{"assume:project:ci", "queue:create-task:ci"}));
  EXPECT_EQ(resync->failures(), 0);
}

TEST_F(AuthBackgroundTest, AuditCheckpointsFollowTheHeadOnTheInjectedClock) {
  AuditCheckpoints checkpoints(store_, audit_keys_, clock_);
  auto task = StartAuditCheckpoints(checkpoints, clock_, absl::Seconds(60));
  ASSERT_TRUE(task->WaitForRounds(1, kWait));  // at start: the empty history
  ASSERT_TRUE(checkpoints.Newest().has_value());
  EXPECT_EQ(checkpoints.Newest()->sequence, 0);
  EXPECT_EQ(checkpoints.Newest()->at, clock_.Now());

  v1::CreateClientRequest request;
  request.set_client_id("project/a");
  request.set_description("d");
  *request.mutable_expires() = ToProtoTimestamp(clock_.Now() + absl::Hours(1));
  ASSERT_TRUE(service_->clients().CreateClient(root_, request, kForever).ok());
  EXPECT_EQ(checkpoints.Newest()->sequence, 0) << "no round before the interval passes";
  clock_.Advance(absl::Seconds(60));
  ASSERT_TRUE(task->WaitForRounds(2, kWait));
  AuditCheckpoint cp = *checkpoints.Newest();
  EXPECT_EQ(cp.sequence, 1);
  EXPECT_EQ(cp.hash, (*store_.AuditHead(kForever))->hash);
  EXPECT_EQ(cp.at, clock_.Now());
  EXPECT_EQ(CheckAuditCheckpointMac(audit_keys_, cp), "");
  EXPECT_EQ(task->failures(), 0);

  // The service reports this replica's newest checkpoint when the request carries none.
  AuthService::Dependencies deps;
  deps.store = &store_;
  deps.sealer = &sealer_;
  deps.clock = &clock_;
  deps.random = &random_;
  deps.audit_checkpoints = &checkpoints;
  auto service = std::move(AuthService::Create({}, deps, kForever)).value();
  auto verified = service->VerifyAuditHistory(root_, {}, kForever);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->intact());
  EXPECT_TRUE(verified->checkpoint().checked());
  EXPECT_EQ(verified->checkpoint().source(), "replica");
  EXPECT_EQ(verified->checkpoint().checkpoint().sequence(), 1);
  EXPECT_TRUE(verified->checkpoint().mac_valid());
  EXPECT_TRUE(verified->checkpoint().history_matches());
  store_.TruncateAuditHistory(0);
  verified = service->VerifyAuditHistory(root_, {}, kForever);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact()) << "an empty chain is intact";
  EXPECT_FALSE(verified->checkpoint().history_matches());
  EXPECT_NE(verified->checkpoint().message().find("truncated"), std::string::npos);
}

TEST(AuthReplayPurgeTest, DropsSharedNoncesOnceTheInjectedClockPassesTheirWindow) {
  SimulatedClock clock(absl::FromUnixSeconds(1795435200));
  SeededRandom random(11);
  AuditKeyring audit_keys = AuditKeyring::ForTesting();
  InMemoryAuthStore store(clock, audit_keys);
  FakeTokenSealer sealer;
  auto shared = hawk::InMemoryNonceCache::Create({}).value();  // stands in for PostgreSQL
  AuthService::Dependencies deps;
  deps.store = &store;
  deps.sealer = &sealer;
  deps.clock = &clock;
  deps.random = &random;
  deps.shared_nonces = shared.get();
  auto service = std::move(AuthService::Create({}, deps, kForever)).value();
  const absl::Time now = clock.Now();
  ASSERT_TRUE(shared->Record("c", "1", "short", now, now + absl::Minutes(1)).ok());
  ASSERT_TRUE(shared->Record("c", "1", "long", now, now + absl::Minutes(30)).ok());

  auto purge = StartReplayPurge(*service, clock, absl::Minutes(1));
  clock.Advance(absl::Minutes(1));
  ASSERT_TRUE(purge->WaitForRounds(1, kWait));
  EXPECT_EQ(shared->size(), 2u) << "purged at the last instant of its window";
  clock.Advance(absl::Minutes(1));
  ASSERT_TRUE(purge->WaitForRounds(2, kWait));
  EXPECT_EQ(shared->size(), 1u);
  EXPECT_EQ(shared->Record("c", "1", "long", clock.Now(), now + absl::Minutes(30)).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(purge->failures(), 0);
}

}  // namespace
}  // namespace bulwark::auth
