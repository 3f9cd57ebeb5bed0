// PartitionedNonceCache on the in-memory partition store and a SimulatedClock, with replicas
// wired to each other by an in-process forwarder (the gRPC one is tested in
// services/auth/server/replica_grpc_service_test.cc, the whole across real servers in
// services/auth/tests/replay_across_replicas_test.cc). Each test is an attempt to replay a
// header somewhere it could slip through: on the other replica, after a rebalance, after the
// owner died, after its lease ran out, while writes behind fail, after the table was lost.
#include "services/auth/service/partitioned_nonce_cache.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/auth/store/in_memory_replay_partition_store.h"

namespace bulwark::auth {
namespace {

using ::testing::HasSubstr;

const absl::Duration kSkew = absl::Minutes(15);

// Calls the owner's RecordHere in process, as the gRPC forwarder does across the network.
class LocalForwarder final : public ReplayForwarder {
 public:
  explicit LocalForwarder(const Clock& clock) : clock_(clock) {}
  void Add(const std::string& address, ReplayOwner* owner) { owners_[address] = owner; }
  void Remove(const std::string& address) { owners_.erase(address); }
  int forwarded() const { return forwarded_; }

  void Forward(absl::string_view address, absl::string_view id, absl::string_view ts,
               absl::string_view nonce, absl::Time forget_after, absl::Time /*deadline*/,
               hawk::NonceCache::RecordDone done) override {
    ++forwarded_;
    auto it = owners_.find(std::string(address));
    if (it == owners_.end()) {
      std::move(done)(absl::UnavailableError("connection refused"));
      return;
    }
    absl::Status status = it->second->RecordHere(id, ts, nonce, clock_.Now(), forget_after);
    if (absl::IsFailedPrecondition(status)) status = absl::UnavailableError("moving");
    std::move(done)(std::move(status));
  }

 private:
  const Clock& clock_;
  std::map<std::string, ReplayOwner*> owners_;
  int forwarded_ = 0;
};

class PartitionedNonceCacheTest : public ::testing::Test {
 protected:
  PartitionedNonceCacheTest() : store_(clock_), forwarder_(clock_) {}

  PartitionedNonceCache& AddReplica(const std::string& name, size_t max_entries = 1 << 16) {
    PartitionedNonceCache::Options options;
    options.replica = name;
    options.max_entries = max_entries;
    auto cache = PartitionedNonceCache::Create(options, store_, forwarder_, clock_);
    EXPECT_TRUE(cache.ok()) << cache.status();
    PartitionedNonceCache& ref = **cache;
    ref.SetAddress(name + ":50051");
    forwarder_.Add(name + ":50051", &ref);
    replicas_.push_back(std::move(*cache));
    return ref;
  }

