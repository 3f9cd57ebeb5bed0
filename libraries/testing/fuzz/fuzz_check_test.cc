#include "libraries/testing/fuzz/fuzz_check.h"

#include "gtest/gtest.h"

namespace bulwark::fuzz {
namespace {

TEST(FuzzCheckDeathTest, AFalseConditionPrintsItWithTheContextAndAborts) {
  const int value = 3;
  EXPECT_DEATH(FUZZ_CHECK(value == 4) << "value " << value,
               "fuzz_check_test.cc:[0-9]+: FUZZ_CHECK failed: value == 4 value 3");
}

TEST(FuzzCheckTest, ATrueConditionDoesNotEvaluateTheContext) {
  int evaluated = 0;
  FUZZ_CHECK(1 + 1 == 2) << ++evaluated;
  EXPECT_EQ(evaluated, 0);
}

TEST(FuzzCheckTest, AnElseAfterItBindsToTheIfAsWritten) {
  bool else_ran = false;
  const bool condition = false;
  if (condition)
    FUZZ_CHECK(false) << "never reached";
  else
    else_ran = true;
  EXPECT_TRUE(else_ran);
}

}  // namespace
}  // namespace bulwark::fuzz
