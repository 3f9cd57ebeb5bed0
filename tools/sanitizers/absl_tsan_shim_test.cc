// Tests for tools/sanitizers/absl_tsan_shim.cc. Every case hands plain (non-atomic) data from one
// thread to another through one of the Abseil primitives the shim annotates; under
// ./dev test --tsan (halt_on_error=1, the shim preloaded) a missing or wrong annotation is a
// ThreadSanitizer report that fails the test, and without the shim most of them are reported.
// The last cases run only under TSan: the shim is what the process calls, and a race with no
// lock at all is still reported (in a child process running the disabled case below).
// In a plain build the cases only check the values handed over.

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace {

constexpr absl::Duration kLong = absl::Seconds(60);

TEST(AbslTsanShim, LockAndUnlock) {
  absl::Mutex mu;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        absl::MutexLock lock(&mu);
        ++counter;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, 4000);
}

TEST(AbslTsanShim, ReaderLockSeesTheWriter) {
  absl::Mutex mu;
  int value = 0;
  std::thread writer([&] {
    for (int i = 1; i <= 100; ++i) {
      absl::MutexLock lock(&mu);
      value = i;
    }
  });
  int last = 0;
  std::thread reader([&] {
    while (true) {
      absl::ReaderMutexLock lock(&mu);
      EXPECT_GE(value, last);
      last = value;
      if (value == 100) break;
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(last, 100);
}

TEST(AbslTsanShim, TryLockAndReaderTryLock) {
  absl::Mutex mu;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        while (!mu.TryLock()) std::this_thread::yield();
        ++counter;
        mu.Unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(mu.ReaderTryLock());
  EXPECT_EQ(counter, 400);
  mu.ReaderUnlock();
}

// Spins (yielding) until `done` holds or a minute has passed; returns whether it holds.
template <typename Done>
bool SpinUntil(Done done) {
  const absl::Time deadline = absl::Now() + kLong;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// True once a thread waits in `mu`'s queue: Abseil's kMuWait bit in the mutex word (mutex.cc,
// LTS 20220623; checked against Mutex::Unlock in Debian's libabsl_synchronization.so). A relaxed
// load: it orders nothing for TSan.
bool HasWaiters(absl::Mutex& mu) {
  static_assert(sizeof(absl::Mutex) == sizeof(std::atomic<intptr_t>), "one word");
  constexpr intptr_t kMuWait = 0x0004;
  return (reinterpret_cast<std::atomic<intptr_t>*>(&mu)->load(std::memory_order_relaxed) &
          kMuWait) != 0;
}

// The waiter's condition is a lambda on its stack, and the producer's Unlock is the first to
// evaluate it (the case that tools/sanitizers/tsan.supp used to suppress): the producer holds
// the mutex until the waiter has queued up in LockWhen without evaluating its condition (it
// evaluates only once it has the mutex), then writes the awaited value and unlocks.
TEST(AbslTsanShim, LockWhenConditionEvaluatedByTheUnlocker) {
  for (int variant = 0; variant < 6; ++variant) {
    absl::Mutex mu;
    int value = 0;
    int seen = -1;
    bool evaluated_elsewhere = false;
    mu.Lock();
    std::thread waiter([&] {
      int wanted = 42;
      const std::thread::id me = std::this_thread::get_id();
      auto ready = [&] {
        if (std::this_thread::get_id() != me) evaluated_elsewhere = true;
        return value == wanted;
      };
      absl::Condition cond(&ready);
      switch (variant) {
        case 0:
          mu.LockWhen(cond);
          break;
        case 1:
          EXPECT_TRUE(mu.LockWhenWithTimeout(cond, kLong));
          break;
        case 2:
          EXPECT_TRUE(mu.LockWhenWithDeadline(cond, absl::Now() + kLong));
          break;
        case 3:
          mu.ReaderLockWhen(cond);
          break;
        case 4:
          EXPECT_TRUE(mu.ReaderLockWhenWithTimeout(cond, kLong));
          break;
        default:
          EXPECT_TRUE(mu.ReaderLockWhenWithDeadline(cond, absl::Now() + kLong));
          break;
      }
      seen = value;
      if (variant >= 3) {
        mu.ReaderUnlock();
      } else {
        mu.Unlock();
      }
    });
    EXPECT_TRUE(SpinUntil([&] { return HasWaiters(mu); }))
        << "variant " << variant << ": the waiter never queued up";
    value = 42;
    mu.Unlock();
    waiter.join();
    EXPECT_EQ(seen, 42) << "variant " << variant;
    EXPECT_TRUE(evaluated_elsewhere)
        << "variant " << variant << ": the producer never evaluated the waiter's condition";
  }
}

TEST(AbslTsanShim, AwaitReleasesAndReacquires) {
  for (int variant = 0; variant < 4; ++variant) {
    absl::Mutex mu;
    int value = 0;
    int seen = -1;
    std::thread waiter([&] {
      auto ready = [&] { return value == 7; };
      if (variant == 3) {
        absl::ReaderMutexLock lock(&mu);
        mu.Await(absl::Condition(&ready));
        seen = value;
        return;
      }
      absl::MutexLock lock(&mu);
      if (variant == 0) mu.Await(absl::Condition(&ready));
      if (variant == 1) {
        EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&ready), kLong));
      }
      if (variant == 2) {
        EXPECT_TRUE(mu.AwaitWithDeadline(absl::Condition(&ready), absl::Now() + kLong));
      }
      seen = value;
      value = 8;
    });
    for (int i = 1; i <= 7; ++i) {
      absl::MutexLock lock(&mu);
      value = i;
    }
    waiter.join();
    EXPECT_EQ(seen, 7) << "variant " << variant;
  }
}

TEST(AbslTsanShim, CondVarWaits) {
  for (int variant = 0; variant < 3; ++variant) {
    absl::Mutex mu;
    absl::CondVar cv;
    int value = 0;
    int seen = -1;
    std::thread waiter([&] {
      absl::MutexLock lock(&mu);
      while (value != 5) {
        if (variant == 0) cv.Wait(&mu);
        if (variant == 1) cv.WaitWithTimeout(&mu, kLong);
        if (variant == 2) cv.WaitWithDeadline(&mu, absl::Now() + kLong);
      }
      seen = value;
    });
    for (int i = 1; i <= 5; ++i) {
      absl::MutexLock lock(&mu);
      value = i;
      if (i % 2 == 0) {
        cv.Signal();
      } else {
        cv.SignalAll();
      }
    }
    waiter.join();
    EXPECT_EQ(seen, 5) << "variant " << variant;
  }
}

// Variants 0-2 wait on the notification; 4-6 the same, but only once Notify has returned (a
// relaxed flag, which orders nothing for TSan), so that the library takes its fast path and
// never locks; 3 polls the inline HasBeenNotified.
TEST(AbslTsanShim, NotificationHandsOverWhatWasWrittenBefore) {
  for (int variant = 0; variant < 7; ++variant) {
    absl::Notification done;
    std::atomic<bool> notify_returned{false};
    std::string payload;
    std::string seen;
    std::thread waiter([&] {
      if (variant >= 4) {
        SpinUntil([&] { return notify_returned.load(std::memory_order_relaxed); });
      }
      if (variant % 4 == 0) done.WaitForNotification();
      if (variant % 4 == 1) {
        EXPECT_TRUE(done.WaitForNotificationWithTimeout(kLong));
      }
      if (variant % 4 == 2) {
        EXPECT_TRUE(done.WaitForNotificationWithDeadline(absl::Now() + kLong));
      }
      if (variant == 3) {
        while (!done.HasBeenNotified()) std::this_thread::yield();
      }
      seen = payload;
    });
    payload = "written before Notify";
    done.Notify();
    notify_returned.store(true, std::memory_order_relaxed);
    waiter.join();
    EXPECT_EQ(seen, "written before Notify") << "variant " << variant;
  }
}

// Mutexes created and destroyed again and again at the same heap addresses.
TEST(AbslTsanShim, MutexesComeAndGo) {
  int counter = 0;
  for (int round = 0; round < 20; ++round) {
    auto* mu = new absl::Mutex;
    std::thread other([&] {
      absl::MutexLock lock(mu);
      ++counter;
    });
    {
      absl::MutexLock lock(mu);
      ++counter;
    }
    other.join();
    delete mu;
  }
  EXPECT_EQ(counter, 40);
}

#if defined(BULWARK_TSAN)  // --config=tsan (.bazelrc)

TEST(AbslTsanShim, TheShimIsWhatTheProcessCalls) {
  void* lock = dlsym(RTLD_DEFAULT, "_ZN4absl7debian35Mutex4LockEv");
  ASSERT_NE(lock, nullptr);
  Dl_info info{};
  ASSERT_NE(dladdr(lock, &info), 0);
  EXPECT_NE(std::string(info.dli_fname).find("absl_tsan_shim"), std::string::npos)
      << "absl::Mutex::Lock comes from " << info.dli_fname
      << ": preload the shim (./dev test --tsan does: "
         "LD_PRELOAD=<.bulwark/tsan/absl_tsan_shim.so>)";
}

// Run only in child processes by the tests below: races the shim must leave visible.
// Two threads increment a plain int with no lock in common (each locks a mutex of its own, so
// that the shim's annotations run).
TEST(AbslTsanShimChild, DISABLED_UnlockedIncrements) {
  int counter = 0;
  absl::Mutex a;
  absl::Mutex b;
  auto work = [&counter](absl::Mutex* own) {
    for (int i = 0; i < 100; ++i) {
      absl::MutexLock lock(own);
      own->AssertHeld();
    }
    ++counter;
  };
  std::thread one(work, &a);
  std::thread two(work, &b);
  one.join();
  two.join();
  EXPECT_GE(counter, 1);
}

// A condition reads what another thread writes without the lock: the shim evaluates
// conditions with the mutex held as far as TSan knows, not with accesses ignored.
TEST(AbslTsanShimChild, DISABLED_UnlockedWriteReadByACondition) {
  absl::Mutex mu;
  int unguarded = 0;
  std::thread writer([&unguarded] { unguarded = 1; });
  auto anything = [&unguarded] { return unguarded >= 0; };
  mu.LockWhen(absl::Condition(&anything));
  mu.Unlock();
  writer.join();
}

// Runs one of the cases above in a child process; returns its exit status and output.
std::pair<int, std::string> RunChild(const std::string& name) {
  char self[4096];
  ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length <= 0) return {-1, "readlink /proc/self/exe failed"};
  self[length] = '\0';
  // The child must not touch this test's XML report or premature-exit file.
  std::string command =
      "env -u GTEST_OUTPUT -u XML_OUTPUT_FILE -u TEST_PREMATURE_EXIT_FILE "
      "-u TEST_SHARD_STATUS_FILE -u GTEST_SHARD_INDEX -u GTEST_TOTAL_SHARDS '" +
      std::string(self) + "' --gtest_also_run_disabled_tests --gtest_filter=AbslTsanShimChild." +
      name + " 2>&1";
  FILE* child = popen(command.c_str(), "r");
  if (child == nullptr) return {-1, "popen failed"};
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), child)) > 0) output.append(buffer, n);
  return {pclose(child), output};
}

TEST(AbslTsanShim, UnlockedRacesAreStillReported) {
  for (const char* name :
       {"DISABLED_UnlockedIncrements", "DISABLED_UnlockedWriteReadByACondition"}) {
    auto [status, output] = RunChild(name);
    EXPECT_NE(status, 0) << name << ":\n" << output;
    EXPECT_NE(output.find("WARNING: ThreadSanitizer: data race"), std::string::npos)
        << name << ":\n"
        << output;
    EXPECT_NE(output.find(name), std::string::npos) << name << ":\n" << output;
  }
}

#endif  // BULWARK_TSAN

}  // namespace