  void MaintainAll() {
    for (auto& replica : replicas_) ASSERT_TRUE(replica->Maintain(Deadline()).ok());
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

  std::string Ts() const { return absl::StrCat(absl::ToUnixSeconds(clock_.Now())); }

  absl::Status Record(PartitionedNonceCache& replica, const std::string& nonce,
                      const std::string& ts = "") {
    const std::string stamp = ts.empty() ? Ts() : ts;
    return replica.Record("client", stamp, nonce, clock_.Now(), clock_.Now() + kSkew, Deadline());
  }

  SimulatedClock clock_;
  InMemoryReplayPartitionStore store_;
  LocalForwarder forwarder_;
  std::vector<std::unique_ptr<PartitionedNonceCache>> replicas_;
};

TEST_F(PartitionedNonceCacheTest, NothingIsAcceptedBeforeTheFirstRound) {
  PartitionedNonceCache& a = AddReplica("a");
  EXPECT_FALSE(a.Ready());
  absl::Status status = Record(a, "n1");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr("no auth replica owns"));
  EXPECT_EQ(a.RecordHere("client", Ts(), "n1", clock_.Now(), clock_.Now() + kSkew).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(PartitionedNonceCacheTest, ALoneReplicaOwnsEveryPartitionAndRefusesReplays) {
  PartitionedNonceCache& a = AddReplica("a");
  MaintainAll();
  EXPECT_TRUE(a.Ready());
  EXPECT_EQ(a.Owned().size(), static_cast<size_t>(kReplayPartitions));
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(Record(a, absl::StrCat("n", i)).ok());
  }
  for (int i = 0; i < 100; ++i) {
    absl::Status replay = Record(a, absl::StrCat("n", i));
    EXPECT_EQ(replay.code(), absl::StatusCode::kAlreadyExists);
    EXPECT_EQ(replay.message(), hawk::kNonceAlreadyUsed);
  }
  EXPECT_EQ(store_.written(), 100u);  // every accepted triple written behind
  EXPECT_EQ(forwarder_.forwarded(), 0);
}

TEST_F(PartitionedNonceCacheTest, TwoReplicasShareThePartitionsAndRefuseEachOthersReplays) {
  PartitionedNonceCache& a = AddReplica("a");
  PartitionedNonceCache& b = AddReplica("b");
  for (int round = 0; round < 3; ++round) MaintainAll();
  EXPECT_EQ(a.Owned().size(), 32u);
  EXPECT_EQ(b.Owned().size(), 32u);
  EXPECT_TRUE(a.Ready());
  EXPECT_TRUE(b.Ready());
  for (int i = 0; i < 200; ++i) {
    PartitionedNonceCache& first = i % 2 == 0 ? a : b;
    PartitionedNonceCache& other = i % 2 == 0 ? b : a;
    const std::string nonce = absl::StrCat("n", i);
    ASSERT_TRUE(Record(first, nonce).ok()) << i;
    EXPECT_EQ(Record(other, nonce).code(), absl::StatusCode::kAlreadyExists) << i;
    EXPECT_EQ(Record(first, nonce).code(), absl::StatusCode::kAlreadyExists) << i;
  }
  EXPECT_GT(forwarder_.forwarded(), 100);
}

TEST_F(PartitionedNonceCacheTest, PartitionsMovedToANewReplicaKeepTheirNonces) {
  PartitionedNonceCache& a = AddReplica("a");
  MaintainAll();
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(Record(a, absl::StrCat("n", i)).ok());
  PartitionedNonceCache& b = AddReplica("b");
  for (int round = 0; round < 3; ++round) MaintainAll();
  ASSERT_EQ(b.Owned().size(), 32u);
  // Half of them now belong to b, which loaded what a wrote behind; the rest are forwarded.
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(Record(b, absl::StrCat("n", i)).code(), absl::StatusCode::kAlreadyExists) << i;
    EXPECT_EQ(Record(a, absl::StrCat("n", i)).code(), absl::StatusCode::kAlreadyExists) << i;
  }
}

TEST_F(PartitionedNonceCacheTest, AReplicaThatLeavesHandsOverAtOnceWithItsNonces) {
  PartitionedNonceCache& a = AddReplica("a");
  PartitionedNonceCache& b = AddReplica("b");
  for (int round = 0; round < 3; ++round) MaintainAll();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Record(a, absl::StrCat("n", i)).ok());
  ASSERT_TRUE(a.Leave(Deadline()).ok());
  forwarder_.Remove("a:50051");
  ASSERT_TRUE(b.Maintain(Deadline()).ok());  // no lease to wait out
  EXPECT_EQ(b.Owned().size(), static_cast<size_t>(kReplayPartitions));
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(Record(b, absl::StrCat("n", i)).code(), absl::StatusCode::kAlreadyExists) << i;
  }
  EXPECT_TRUE(Record(b, "fresh").ok());
}

TEST_F(PartitionedNonceCacheTest, ADeadOwnersPartitionsAreTakenOverAfterItsLeaseWithItsNonces) {
  PartitionedNonceCache& a = AddReplica("a");
  MaintainAll();
  const std::string signed_at = Ts();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Record(a, absl::StrCat("n", i), signed_at).ok());
  // a dies: no more rounds, no Leave, nothing answers at its address.
  forwarder_.Remove("a:50051");
  PartitionedNonceCache& b = AddReplica("b");
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_TRUE(b.Owned().empty());  // a's leases still run
  EXPECT_EQ(Record(b, "n0", signed_at).code(), absl::StatusCode::kUnavailable);  // never unchecked
  clock_.Advance(a.options().lease + absl::Seconds(1));
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_EQ(b.Owned().size(), static_cast<size_t>(kReplayPartitions));
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(Record(b, absl::StrCat("n", i), signed_at).code(), absl::StatusCode::kAlreadyExists)
        << i;
  }
}

