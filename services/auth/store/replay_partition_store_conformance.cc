#include "services/auth/store/replay_partition_store_conformance.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace bulwark::auth {
namespace {

using Key = hawk::InMemoryNonceCache::Key;

const absl::Time kForever = absl::InfiniteFuture();
const absl::Duration kLive = absl::Minutes(5);
const absl::Duration kExpired = -absl::Seconds(1);
const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kTs[] = "1700000000";
const absl::Time kForget = kNow + absl::Minutes(15);

std::vector<int> Range(int from, int to) {  // [from, to)
  std::vector<int> v;
  for (int p = from; p < to; ++p) v.push_back(p);
  return v;
}

Key DigestOf(const std::string& nonce, const std::string& ts = kTs) {
  return hawk::InMemoryNonceCache::Digest("c", ts, nonce);
}

// The first nonce "n<i>" (client "c", ts kTs), i >= from, whose digest satisfies `want`.
std::string FindNonce(const std::function<bool(const Key&)>& want, int from = 0) {
  for (int i = from;; ++i) {
    std::string nonce = absl::StrCat("n", i);
    if (want(DigestOf(nonce))) return nonce;
  }
}
std::string NonceWithFirstByte(uint8_t byte) {
  return FindNonce([byte](const Key& k) { return k[0] == byte; });
}

// WriteBehind, waited for (its `done` may run on another thread). Reports a test failure and
// returns INTERNAL when `done` is not called within 10 s.
absl::Status WriteAndWait(ReplayPartitionStore& store, const std::string& nonce, absl::Time now,
                          absl::Time forget_after, const std::string& ts = kTs) {
  struct Answer {
    absl::Notification given;
    absl::Status status;
  };
  auto answer = std::make_shared<Answer>();
  store.WriteBehind(DigestOf(nonce, ts), now, forget_after, kForever, [answer](absl::Status s) {
    answer->status = std::move(s);
    answer->given.Notify();
  });
  if (!answer->given.WaitForNotificationWithTimeout(absl::Seconds(10))) {
    ADD_FAILURE() << "WriteBehind's done was not called for " << nonce;
    return absl::InternalError("not answered");
  }
  return answer->status;
}

std::vector<std::tuple<int, std::string, std::string>> AsTuples(
    const std::vector<ReplayPartitionStore::Owner>& owners) {
  std::vector<std::tuple<int, std::string, std::string>> t;
  for (const auto& o : owners) t.emplace_back(o.partition, o.replica, o.address);
  return t;
}

// partition -> replica of every live lease.
std::vector<std::pair<int, std::string>> OwnerPairs(ReplayPartitionStore& store) {
  std::vector<std::pair<int, std::string>> pairs;
  absl::StatusOr<std::vector<ReplayPartitionStore::Owner>> owners = store.Owners(kForever);
  EXPECT_TRUE(owners.ok()) << owners.status();
  if (!owners.ok()) return pairs;
  for (const auto& o : *owners) pairs.emplace_back(o.partition, o.replica);
  return pairs;
}

std::vector<std::pair<int, std::string>> Owned(const std::string& replica,
                                               const std::vector<int>& partitions) {
  std::vector<std::pair<int, std::string>> pairs;
  for (int p : partitions) pairs.emplace_back(p, replica);
  return pairs;
}

// The keys LoadPartition returned (in the given order).
std::set<Key> KeysOf(const ReplayPartitionStore::PartitionNonces& loaded) {
  std::set<Key> keys;
  for (const auto& [key, forget_after] : loaded.nonces) keys.insert(key);
  return keys;
}

}  // namespace

void ReplayPartitionStoreConformanceTest::SetUp() {
  under_test_ = GetParam()();
  store_ = under_test_.store.get();
  ASSERT_NE(store_, nullptr);
}

void ReplayPartitionStoreConformanceTest::TearDown() {
  store_ = nullptr;
  under_test_.store.reset();
  under_test_ = {};
}

