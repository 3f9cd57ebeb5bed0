#include "libraries/call/call_scope.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace bulwark {
namespace {

TEST(CallScopeTest, WithoutAScopeTheCallerIsNeverGone) {
  EXPECT_FALSE(CallScope::CallerGone());
  EXPECT_EQ(CallScope::Current(), nullptr);
  EXPECT_TRUE(CheckCallerPresent("create thing").ok());
}

TEST(CallScopeTest, TheInnermostScopeAnswersAndDestructionRestoresTheEnclosingOne) {
  std::atomic<bool> gone{false};
  {
    CallScope call([&] { return gone.load(); });
    EXPECT_FALSE(CallScope::CallerGone());
    gone = true;
    EXPECT_TRUE(CallScope::CallerGone());
    absl::Status s = CheckCallerPresent("create thing");
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
    EXPECT_EQ(s.message(), "create thing: the caller went away; nothing was written");
    {
      CallScope detached = CallScope::Detached();
      EXPECT_FALSE(CallScope::CallerGone());
      EXPECT_TRUE(CheckCallerPresent("record outcome").ok());
    }
    EXPECT_TRUE(CallScope::CallerGone());
  }
  EXPECT_FALSE(CallScope::CallerGone());
}

TEST(CallScopeTest, AScopeIsPerThreadAndCanBeCarriedExplicitly) {
  CallScope call([] { return true; });
  bool seen_elsewhere = true;
  bool carried = false;
  std::function<bool()> predicate = CallScope::Current();
  std::thread other([&] {
    seen_elsewhere = CallScope::CallerGone();  // background work has no caller
    CallScope there(predicate);
    carried = CallScope::CallerGone();
  });
  other.join();
  EXPECT_FALSE(seen_elsewhere);
  EXPECT_TRUE(carried);
}

}  // namespace
}  // namespace bulwark