TEST_F(PartitionedNonceCacheTest, AnOwnerStopsAcceptingBeforeAnotherReplicaCanTakeOver) {
  PartitionedNonceCache& a = AddReplica("a");
  MaintainAll();
  PartitionedNonceCache& b = AddReplica("b");
  const absl::Time before = clock_.Now();
  const std::string signed_at = Ts();
  // a cannot renew (say, the database is out of its reach); time passes up to its margin.
  clock_.Advance(a.options().lease - a.options().margin);
  absl::Status lapsed = Record(a, "late");
  EXPECT_EQ(lapsed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(lapsed.message()), HasSubstr("lease"));
  // Also for a caller whose own `now` was read before the cut-off (it waited meanwhile).
  EXPECT_EQ(a.Record("client", signed_at, "stale", before, before + kSkew, Deadline()).code(),
            absl::StatusCode::kUnavailable);
  // And b cannot take anything over yet: a stopped first.
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_TRUE(b.Owned().empty());
  // Once the lease has run out, b takes over and accepts; a, still not renewed, never does.
  clock_.Advance(a.options().margin + absl::Seconds(1));
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_EQ(b.Owned().size(), static_cast<size_t>(kReplayPartitions));
  forwarder_.Remove("a:50051");
  ASSERT_TRUE(Record(b, "stale", signed_at).ok());
  EXPECT_EQ(a.Record("client", signed_at, "stale", before, before + kSkew, Deadline()).code(),
            absl::StatusCode::kUnavailable);
}

// Forwards everything to an in-memory store, but holds writes behind until told.
class DeferringStore final : public ReplayPartitionStore {
 public:
  explicit DeferringStore(ReplayPartitionStore& inner) : inner_(inner) {}
  void Flush() {
    std::vector<std::function<void()>> writes;
    {
      absl::MutexLock lock(&mu_);
      writes.swap(held_);
    }
    for (auto& w : writes) w();
  }
  size_t held() {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }

  absl::StatusOr<int> Heartbeat(absl::string_view r, absl::string_view a, absl::Duration t,
                                absl::Time d) override {
    return inner_.Heartbeat(r, a, t, d);
  }
  absl::StatusOr<std::vector<int>> Renew(absl::string_view r, absl::Duration t,
                                         absl::Time d) override {
    return inner_.Renew(r, t, d);
  }
  absl::StatusOr<std::vector<int>> Claim(absl::string_view r, absl::string_view a, absl::Duration t,
                                         int m, absl::Time d) override {
    return inner_.Claim(r, a, t, m, d);
  }
  absl::StatusOr<std::vector<int>> Succeed(absl::string_view r, absl::string_view a,
                                           absl::Duration t, absl::Time d) override {
    return inner_.Succeed(r, a, t, d);
  }
  absl::Status Release(absl::string_view r, const std::vector<int>& p, absl::Time d) override {
    return inner_.Release(r, p, d);
  }
  absl::Status HandOver(absl::string_view r, const std::vector<int>& p, absl::string_view to,
                        absl::string_view ta, absl::Duration t, absl::Time d) override {
    return inner_.HandOver(r, p, to, ta, t, d);
  }
  absl::StatusOr<std::vector<Member>> Members(absl::Time d) override { return inner_.Members(d); }
  absl::Status Leave(absl::string_view r, absl::Time d) override { return inner_.Leave(r, d); }
  absl::StatusOr<std::vector<Owner>> Owners(absl::Time d) override { return inner_.Owners(d); }
  absl::StatusOr<PartitionNonces> LoadPartition(int p, absl::Time n, absl::Time d) override {
    return inner_.LoadPartition(p, n, d);
  }
  absl::StatusOr<int64_t> PurgeNonces(absl::Time n, absl::Time d) override {
    return inner_.PurgeNonces(n, d);
  }
  void WriteBehind(const hawk::InMemoryNonceCache::Key& key, absl::Time now,
                   absl::Time forget_after, absl::Time deadline,
                   hawk::NonceCache::RecordDone done) override {
    absl::MutexLock lock(&mu_);
    held_.push_back(
        [this, key, now, forget_after, deadline,
         done = std::make_shared<hawk::NonceCache::RecordDone>(std::move(done))]() mutable {
          inner_.WriteBehind(key, now, forget_after, deadline, std::move(*done));
        });
  }

 private:
  ReplayPartitionStore& inner_;
  absl::Mutex mu_;
  std::vector<std::function<void()>> held_ ABSL_GUARDED_BY(mu_);
};