TEST_P(ReplayPartitionStoreConformanceTest, ClaimTakesUpToMaxAscendingAndTheNextReplicaTheRest) {
  absl::StatusOr<std::vector<int>> a = store_->Claim("a", "a:1", kLive, 60, kForever);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, Range(0, 60));
  absl::StatusOr<std::vector<int>> b = store_->Claim("b", "b:1", kLive, 10, kForever);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*b, Range(60, 64));
  absl::StatusOr<std::vector<int>> c = store_->Claim("c", "c:1", kLive, 5, kForever);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->empty()) << c->size();
  // Nothing is taken for max <= 0, even with partitions free.
  ASSERT_TRUE(store_->Release("a", {3, 7}, kForever).ok());
  EXPECT_EQ(store_->Claim("c", "c:1", kLive, 0, kForever).value(), std::vector<int>());
  EXPECT_EQ(store_->Claim("c", "c:1", kLive, -1, kForever).value(), std::vector<int>());
  EXPECT_EQ(store_->Claim("c", "c:1", kLive, 1, kForever).value(), std::vector<int>({3}));
}

TEST_P(ReplayPartitionStoreConformanceTest, ALiveLeaseIsNotClaimable) {
  ASSERT_EQ(store_->Claim("a", "a:1", kLive, 64, kForever).value(), Range(0, 64));
  EXPECT_EQ(store_->Claim("b", "b:1", kLive, 64, kForever).value(), std::vector<int>());
  // Its own live leases are not taken again either.
  EXPECT_EQ(store_->Claim("a", "a:2", kLive, 64, kForever).value(), std::vector<int>());
  EXPECT_EQ(OwnerPairs(*store_), Owned("a", Range(0, 64)));
  ASSERT_TRUE(store_->Release("a", {5, 40}, kForever).ok());
  EXPECT_EQ(store_->Claim("b", "b:1", kLive, 64, kForever).value(), std::vector<int>({5, 40}));
}

TEST_P(ReplayPartitionStoreConformanceTest, AnExpiredLeaseIsClaimableAndNeverRenewed) {
  // A lease that has already ended when it is granted (ttl < 0) is not live...
  ASSERT_EQ(store_->Claim("a", "a:1", kExpired, 4, kForever).value(), Range(0, 4));
  EXPECT_TRUE(OwnerPairs(*store_).empty());
  // ... so renewing does not revive it,
  EXPECT_EQ(store_->Renew("a", kLive, kForever).value(), std::vector<int>());
  EXPECT_TRUE(OwnerPairs(*store_).empty());
  // and another replica takes it.
  ASSERT_EQ(store_->Claim("b", "b:1", kLive, 2, kForever).value(), Range(0, 2));
  EXPECT_EQ(store_->Renew("a", kLive, kForever).value(), std::vector<int>());
  EXPECT_EQ(OwnerPairs(*store_), Owned("b", Range(0, 2)));
  // The rest of a's expired leases go to the next claim, with the never-owned ones after them.
  EXPECT_EQ(store_->Claim("c", "c:1", kLive, 5, kForever).value(), Range(2, 7));
  // A lease renewed with a negative ttl ends too.
  EXPECT_EQ(store_->Renew("b", kExpired, kForever).value(), Range(0, 2));
  EXPECT_EQ(store_->Renew("b", kLive, kForever).value(), std::vector<int>());
  EXPECT_EQ(OwnerPairs(*store_), Owned("c", Range(2, 7)));
}

TEST_P(ReplayPartitionStoreConformanceTest, RenewReturnsExactlyWhatIsHeld) {
  ASSERT_EQ(store_->Claim("a", "a:1", kLive, 3, kForever).value(), Range(0, 3));
  ASSERT_EQ(store_->Claim("b", "b:1", kLive, 2, kForever).value(), Range(3, 5));
  EXPECT_EQ(store_->Renew("a", kLive, kForever).value(), Range(0, 3));
  EXPECT_EQ(store_->Renew("b", kLive, kForever).value(), Range(3, 5));
  ASSERT_TRUE(store_->Release("a", {1}, kForever).ok());
  EXPECT_EQ(store_->Renew("a", kLive, kForever).value(), std::vector<int>({0, 2}));
  EXPECT_EQ(store_->Renew("nobody", kLive, kForever).value(), std::vector<int>());
  // Renewed leases stay live and keep their owner.
  EXPECT_EQ(OwnerPairs(*store_),
            (std::vector<std::pair<int, std::string>>{{0, "a"}, {2, "a"}, {3, "b"}, {4, "b"}}));
}

