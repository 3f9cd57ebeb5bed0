// File: services/auth/store/auth_store_conformance.h
//
// The AuthStore conformance suite (testonly): the same tests run against every AuthStore, so
// the in-memory fake cannot drift from PostgreSQL. An implementation's test instantiates it:
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, AuthStoreConformanceTest,
//                            ::testing::Values(&MakeInMemoryStore));
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_AUTH_STORE_AUTH_STORE_CONFORMANCE_H_
#define BULWARK_SERVICES_AUTH_STORE_AUTH_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>

#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

// A store under test, plus a back door to alter an audit entry the way an intruder with
// database access would (to prove VerifyAudit notices).
struct StoreUnderTest {
  std::shared_ptr<AuthStore> store;
  std::function<void(int64_t sequence, const std::string& action)> tamper;
  std::shared_ptr<void> keep_alive;  // whatever the store needs kept (database, pool)
};

using StoreFactory = StoreUnderTest (*)(Clock& clock);

class AuthStoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;

  SimulatedClock clock_;
  StoreUnderTest under_test_;
  AuthStore* store_ = nullptr;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_AUTH_STORE_CONFORMANCE_H_