TEST_F(PartitionedNonceCacheTest, APartitionIsHandedOverOnlyOnceItsWritesBehindLanded) {
  DeferringStore slow(store_);
  PartitionedNonceCache::Options options;
  options.replica = "a";
  auto created = PartitionedNonceCache::Create(options, slow, forwarder_, clock_);
  ASSERT_TRUE(created.ok());
  PartitionedNonceCache& a = **created;
  a.SetAddress("a:50051");
  forwarder_.Add("a:50051", &a);
  ASSERT_TRUE(a.Maintain(Deadline()).ok());
  const std::string signed_at = Ts();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Record(a, absl::StrCat("n", i), signed_at).ok());
  ASSERT_EQ(slow.held(), 50u);  // accepted, not yet in the table
  PartitionedNonceCache& b = AddReplica("b");
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  // a hands over only partitions with no write in flight; it keeps accepting the others.
  std::vector<int> pending;
  for (int i = 0; i < 50; ++i) {
    pending.push_back(ReplayPartitionOf(
        hawk::InMemoryNonceCache::Digest("client", signed_at, absl::StrCat("n", i))));
  }
  std::sort(pending.begin(), pending.end());
  pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
  EXPECT_FALSE(a.HandOverAll(absl::Now() + absl::Milliseconds(100)).ok());
  EXPECT_EQ(a.Owned(), pending);
  EXPECT_EQ(Record(a, "n0", signed_at).code(), absl::StatusCode::kAlreadyExists);
  // Once they land, it can; b loads them and refuses every replay.
  slow.Flush();
  ASSERT_TRUE(a.HandOverAll(Deadline()).ok());
  EXPECT_TRUE(a.Owned().empty());
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_EQ(b.Owned().size(), static_cast<size_t>(kReplayPartitions));
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(Record(b, absl::StrCat("n", i), signed_at).code(), absl::StatusCode::kAlreadyExists)
        << i;
  }
  // a forwards to b now.
  EXPECT_EQ(Record(a, "n1", signed_at).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(Record(a, "fresh", signed_at).ok());
  slow.Flush();
}

TEST_F(PartitionedNonceCacheTest, FailedWritesBehindStopThePartitionUntilRetried) {
  PartitionedNonceCache& a = AddReplica("a");
  MaintainAll();
  // Nonces of one partition among the upper half (the half a gives up when b joins).
  auto partition_of = [&](const std::string& nonce) {
    return ReplayPartitionOf(hawk::InMemoryNonceCache::Digest("client", Ts(), nonce));
  };
  std::vector<std::string> same;
  for (int i = 0; same.size() < 2 && i < 10000; ++i) {
    const std::string nonce = absl::StrCat("n", i);
    if (partition_of(nonce) >= kReplayPartitions / 2 &&
        (same.empty() || partition_of(nonce) == partition_of(same[0]))) {
      same.push_back(nonce);
    }
  }
  ASSERT_EQ(same.size(), 2u);
  const int partition = partition_of(same[0]);
  store_.FailWrites(true);
  ASSERT_TRUE(Record(a, same[0]).ok());  // accepted; its write behind fails
  absl::Status refused = Record(a, same[1]);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("not taking writes"));
  // Nor is the partition handed over while its nonce exists only here.
  PartitionedNonceCache& b = AddReplica("b");
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_FALSE(a.Maintain(Deadline()).ok());
  std::vector<int> owned = a.Owned();
  EXPECT_NE(std::find(owned.begin(), owned.end(), partition), owned.end());
  // Once the table takes writes again, the next round writes it and lets the partition go.
  store_.FailWrites(false);
  ASSERT_TRUE(a.Maintain(Deadline()).ok());
  EXPECT_EQ(store_.written(), 1u);
  owned = a.Owned();
  EXPECT_EQ(std::find(owned.begin(), owned.end(), partition), owned.end());
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_EQ(Record(b, same[0]).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Record(b, same[1]).ok());
}

TEST_F(PartitionedNonceCacheTest, AfterTheTableWasLostANewOwnerRefusesWhatWasSignedBefore) {
  PartitionedNonceCache& a = AddReplica("a");
  MaintainAll();
  const std::string before = Ts();
  ASSERT_TRUE(Record(a, "n1", before).ok());
  store_.LoseNonces(clock_.Now());
  ASSERT_TRUE(a.Leave(Deadline()).ok());
  forwarder_.Remove("a:50051");
  clock_.Advance(absl::Seconds(5));
  PartitionedNonceCache& b = AddReplica("b");
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  ASSERT_EQ(b.Owned().size(), static_cast<size_t>(kReplayPartitions));
  absl::Status replay = Record(b, "n1", before);
  EXPECT_EQ(replay.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(replay.message()),
              HasSubstr("signed before replay protection restarted"));
  EXPECT_TRUE(Record(b, "n2").ok());  // signed now
}