TEST_P(ReplayPartitionStoreConformanceTest, ReleaseFreesOnlyTheCallersPartitions) {
  ASSERT_EQ(store_->Claim("a", "a:1", kLive, 4, kForever).value(), Range(0, 4));
  ASSERT_EQ(store_->Claim("b", "b:1", kLive, 4, kForever).value(), Range(4, 8));
  // b's release of a's partitions is a no-op; its own is freed.
  ASSERT_TRUE(store_->Release("b", {0, 1, 4}, kForever).ok());
  std::vector<std::pair<int, std::string>> expected = Owned("a", Range(0, 4));
  for (const auto& owned : Owned("b", Range(5, 8))) expected.push_back(owned);
  EXPECT_EQ(OwnerPairs(*store_), expected);
  ASSERT_TRUE(store_->Release("a", {0, 1, 5}, kForever).ok());
  ASSERT_TRUE(store_->Release("a", {}, kForever).ok());
  expected = Owned("a", {2, 3});
  for (const auto& owned : Owned("b", Range(5, 8))) expected.push_back(owned);
  EXPECT_EQ(OwnerPairs(*store_), expected);
  EXPECT_EQ(store_->Claim("c", "c:1", kLive, 10, kForever).value(),
            std::vector<int>({0, 1, 4, 8, 9, 10, 11, 12, 13, 14}));
}

TEST_P(ReplayPartitionStoreConformanceTest, OwnersListsLiveLeasesWithTheirAddress) {
  EXPECT_TRUE(store_->Owners(kForever).value().empty());
  ASSERT_EQ(store_->Claim("a", "10.0.0.1:50051", kLive, 2, kForever).value(), Range(0, 2));
  ASSERT_EQ(store_->Claim("b", "10.0.0.2:50051", kLive, 1, kForever).value(), Range(2, 3));
  ASSERT_EQ(store_->Claim("c", "10.0.0.3:50051", kExpired, 1, kForever).value(), Range(3, 4));
  absl::StatusOr<std::vector<ReplayPartitionStore::Owner>> owners = store_->Owners(kForever);
  ASSERT_TRUE(owners.ok()) << owners.status();
  EXPECT_EQ(
      AsTuples(*owners),
      (std::vector<std::tuple<int, std::string, std::string>>{
          {0, "a", "10.0.0.1:50051"}, {1, "a", "10.0.0.1:50051"}, {2, "b", "10.0.0.2:50051"}}));
  // A new owner's address replaces the old one's.
  ASSERT_EQ(store_->Claim("d", "10.0.0.4:50051", kLive, 1, kForever).value(), Range(3, 4));
  owners = store_->Owners(kForever);
  ASSERT_TRUE(owners.ok()) << owners.status();
  ASSERT_EQ(owners->size(), 4u);
  EXPECT_EQ(AsTuples(*owners).back(),
            std::make_tuple(3, std::string("d"), std::string("10.0.0.4:50051")));
}

TEST_P(ReplayPartitionStoreConformanceTest, HeartbeatCountsLiveMembersAndForgetsExpiredOnes) {
  EXPECT_EQ(store_->Heartbeat("a", "a:1", kLive, kForever).value(), 1);
  EXPECT_EQ(store_->Heartbeat("b", "b:1", kLive, kForever).value(), 2);
  EXPECT_EQ(store_->Heartbeat("a", "a:2", kLive, kForever).value(), 2) << "a counted once";
  // A member whose time has passed is not counted (not even by its own heartbeat).
  EXPECT_EQ(store_->Heartbeat("c", "c:1", kExpired, kForever).value(), 2);
  EXPECT_EQ(store_->Heartbeat("a", "a:2", kLive, kForever).value(), 2);
  // b's heartbeat lets its membership end.
  EXPECT_EQ(store_->Heartbeat("b", "b:1", kExpired, kForever).value(), 1);
  EXPECT_EQ(store_->Heartbeat("a", "a:2", kLive, kForever).value(), 1);
  // A forgotten member that heartbeats again is back.
  EXPECT_EQ(store_->Heartbeat("c", "c:1", kLive, kForever).value(), 2);
}

