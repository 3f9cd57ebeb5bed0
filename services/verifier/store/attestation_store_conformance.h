// File: services/verifier/store/attestation_store_conformance.h
//
// The AttestationStore conformance suite (testonly): the same tests against every
// AttestationStore, so the in-memory fake cannot drift from PostgreSQL. Instantiate it with a
// factory returning a fresh, empty store:
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, AttestationStoreConformanceTest,
//                            ::testing::Values(&MakeInMemory));
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_CONFORMANCE_H_
#define BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_CONFORMANCE_H_

#include <memory>

#include "gtest/gtest.h"
#include "services/verifier/store/attestation_store.h"

namespace bulwark::verifier {

struct AttestationStoreUnderTest {
  std::shared_ptr<AttestationStore> store;
  std::shared_ptr<void> keep_alive;  // whatever the store needs kept (database, pool)
};

using AttestationStoreFactory = AttestationStoreUnderTest (*)();

class AttestationStoreConformanceTest : public ::testing::TestWithParam<AttestationStoreFactory> {
 protected:
  void SetUp() override;

  AttestationStoreUnderTest under_test_;
  AttestationStore* store_ = nullptr;
  absl::Time now_ = absl::FromUnixMicros(1795435200123456);
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_CONFORMANCE_H_
