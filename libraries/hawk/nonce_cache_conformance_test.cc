// The NonceCache conformance suite for the in-process caches: InMemoryNonceCache alone, and
// TieredNonceCache with an in-memory cache in front of another standing in for the shared
// store. Plus what only the tiered pair does: a local replay never reaches the shared store,
// a replay the shared store refuses is refused, and a shared store that fails refuses.
#include "libraries/hawk/nonce_cache_conformance.h"

#include <memory>

#include "libraries/hawk/nonce_cache.h"
#include "libraries/hawk/tiered_nonce_cache.h"

namespace bulwark::hawk {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);
const absl::Time kForget = kNow + absl::Minutes(15);
const absl::Time kForever = absl::InfiniteFuture();

std::shared_ptr<InMemoryNonceCache> InMemory(size_t entries = 1 << 17) {
  InMemoryNonceCache::Options options;
  options.max_entries = entries;
  return std::shared_ptr<InMemoryNonceCache>(InMemoryNonceCache::Create(options).value());
}

NonceCacheUnderTest MakeInMemoryCache() { return {InMemory(), nullptr}; }

struct Tiers {
  std::shared_ptr<InMemoryNonceCache> local = InMemory();
  std::shared_ptr<InMemoryNonceCache> shared = InMemory();
};

NonceCacheUnderTest MakeTieredCache() {
  auto tiers = std::make_shared<Tiers>();
  return {std::make_shared<TieredNonceCache>(*tiers->local, *tiers->shared), tiers};
}

INSTANTIATE_TEST_SUITE_P(InMemory, NonceCacheConformanceTest,
                         ::testing::Values(&MakeInMemoryCache));
INSTANTIATE_TEST_SUITE_P(Tiered, NonceCacheConformanceTest, ::testing::Values(&MakeTieredCache));

// Counts what reaches it, and answers with `answer` (OK: records in `inner`).
class CountingStore final : public NonceCache {
 public:
  absl::Status Record(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                      absl::Time now, absl::Time forget_after, absl::Time deadline) override {
    ++calls;
    last_deadline = deadline;
    if (!answer.ok()) return answer;
    return inner->Record(id, ts, nonce, now, forget_after, deadline);
  }
  int calls = 0;
  absl::Time last_deadline;
  absl::Status answer;
  std::shared_ptr<InMemoryNonceCache> inner = InMemory();
};

TEST(TieredNonceCacheTest, ALocalReplayNeverReachesTheSharedStore) {
  auto local = InMemory();
  CountingStore shared;
  TieredNonceCache tiered(*local, shared);
  const absl::Time deadline = kNow + absl::Seconds(3);
  ASSERT_TRUE(tiered.Record("c", "1700000000", "n", kNow, kForget, deadline).ok());
  EXPECT_EQ(shared.calls, 1);
  EXPECT_EQ(shared.last_deadline, deadline);
  EXPECT_EQ(tiered.Record("c", "1700000000", "n", kNow, kForget, deadline).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(shared.calls, 1);
}

TEST(TieredNonceCacheTest, ATripleAnotherReplicaRecordedIsRefused) {
  CountingStore shared;
  auto replica_a = InMemory();
  auto replica_b = InMemory();
  TieredNonceCache a(*replica_a, shared);
  TieredNonceCache b(*replica_b, shared);
  ASSERT_TRUE(a.Record("c", "1700000000", "n", kNow, kForget, kForever).ok());
  EXPECT_EQ(b.Record("c", "1700000000", "n", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(b.Record("c", "1700000000", "m", kNow, kForget, kForever).ok());
  EXPECT_EQ(a.Record("c", "1700000000", "m", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(TieredNonceCacheTest, ASharedStoreThatFailsRefusesTheRequest) {
  auto local = InMemory();
  CountingStore shared;
  shared.answer = absl::UnavailableError("replay protection unavailable: database down");
  TieredNonceCache tiered(*local, shared);
  EXPECT_EQ(tiered.Record("c", "1700000000", "n", kNow, kForget, kForever).code(),
            absl::StatusCode::kUnavailable);
  // Still refused once the store is back: the local cache kept it (the client signs anew).
  shared.answer = absl::OkStatus();
  EXPECT_EQ(tiered.Record("c", "1700000000", "n", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(TieredNonceCacheTest, AFullLocalCacheRefusesWithoutAskingTheSharedStore) {
  InMemoryNonceCache::Options options;
  options.max_entries = 1;
  options.shards = 1;
  auto local = InMemoryNonceCache::Create(options).value();
  CountingStore shared;
  TieredNonceCache tiered(*local, shared);
  ASSERT_TRUE(tiered.Record("c", "1700000000", "a", kNow, kForget, kForever).ok());
  EXPECT_EQ(tiered.Record("c", "1700000000", "b", kNow, kForget, kForever).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(shared.calls, 1);
}

}  // namespace
}  // namespace bulwark::hawk