TEST_P(ReplayPartitionStoreConformanceTest, LeaveRemovesAMemberButNotItsLeases) {
  ASSERT_EQ(store_->Heartbeat("a", "a:1", kLive, kForever).value(), 1);
  ASSERT_EQ(store_->Heartbeat("b", "b:1", kLive, kForever).value(), 2);
  ASSERT_EQ(store_->Claim("b", "b:1", kLive, 2, kForever).value(), Range(0, 2));
  ASSERT_TRUE(store_->Leave("b", kForever).ok());
  EXPECT_EQ(store_->Heartbeat("a", "a:1", kLive, kForever).value(), 1);
  EXPECT_TRUE(store_->Leave("b", kForever).ok()) << "leaving twice is fine";
  EXPECT_TRUE(store_->Leave("never-joined", kForever).ok());
  EXPECT_EQ(OwnerPairs(*store_), Owned("b", Range(0, 2)));
}

TEST_P(ReplayPartitionStoreConformanceTest, ANonceWrittenBehindLoadsInItsPartitionOnly) {
  const Key key = DigestOf("n");
  const int home = ReplayPartitionOf(key);
  ASSERT_TRUE(WriteAndWait(*store_, "n", kNow, kForget).ok());
  for (int p = 0; p < kReplayPartitions; ++p) {
    absl::StatusOr<ReplayPartitionStore::PartitionNonces> loaded =
        store_->LoadPartition(p, kNow, kForever);
    ASSERT_TRUE(loaded.ok()) << p << ": " << loaded.status();
    EXPECT_EQ(loaded->since, absl::InfinitePast()) << "nothing was ever lost";
    if (p == home) {
      ASSERT_EQ(loaded->nonces.size(), 1u);
      EXPECT_EQ(loaded->nonces[0].first, key);
      EXPECT_EQ(loaded->nonces[0].second, kForget);
    } else {
      EXPECT_TRUE(loaded->nonces.empty()) << "partition " << p << " of " << home;
    }
  }
  // Written again (a retried write behind): not an error, whether or not the store notices.
  absl::Status again = WriteAndWait(*store_, "n", kNow, kForget);
  EXPECT_TRUE(again.ok() || absl::IsAlreadyExists(again)) << again;
}

TEST_P(ReplayPartitionStoreConformanceTest, ExpiredNoncesAreNotLoaded) {
  // Two nonces of one partition: one forgotten a minute after kNow, one after 15.
  const std::string soon = "n0";
  const int p = ReplayPartitionOf(DigestOf(soon));
  const std::string later = FindNonce([p](const Key& k) { return ReplayPartitionOf(k) == p; }, 1);
  ASSERT_TRUE(WriteAndWait(*store_, soon, kNow, kNow + absl::Minutes(1)).ok());
  ASSERT_TRUE(WriteAndWait(*store_, later, kNow, kForget).ok());
  EXPECT_EQ(KeysOf(store_->LoadPartition(p, kNow, kForever).value()),
            (std::set<Key>{DigestOf(soon), DigestOf(later)}));
  // Still there at its forget_after itself.
  EXPECT_EQ(KeysOf(store_->LoadPartition(p, kNow + absl::Minutes(1), kForever).value()),
            (std::set<Key>{DigestOf(soon), DigestOf(later)}));
  EXPECT_EQ(KeysOf(store_->LoadPartition(p, kNow + absl::Minutes(2), kForever).value()),
            std::set<Key>{DigestOf(later)});
  EXPECT_TRUE(
      store_->LoadPartition(p, kForget + absl::Seconds(1), kForever).value().nonces.empty());
  // An expired nonce is new again.
  EXPECT_TRUE(WriteAndWait(*store_, soon, kNow + absl::Minutes(2), kNow + absl::Minutes(3)).ok());
}

