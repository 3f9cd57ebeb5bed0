#include "services/queue/store/run_state.h"

#include "gtest/gtest.h"

namespace bulwark::queue {
namespace {

TEST(RunStateTest, EveryStateRoundTripsThroughItsName) {
  for (RunState s : {RunState::kPending, RunState::kRunning, RunState::kCompleted,
                     RunState::kFailed, RunState::kException}) {
    EXPECT_EQ(RunStateNamed(Name(s)), s) << Name(s);
    EXPECT_NE(ToProto(s), v1::TASK_STATE_UNSPECIFIED);
  }
  EXPECT_EQ(Name(RunState::kException), "exception");
  EXPECT_EQ(RunStateNamed("unscheduled"), std::nullopt);
  EXPECT_TRUE(IsResolved(RunState::kFailed));
  EXPECT_FALSE(IsResolved(RunState::kRunning));
}

TEST(RunStateTest, ReasonsUseTaskclustersSpellingAndTheApisEnum) {
  for (ReasonCreated r :
       {ReasonCreated::kScheduled, ReasonCreated::kRetry, ReasonCreated::kTaskRetry,
        ReasonCreated::kRerun, ReasonCreated::kException}) {
    EXPECT_EQ(ReasonCreatedNamed(Name(r)), r) << Name(r);
  }
  EXPECT_EQ(Name(ReasonCreated::kTaskRetry), "task-retry");
  EXPECT_EQ(Name(ReasonResolved::kClaimExpired), "claim-expired");
  EXPECT_EQ(ReasonResolvedNamed(""), ReasonResolved::kNone);
  EXPECT_EQ(ReasonResolvedNamed("no-such-reason"), std::nullopt);
  // Every exception reason of the API maps to one reason and back.
  for (int i = v1::ExceptionReason_MIN + 1; i <= v1::ExceptionReason_MAX; ++i) {
    auto proto = static_cast<v1::ExceptionReason>(i);
    std::optional<ReasonResolved> reason = ReasonResolvedOf(proto);
    ASSERT_TRUE(reason.has_value()) << i;
    EXPECT_EQ(ToProto(*reason), proto);
    EXPECT_EQ(ReasonResolvedNamed(Name(*reason)), reason);
  }
  EXPECT_EQ(ToProto(ReasonResolved::kCompleted), v1::EXCEPTION_REASON_UNSPECIFIED);
  EXPECT_EQ(ReasonResolvedOf(v1::EXCEPTION_REASON_UNSPECIFIED), std::nullopt);
}

}  // namespace
}  // namespace bulwark::queue
