// File: services/hooks/store/hooks_store_conformance.h
//
// The HooksStore conformance suite (testonly), run against every HooksStore:
//   INSTANTIATE_TEST_SUITE_P(InMemory, HooksStoreConformanceTest, ::testing::Values(&Make));
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_CONFORMANCE_H_
#define BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_CONFORMANCE_H_

#include <memory>

#include "gtest/gtest.h"
#include "services/hooks/store/hooks_store.h"

namespace bulwark::hooks {

struct HooksStoreUnderTest {
  std::shared_ptr<HooksStore> store;
  std::shared_ptr<void> keep_alive;
};

using HooksStoreFactory = HooksStoreUnderTest (*)();

class HooksStoreConformanceTest : public ::testing::TestWithParam<HooksStoreFactory> {
 protected:
  void SetUp() override {
    under_test_ = GetParam()();
    store_ = under_test_.store.get();
    ASSERT_NE(store_, nullptr);
  }

  HooksStoreUnderTest under_test_;
  HooksStore* store_ = nullptr;
  absl::Time now_ = absl::FromUnixMicros(1795435200654321);
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_STORE_HOOKS_STORE_CONFORMANCE_H_