TEST_P(ReplayPartitionStoreConformanceTest, TheFirstAndLastPartitionsEndAtTheirBytes) {
  // Digests whose first byte is on either side of the partition boundaries 0|1 and 62|63, and
  // at both ends of the key space.
  std::map<uint8_t, Key> by_first_byte;
  for (uint8_t byte : {0x00, 0x03, 0x04, 0xfb, 0xfc, 0xff}) {
    const std::string nonce = NonceWithFirstByte(byte);
    ASSERT_TRUE(WriteAndWait(*store_, nonce, kNow, kForget).ok()) << nonce;
    by_first_byte[byte] = DigestOf(nonce);
  }
  auto keys = [&](std::initializer_list<uint8_t> bytes) {
    std::set<Key> s;
    for (uint8_t b : bytes) s.insert(by_first_byte[b]);
    return s;
  };
  EXPECT_EQ(KeysOf(store_->LoadPartition(0, kNow, kForever).value()), keys({0x00, 0x03}));
  EXPECT_EQ(KeysOf(store_->LoadPartition(1, kNow, kForever).value()), keys({0x04}));
  EXPECT_EQ(KeysOf(store_->LoadPartition(62, kNow, kForever).value()), keys({0xfb}));
  EXPECT_EQ(KeysOf(store_->LoadPartition(63, kNow, kForever).value()), keys({0xfc, 0xff}));
  for (int p : {2, 31, 61}) {
    EXPECT_TRUE(store_->LoadPartition(p, kNow, kForever).value().nonces.empty()) << p;
  }
}

TEST_P(ReplayPartitionStoreConformanceTest, RefusesPartitionsOutOfRangeAndEmptyReplicas) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(store_->LoadPartition(-1, kNow, kForever).status().code(), kInvalid);
  EXPECT_EQ(store_->LoadPartition(kReplayPartitions, kNow, kForever).status().code(), kInvalid);
  EXPECT_TRUE(store_->LoadPartition(kReplayPartitions - 1, kNow, kForever).ok());
  ASSERT_EQ(store_->Claim("a", "a:1", kLive, 2, kForever).value(), Range(0, 2));
  EXPECT_EQ(store_->Release("a", {0, 64}, kForever).code(), kInvalid);
  EXPECT_EQ(store_->Release("a", {-1}, kForever).code(), kInvalid);
  EXPECT_EQ(OwnerPairs(*store_), Owned("a", Range(0, 2))) << "a refused release frees nothing";
  EXPECT_EQ(store_->Heartbeat("", "x:1", kLive, kForever).status().code(), kInvalid);
  EXPECT_EQ(store_->Renew("", kLive, kForever).status().code(), kInvalid);
  EXPECT_EQ(store_->Claim("", "x:1", kLive, 1, kForever).status().code(), kInvalid);
  EXPECT_EQ(store_->Release("", {2}, kForever).code(), kInvalid);
  EXPECT_EQ(store_->Leave("", kForever).code(), kInvalid);
  EXPECT_EQ(OwnerPairs(*store_), Owned("a", Range(0, 2))) << "an empty replica claimed nothing";
}

