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
#include "libraries/testing/store_conformance.h"
#include "services/verifier/store/verifier_store.h"

namespace bulwark::verifier {

using VerifierStoreUnderTest = testing::StoreUnderTest<VerifierStore>;

// The fixture (store_, now_) is testing::StoreConformanceTest's.
class VerifierStoreConformanceTest : public testing::StoreConformanceTest<VerifierStore> {};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_STORE_VERIFIER_STORE_CONFORMANCE_H_
