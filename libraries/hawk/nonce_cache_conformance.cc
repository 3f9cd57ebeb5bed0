#include "libraries/hawk/nonce_cache_conformance.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace bulwark::hawk {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kTs[] = "1700000000";
const absl::Time kForget = kNow + absl::Minutes(15);
const absl::Time kForever = absl::InfiniteFuture();

// RecordAsync, waited for: the status its callback was given, and how many times it ran.
struct AsyncAnswer {
  absl::Status status;
  int calls = 0;
};
AsyncAnswer RecordAndWait(NonceCache& cache, absl::string_view id, absl::string_view ts,
                          absl::string_view nonce, absl::Time now, absl::Time forget_after) {
  absl::Mutex mu;
  AsyncAnswer answer;
  cache.RecordAsync(id, ts, nonce, now, forget_after, kForever, [&](absl::Status status) {
    absl::MutexLock lock(&mu);
    answer.status = std::move(status);
    ++answer.calls;
  });
  absl::MutexLock lock(&mu);
  mu.AwaitWithTimeout(absl::Condition(
                          +[](AsyncAnswer* a) { return a->calls > 0; }, &answer),
                      absl::Seconds(10));
  // A second call of the callback, if any, would come right after the first.
  mu.AwaitWithTimeout(absl::Condition(
                          +[](AsyncAnswer* a) { return a->calls > 1; }, &answer),
                      absl::Milliseconds(50));
  return answer;
}

}  // namespace

void NonceCacheConformanceTest::SetUp() {
  under_test_ = GetParam()();
  cache_ = under_test_.cache.get();
  ASSERT_NE(cache_, nullptr);
}

TEST_P(NonceCacheConformanceTest, SecondUseIsRefused) {
  ASSERT_TRUE(cache_->Record("c", kTs, "n", kNow, kForget, kForever).ok());
  absl::Status again = cache_->Record("c", kTs, "n", kNow, kForget, kForever);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  EXPECT_EQ(again.message(), kNonceAlreadyUsed);
  // Any other triple is new.
  EXPECT_TRUE(cache_->Record("c", kTs, "m", kNow, kForget, kForever).ok());
  EXPECT_TRUE(cache_->Record("c", "1700000001", "n", kNow, kForget, kForever).ok());
  EXPECT_TRUE(cache_->Record("d", kTs, "n", kNow, kForget, kForever).ok());
  // Fields are length-prefixed: no two triples collide by concatenation.
  EXPECT_TRUE(cache_->Record("c1", "700000000", "n", kNow, kForget, kForever).ok());
  EXPECT_TRUE(cache_->Record("c", "17000000001", "", kNow, kForget, kForever).ok());
  EXPECT_EQ(cache_->Record("c", "1700000001", "n", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(NonceCacheConformanceTest, RecordAsyncAnswersAsRecordDoes) {
  AsyncAnswer first = RecordAndWait(*cache_, "c", kTs, "async", kNow, kForget);
  EXPECT_EQ(first.calls, 1);
  EXPECT_TRUE(first.status.ok()) << first.status;
  // Refused whichever way it comes again.
  AsyncAnswer again = RecordAndWait(*cache_, "c", kTs, "async", kNow, kForget);
  EXPECT_EQ(again.calls, 1);
  EXPECT_EQ(again.status.code(), absl::StatusCode::kAlreadyExists) << again.status;
  EXPECT_EQ(again.status.message(), kNonceAlreadyUsed);
  EXPECT_EQ(cache_->Record("c", kTs, "async", kNow, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(cache_->Record("c", kTs, "sync", kNow, kForget, kForever).ok());
  EXPECT_EQ(RecordAndWait(*cache_, "c", kTs, "sync", kNow, kForget).status.code(),
            absl::StatusCode::kAlreadyExists);
  // Already expired: nothing to remember, accepted.
  const absl::Time past = kNow - absl::Seconds(1);
  EXPECT_TRUE(RecordAndWait(*cache_, "c", kTs, "stale", kNow, past).status.ok());
}

TEST_P(NonceCacheConformanceTest, ForgetsAfterTheWindow) {
  ASSERT_TRUE(cache_->Record("c", kTs, "n", kNow, kForget, kForever).ok());
  // Still remembered at the last instant of the window.
  EXPECT_EQ(cache_->Record("c", kTs, "n", kForget, kForget, kForever).code(),
            absl::StatusCode::kAlreadyExists);
  const absl::Time later = kForget + absl::Seconds(1);
  EXPECT_TRUE(cache_->Record("c", kTs, "n", later, later + absl::Minutes(1), kForever).ok());
  EXPECT_EQ(cache_->Record("c", kTs, "n", later, later + absl::Minutes(1), kForever).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(NonceCacheConformanceTest, NothingToRememberWhenAlreadyExpired) {
  const absl::Time past = kNow - absl::Seconds(1);
  EXPECT_TRUE(cache_->Record("c", kTs, "n", kNow, past, kForever).ok());
  EXPECT_TRUE(cache_->Record("c", kTs, "n", kNow, past, kForever).ok());
}

TEST_P(NonceCacheConformanceTest, PurgeDropsOnlyExpiredEntries) {
  ASSERT_TRUE(cache_->Record("c", kTs, "short", kNow, kNow + absl::Minutes(1), kForever).ok());
  ASSERT_TRUE(cache_->Record("c", kTs, "long", kNow, kNow + absl::Minutes(20), kForever).ok());
  const absl::Time later = kNow + absl::Minutes(2);
  absl::StatusOr<int64_t> purged = cache_->PurgeExpired(later, kForever);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(cache_->Record("c", kTs, "long", later, kNow + absl::Minutes(20), kForever).code(),
            absl::StatusCode::kAlreadyExists)
      << "a live nonce was purged";
  purged = cache_->PurgeExpired(later, kForever);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 0);
}

TEST_P(NonceCacheConformanceTest, ExactlyOneWinnerPerTripleAcrossThreads) {
  constexpr int kThreads = 8;
  constexpr int kTriples = 300;
  std::vector<std::atomic<int>> wins(kTriples);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kTriples; ++i) {
        absl::Status s =
            cache_->Record("client", kTs, absl::StrCat("nonce", i), kNow, kForget, kForever);
        if (s.ok()) {
          wins[i].fetch_add(1);
        } else if (!absl::IsAlreadyExists(s)) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kTriples; ++i) EXPECT_EQ(wins[i].load(), 1) << i;
}

}  // namespace bulwark::hawk