TEST_P(ReplayPartitionStoreConformanceTest, ConcurrentClaimsNeverShareAPartition) {
  // Eight replicas claim at once, asking for twice what there is between them.
  constexpr int kReplicas = 8;
  std::vector<absl::StatusOr<std::vector<int>>> claimed(kReplicas, std::vector<int>());
  absl::Barrier* start = new absl::Barrier(kReplicas);  // deleted by the last one through it
  std::vector<std::thread> threads;
  for (int r = 0; r < kReplicas; ++r) {
    threads.emplace_back([&, r] {
      if (start->Block()) delete start;
      claimed[r] = store_->Claim(absl::StrCat("r", r), absl::StrCat("r", r, ":1"), kLive,
                                 2 * kReplayPartitions / kReplicas, kForever);
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<std::pair<int, std::string>> expected;
  std::set<int> taken;
  for (int r = 0; r < kReplicas; ++r) {
    ASSERT_TRUE(claimed[r].ok()) << r << ": " << claimed[r].status();
    EXPECT_TRUE(std::is_sorted(claimed[r]->begin(), claimed[r]->end())) << r;
    for (int p : *claimed[r]) {
      EXPECT_TRUE(taken.insert(p).second) << "partition " << p << " given twice";
      expected.emplace_back(p, absl::StrCat("r", r));
    }
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(OwnerPairs(*store_), expected);
  // Whatever they left is still free, and nothing else.
  absl::StatusOr<std::vector<int>> rest =
      store_->Claim("late", "late:1", kLive, kReplayPartitions, kForever);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(taken.size() + rest->size(), static_cast<size_t>(kReplayPartitions));
  for (int p : *rest) EXPECT_EQ(taken.count(p), 0u) << p;
}

TEST_P(ReplayPartitionStoreConformanceTest, LostNoncesMoveSinceToTheFirstLoadAfterTheLoss) {
  if (!under_test_.lose_nonces) GTEST_SKIP() << "this store cannot simulate a crash";
  const Key key = DigestOf("before");
  const int p = ReplayPartitionOf(key);
  ASSERT_TRUE(WriteAndWait(*store_, "before", kNow, kForget).ok());
  under_test_.lose_nonces();
  const absl::Time reset = kNow + absl::Seconds(10);
  absl::StatusOr<ReplayPartitionStore::PartitionNonces> loaded =
      store_->LoadPartition(p, reset, kForever);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->since, reset);
  EXPECT_TRUE(loaded->nonces.empty());
  // Later loads, of any partition, find the same time: it is set once.
  for (int q : {p, (p + 1) % kReplayPartitions}) {
    loaded = store_->LoadPartition(q, reset + absl::Minutes(1), kForever);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->since, reset) << q;
  }
  // Writes behind go on (a new owner refuses what was signed before `since` itself).
  absl::Status old = WriteAndWait(*store_, "old", reset, kForget, "1700000005");
  EXPECT_TRUE(old.ok() || absl::IsAlreadyExists(old)) << old;
  EXPECT_TRUE(WriteAndWait(*store_, "new", reset, kForget, "1700000010").ok());
}

TEST_P(ReplayPartitionStoreConformanceTest, AWriteBehindAfterTheLossSetsSinceToo) {
  if (!under_test_.lose_nonces) GTEST_SKIP() << "this store cannot simulate a crash";
  under_test_.lose_nonces();
  const absl::Time reset = kNow + absl::Seconds(30);
  EXPECT_TRUE(WriteAndWait(*store_, "after", reset, kForget, "1700000030").ok());
  absl::StatusOr<ReplayPartitionStore::PartitionNonces> loaded = store_->LoadPartition(
      ReplayPartitionOf(DigestOf("after", "1700000030")), reset + absl::Minutes(1), kForever);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->since, reset);
  EXPECT_EQ(KeysOf(*loaded), std::set<Key>{DigestOf("after", "1700000030")});
}

TEST_P(ReplayPartitionStoreConformanceTest, SucceedTakesOverWhatAnotherIdHeldAtTheSameAddress) {
  // The predecessor at a:1 holds 0..9 (live) and 18..19 (expired); b at b:1 holds 10..17.
  ASSERT_TRUE(store_->Heartbeat("old", "a:1", kLive, kForever).ok());
  ASSERT_TRUE(store_->Heartbeat("b", "b:1", kLive, kForever).ok());
  ASSERT_EQ(*store_->Claim("old", "a:1", kLive, 10, kForever), Range(0, 10));
  ASSERT_EQ(*store_->Claim("b", "b:1", kLive, 8, kForever), Range(10, 18));
  ASSERT_EQ(*store_->Claim("old", "a:1", kExpired, 2, kForever), Range(18, 20));
  absl::StatusOr<std::vector<int>> taken = store_->Succeed("new", "a:1", kLive, kForever);
  ASSERT_TRUE(taken.ok()) << taken.status();
  std::vector<int> want = Range(0, 10);
  want.push_back(18);
  want.push_back(19);
  EXPECT_EQ(*taken, want);
  EXPECT_EQ(*store_->Renew("new", kLive, kForever), want);
  EXPECT_TRUE(store_->Renew("old", kLive, kForever)->empty());
  EXPECT_EQ(*store_->Renew("b", kLive, kForever), Range(10, 18));  // another address: untouched
  // The predecessor is no longer counted as alive; b and the successor are.
  EXPECT_EQ(*store_->Heartbeat("new", "a:1", kLive, kForever), 2);
  // Nothing more to take the second time.
  EXPECT_TRUE(store_->Succeed("new", "a:1", kLive, kForever)->empty());
}

TEST_P(ReplayPartitionStoreConformanceTest, PurgeNoncesDeletesOnlyExpiredOnes) {
  ASSERT_TRUE(WriteAndWait(*store_, "old", kNow, kNow + absl::Seconds(1)).ok());
  ASSERT_TRUE(WriteAndWait(*store_, "young", kNow, kForget).ok());
  const absl::Time later = kNow + absl::Minutes(1);
  absl::StatusOr<int64_t> purged = store_->PurgeNonces(later, kForever);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  // Loading as of long ago: only what the purge left is there.
  const int young = ReplayPartitionOf(DigestOf("young"));
  const int old = ReplayPartitionOf(DigestOf("old"));
  EXPECT_EQ(KeysOf(*store_->LoadPartition(young, kNow, kForever)).count(DigestOf("young")), 1u);
  EXPECT_EQ(KeysOf(*store_->LoadPartition(old, kNow, kForever)).count(DigestOf("old")), 0u);
  EXPECT_EQ(*store_->PurgeNonces(later, kForever), 0);
}

TEST_P(ReplayPartitionStoreConformanceTest, HandOverMovesOnlyTheGiversPartitionsToTheRecipient) {
  ASSERT_EQ(*store_->Claim("a", "a:1", kLive, 10, kForever), Range(0, 10));
  ASSERT_EQ(*store_->Claim("c", "c:1", kLive, 2, kForever), Range(10, 12));
  // Only to a live member: b is not one yet, so nothing moves.
  EXPECT_EQ(store_->HandOver("a", {0}, "b", "b:1", kLive, kForever).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store_->Renew("a", kLive, kForever), Range(0, 10));
  ASSERT_TRUE(store_->Heartbeat("b", "b:1", kLive, kForever).ok());
  // 0..4 are a's; 10 is c's (left alone).
  ASSERT_TRUE(store_->HandOver("a", {0, 1, 2, 3, 4, 10}, "b", "b:1", kLive, kForever).ok());
  EXPECT_EQ(*store_->Renew("a", kLive, kForever), Range(5, 10));
  EXPECT_EQ(*store_->Renew("b", kLive, kForever), Range(0, 5));
  EXPECT_EQ(*store_->Renew("c", kLive, kForever), Range(10, 12));
  absl::StatusOr<std::vector<ReplayPartitionStore::Owner>> owners = store_->Owners(kForever);
  ASSERT_TRUE(owners.ok());
  ASSERT_GE(owners->size(), 1u);
  EXPECT_EQ((*owners)[0].replica, "b");
  EXPECT_EQ((*owners)[0].address, "b:1");
  EXPECT_EQ(store_->HandOver("a", {64}, "b", "b:1", kLive, kForever).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->HandOver("a", {1}, "", "b:1", kLive, kForever).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ReplayPartitionStoreConformanceTest, MembersAreTheLiveReplicasWithTheirLiveLeases) {
  ASSERT_TRUE(store_->Heartbeat("a", "a:1", kLive, kForever).ok());
  ASSERT_TRUE(store_->Heartbeat("b", "b:1", kLive, kForever).ok());
  ASSERT_TRUE(store_->Heartbeat("gone", "g:1", kExpired, kForever).ok());
  ASSERT_EQ(*store_->Claim("a", "a:1", kLive, 3, kForever), Range(0, 3));
  ASSERT_EQ(*store_->Claim("b", "b:1", kExpired, 2, kForever), Range(3, 5));  // not live
  absl::StatusOr<std::vector<ReplayPartitionStore::Member>> members = store_->Members(kForever);
  ASSERT_TRUE(members.ok()) << members.status();
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].replica, "a");
  EXPECT_EQ((*members)[0].address, "a:1");
  EXPECT_EQ((*members)[0].held, 3);
  EXPECT_EQ((*members)[1].replica, "b");
  EXPECT_EQ((*members)[1].held, 0);
}

}  // namespace bulwark::auth
