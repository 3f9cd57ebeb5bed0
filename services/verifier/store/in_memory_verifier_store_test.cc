#include "services/verifier/store/in_memory_verifier_store.h"

#include "services/verifier/store/verifier_store_conformance.h"

namespace bulwark::verifier {
namespace {

VerifierStoreUnderTest MakeInMemory() {
  return {std::make_shared<InMemoryVerifierStore>(), nullptr};
}

INSTANTIATE_TEST_SUITE_P(InMemory, VerifierStoreConformanceTest, ::testing::Values(&MakeInMemory));

// The fake compares deadlines with its injected clock, so a service test on a simulated clock
// can exercise deadline handling without waiting.
TEST(InMemoryVerifierStoreTest, DeadlinesAreReadOnTheInjectedClock) {
  SimulatedClock clock(absl::FromUnixSeconds(1800000000));
  InMemoryVerifierStore store(clock);
  absl::Time deadline = clock.Now() + absl::Seconds(5);
  EXPECT_EQ(store.LatestPolicy(deadline).status().code(), absl::StatusCode::kNotFound);
  clock.Advance(absl::Seconds(5));
  absl::Status s = store.LatestPolicy(deadline).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  EXPECT_EQ(s.message(), "list policies: the call's deadline passed before it could finish");
}

}  // namespace
}  // namespace bulwark::verifier