TEST_F(PartitionedNonceCacheTest, FullMemoryRefusesRatherThanForgets) {
  PartitionedNonceCache& a = AddReplica("a", /*max_entries=*/16);  // one per shard
  MaintainAll();
  std::vector<std::string> accepted;
  int exhausted = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string nonce = absl::StrCat("n", i);
    absl::Status status = Record(a, nonce);
    if (status.ok()) accepted.push_back(nonce);
    if (absl::IsResourceExhausted(status)) ++exhausted;
  }
  EXPECT_EQ(accepted.size(), 16u);
  EXPECT_EQ(exhausted, 200 - 16);
  for (const std::string& nonce : accepted) {
    EXPECT_EQ(Record(a, nonce).code(), absl::StatusCode::kAlreadyExists);
  }
}

TEST_F(PartitionedNonceCacheTest, ThreeReplicasSettleOnFairShares) {
  AddReplica("a");
  MaintainAll();
  AddReplica("b");
  AddReplica("c");
  for (int round = 0; round < 4; ++round) MaintainAll();
  size_t total = 0;
  for (auto& replica : replicas_) {
    EXPECT_LE(replica->Owned().size(), 22u);
    EXPECT_GE(replica->Owned().size(), 20u);
    EXPECT_TRUE(replica->Ready());
    total += replica->Owned().size();
  }
  EXPECT_EQ(total, static_cast<size_t>(kReplayPartitions));
}

TEST_F(PartitionedNonceCacheTest, CreateRefusesUnsafeTimings) {
  PartitionedNonceCache::Options options;
  options.replica = "a";
  options.margin = options.write_behind_timeout;  // writes could land after a takeover
  EXPECT_EQ(PartitionedNonceCache::Create(options, store_, forwarder_, clock_).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.margin = absl::Seconds(2);
  options.maintain_interval = absl::Seconds(5);  // renewed less than twice before it lapses
  EXPECT_EQ(PartitionedNonceCache::Create(options, store_, forwarder_, clock_).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.maintain_interval = absl::Seconds(1);
  options.replica.clear();
  EXPECT_EQ(PartitionedNonceCache::Create(options, store_, forwarder_, clock_).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.replica = "a";
  auto cache = PartitionedNonceCache::Create(options, store_, forwarder_, clock_);
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ((*cache)->Maintain(Deadline()).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PartitionedNonceCacheTest, ARestartAtTheSameAddressTakesOverAtOnceAndKeepsTheNonces) {
  PartitionedNonceCache& a = AddReplica("a");
  MaintainAll();
  const std::string signed_at = Ts();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Record(a, absl::StrCat("n", i), signed_at).ok());
  // a's process dies (no Leave); a new one listens at the same address, with a new id.
  forwarder_.Remove("a:50051");
  PartitionedNonceCache::Options options;
  options.replica = "a2";
  auto again = PartitionedNonceCache::Create(options, store_, forwarder_, clock_);
  ASSERT_TRUE(again.ok());
  PartitionedNonceCache& a2 = **again;
  a2.SetAddress("a:50051");
  forwarder_.Add("a:50051", &a2);
  // Not before the predecessor's last writes can have landed...
  ASSERT_TRUE(a2.Maintain(Deadline()).ok());
  EXPECT_TRUE(a2.Owned().empty());
  EXPECT_EQ(Record(a2, "n0", signed_at).code(), absl::StatusCode::kUnavailable);
  // ...then at once, without waiting out the leases.
  clock_.Advance(options.write_behind_timeout);
  ASSERT_TRUE(a2.Maintain(Deadline()).ok());
  EXPECT_EQ(a2.Owned().size(), static_cast<size_t>(kReplayPartitions));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(Record(a2, absl::StrCat("n", i), signed_at).code(), absl::StatusCode::kAlreadyExists)
        << i;
  }
  // A replica at another address gets nothing early.
  PartitionedNonceCache& b = AddReplica("b");
  ASSERT_TRUE(b.Maintain(Deadline()).ok());
  EXPECT_TRUE(b.Owned().empty());
}

}  // namespace
}  // namespace bulwark::auth
