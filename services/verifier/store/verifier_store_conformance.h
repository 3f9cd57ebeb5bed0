// File: services/verifier/store/verifier_store_conformance.h
//
// The VerifierStore conformance suite (testonly): the same tests run against every
// VerifierStore, so the in-memory fake cannot drift from PostgreSQL. An implementation's test
// instantiates it with a factory returning a fresh, empty store:
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, VerifierStoreConformanceTest,
//                            ::testing::Values(&MakeInMemory));
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_CONFORMANCE_H_
#define BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_CONFORMANCE_H_

#include <memory>

#include "gtest/gtest.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier {

struct VerifierStoreUnderTest {
  std::shared_ptr<VerifierStore> store;
  std::shared_ptr<void> keep_alive;  // whatever the store needs kept (database, pool)
};

using VerifierStoreFactory = VerifierStoreUnderTest (*)();

class VerifierStoreConformanceTest : public ::testing::TestWithParam<VerifierStoreFactory> {
 protected:
  void SetUp() override;

  VerifierStoreUnderTest under_test_;
  VerifierStore* store_ = nullptr;
  // A fixed time, a whole number of microseconds (what the stores keep).
  absl::Time now_ = absl::FromUnixMicros(1795435200123456);
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_CONFORMANCE_H_
