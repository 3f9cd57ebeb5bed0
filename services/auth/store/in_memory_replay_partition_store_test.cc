// InMemoryReplayPartitionStore: the conformance suite, then its test hooks and what only a
// clock-driven store shows: leases and memberships end as its clock moves; LoseNonces empties
// the nonces and makes the next load (or write) set `since`; FailWrites refuses writes.
#include "services/auth/store/in_memory_replay_partition_store.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "services/auth/store/replay_partition_store_conformance.h"

namespace bulwark::auth {
namespace {

const absl::Time kForever = absl::InfiniteFuture();
const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kTs[] = "1700000000";
const absl::Time kForget = kNow + absl::Minutes(15);

ReplayPartitionStoreUnderTest MakeInMemoryStore() {
  auto clock = std::make_shared<SimulatedClock>();
  auto store = std::make_shared<InMemoryReplayPartitionStore>(*clock);
  std::weak_ptr<InMemoryReplayPartitionStore> weak = store;
  return {store, clock, [weak] {
            if (auto s = weak.lock()) s->LoseNonces(absl::Now());
          }};
}

INSTANTIATE_TEST_SUITE_P(InMemory, ReplayPartitionStoreConformanceTest,
                         ::testing::Values(&MakeInMemoryStore));

// WriteBehind's answer (the in-memory store answers on the calling thread).
absl::Status Write(InMemoryReplayPartitionStore& store, const std::string& nonce, absl::Time now,
                   const std::string& ts = kTs) {
  absl::Status answer = absl::InternalError("not answered");
  store.WriteBehind(hawk::InMemoryNonceCache::Digest("c", ts, nonce), now, kForget, kForever,
                    [&answer](absl::Status s) { answer = std::move(s); });
  return answer;
}

int PartitionOf(const std::string& nonce, const std::string& ts = kTs) {
  return ReplayPartitionOf(hawk::InMemoryNonceCache::Digest("c", ts, nonce));
}

class InMemoryReplayPartitionStoreTest : public ::testing::Test {
 protected:
  SimulatedClock clock_;
  InMemoryReplayPartitionStore store_{clock_};
};

TEST_F(InMemoryReplayPartitionStoreTest, LeasesEndAsTheClockMoves) {
  ASSERT_EQ(store_.Claim("a", "a:1", absl::Seconds(10), 64, kForever).value().size(), 64u);
  clock_.Advance(absl::Seconds(10));  // a lease is live up to its end, inclusive
  EXPECT_EQ(store_.Owners(kForever).value().size(), 64u);
  EXPECT_TRUE(store_.Claim("b", "b:1", absl::Seconds(10), 2, kForever).value().empty());
  clock_.Advance(absl::Microseconds(1));
  EXPECT_TRUE(store_.Owners(kForever).value().empty());
  EXPECT_TRUE(store_.Renew("a", absl::Seconds(10), kForever).value().empty());
  EXPECT_EQ(store_.Claim("b", "b:1", absl::Seconds(10), 2, kForever).value(),
            std::vector<int>({0, 1}));
}

TEST_F(InMemoryReplayPartitionStoreTest, MembershipsEndAsTheClockMoves) {
  ASSERT_EQ(store_.Heartbeat("a", "a:1", absl::Seconds(30), kForever).value(), 1);
  clock_.Advance(absl::Seconds(20));
  ASSERT_EQ(store_.Heartbeat("b", "b:1", absl::Seconds(30), kForever).value(), 2);
  clock_.Advance(absl::Seconds(20));
  EXPECT_EQ(store_.Heartbeat("b", "b:1", absl::Seconds(30), kForever).value(), 1);
}

TEST_F(InMemoryReplayPartitionStoreTest, LoseNoncesEmptiesTheNoncesAndTheNextLoadSetsSince) {
  ASSERT_TRUE(Write(store_, "a", kNow).ok());
  ASSERT_TRUE(Write(store_, "b", kNow).ok());
  EXPECT_EQ(store_.written(), 2u);
  EXPECT_EQ(store_.LoadPartition(PartitionOf("a"), kNow, kForever).value().since,
            absl::InfinitePast());
  store_.LoseNonces(kNow + absl::Seconds(1));
  EXPECT_EQ(store_.written(), 0u);
  // The time the next load is given, not the time of the loss.
  const absl::Time reset = kNow + absl::Seconds(7);
  absl::StatusOr<ReplayPartitionStore::PartitionNonces> loaded =
      store_.LoadPartition(PartitionOf("a"), reset, kForever);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->since, reset);
  EXPECT_TRUE(loaded->nonces.empty());
  EXPECT_EQ(store_.LoadPartition(PartitionOf("b"), reset + absl::Hours(1), kForever).value().since,
            reset);
  // Writes go on after the loss (the new owner refuses by `since`, not the store).
  EXPECT_TRUE(Write(store_, "c", reset, "1700000007").ok());
  // A second loss moves it again.
  store_.LoseNonces(reset + absl::Hours(2));
  EXPECT_EQ(store_.LoadPartition(0, reset + absl::Hours(3), kForever).value().since,
            reset + absl::Hours(3));
}

TEST_F(InMemoryReplayPartitionStoreTest, FailWritesRefusesUnavailableAndWritesNothing) {
  store_.FailWrites(true);
  absl::Status refused = Write(store_, "a", kNow);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_EQ(store_.written(), 0u);
  store_.FailWrites(false);
  EXPECT_TRUE(Write(store_, "a", kNow).ok());
  EXPECT_EQ(store_.written(), 1u);
}

TEST_F(InMemoryReplayPartitionStoreTest, AStaleTripleIsAnsweredOkAndNotWritten) {
  // Its forget_after (kForget) has passed: nothing to remember.
  absl::Status answer = Write(store_, "stale", kForget + absl::Seconds(1));
  EXPECT_TRUE(answer.ok()) << answer;
  EXPECT_EQ(store_.written(), 0u);
}

}  // namespace
}  // namespace bulwark::auth
