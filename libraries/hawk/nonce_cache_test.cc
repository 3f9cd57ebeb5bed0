#include "libraries/hawk/nonce_cache.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace bulwark::hawk {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::unique_ptr<InMemoryNonceCache> Cache(size_t max_entries, size_t shards) {
  InMemoryNonceCache::Options options;
  options.max_entries = max_entries;
  options.shards = shards;
  absl::StatusOr<std::unique_ptr<InMemoryNonceCache>> cache = InMemoryNonceCache::Create(options);
  EXPECT_TRUE(cache.ok()) << cache.status();
  return std::move(cache).value();
}

TEST(InMemoryNonceCacheTest, SecondUseIsRefused) {
  auto cache = Cache(100, 4);
  const absl::Time forget = kNow + absl::Minutes(15);
  EXPECT_TRUE(cache->Record("c", "1", "n", kNow, forget).ok());
  EXPECT_EQ(cache->Record("c", "1", "n", kNow, forget).code(), absl::StatusCode::kAlreadyExists);
  // Any other triple is new.
  EXPECT_TRUE(cache->Record("c", "1", "m", kNow, forget).ok());
  EXPECT_TRUE(cache->Record("c", "2", "n", kNow, forget).ok());
  EXPECT_TRUE(cache->Record("d", "1", "n", kNow, forget).ok());
  // Fields are length-prefixed: no two triples collide by concatenation.
  EXPECT_TRUE(cache->Record("c1", "", "n", kNow, forget).ok());
  EXPECT_TRUE(cache->Record("c", "1n", "", kNow, forget).ok());
  EXPECT_EQ(cache->size(), 6u);
}

TEST(InMemoryNonceCacheTest, ForgetsAfterTheWindow) {
  auto cache = Cache(100, 1);
  const absl::Time forget = kNow + absl::Minutes(15);
  ASSERT_TRUE(cache->Record("c", "1", "n", kNow, forget).ok());
  // Still remembered at the last instant of the window.
  EXPECT_EQ(cache->Record("c", "1", "n", forget, forget).code(), absl::StatusCode::kAlreadyExists);
  const absl::Time later = forget + absl::Nanoseconds(1);
  EXPECT_TRUE(cache->Record("c", "1", "n", later, later + absl::Minutes(1)).ok());
  EXPECT_EQ(cache->size(), 1u);  // the old entry was dropped, the new one kept
}

TEST(InMemoryNonceCacheTest, NothingToRememberWhenAlreadyExpired) {
  auto cache = Cache(100, 1);
  EXPECT_TRUE(cache->Record("c", "1", "n", kNow, kNow - absl::Seconds(1)).ok());
  EXPECT_EQ(cache->size(), 0u);
}

// Issue 14 item 7: full of live nonces, the cache refuses new requests (RESOURCE_EXHAUSTED)
// and forgets none of them: each is still refused as a replay. Room comes back as entries expire.
TEST(InMemoryNonceCacheTest, FullOfLiveNoncesRefusesRatherThanForgets) {
  auto cache = Cache(4, 1);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(cache->Record("c", absl::StrCat(i), "n", kNow, kNow + absl::Minutes(10 - i)).ok());
  }
  absl::Status full = cache->Record("c", "new", "n", kNow, kNow + absl::Minutes(20));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_EQ(cache->refusals(), 1u);
  EXPECT_EQ(cache->size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cache->Record("c", absl::StrCat(i), "n", kNow, kNow + absl::Minutes(10 - i)).code(),
              absl::StatusCode::kAlreadyExists)
        << "live nonce " << i << " was forgotten";
  }
  // Once entry 3 has expired (at +7 min) there is room for one more.
  absl::Time later = kNow + absl::Minutes(7) + absl::Seconds(1);
  EXPECT_TRUE(cache->Record("c", "new", "n", later, later + absl::Minutes(20)).ok());
  EXPECT_EQ(cache->Record("c", "newer", "n", later, later + absl::Minutes(20)).code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(InMemoryNonceCacheTest, SizedFromTheSkewAndTheRate) {
  // 15 minutes of skew: entries live up to 30 minutes; 1,000 requests/s need 1.8 million, plus
  // an eighth for uneven shards.
  EXPECT_EQ(InMemoryNonceCache::EntriesFor(absl::Minutes(15), 1000), size_t{2025000});
  EXPECT_EQ(InMemoryNonceCache::EntriesFor(absl::Minutes(1), 100), size_t{13500});
  EXPECT_EQ(InMemoryNonceCache::EntriesFor(absl::Minutes(1), 0), size_t{1});
}

TEST(InMemoryNonceCacheTest, RejectsBadOptions) {
  InMemoryNonceCache::Options options;
  options.shards = 0;
  EXPECT_EQ(InMemoryNonceCache::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.shards = 8;
  options.max_entries = 4;
  EXPECT_EQ(InMemoryNonceCache::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(InMemoryNonceCacheTest, ExactlyOneWinnerPerTripleAcrossThreads) {
  auto cache = Cache(1 << 16, 8);
  constexpr int kThreads = 8;
  constexpr int kTriples = 2000;
  std::vector<std::atomic<int>> wins(kTriples);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kTriples; ++i) {
        if (cache
                ->Record("client", "1700000000", absl::StrCat("nonce", i), kNow,
                         kNow + absl::Minutes(15))
                .ok()) {
          wins[i].fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kTriples; ++i) EXPECT_EQ(wins[i].load(), 1) << i;
  EXPECT_EQ(cache->size(), static_cast<size_t>(kTriples));
}

}  // namespace
}  // namespace bulwark::hawk
