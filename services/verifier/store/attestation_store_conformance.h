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
#include "libraries/testing/store_conformance.h"
#include "services/verifier/store/attestation_store.h"

namespace bulwark::verifier {

using AttestationStoreUnderTest = testing::StoreUnderTest<AttestationStore>;

// The fixture (store_, now_) is testing::StoreConformanceTest's.
class AttestationStoreConformanceTest : public testing::StoreConformanceTest<AttestationStore> {};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_ATTESTATION_STORE_CONFORMANCE_H_
