// File: libraries/testing/store_conformance.h
//
// The base of a store conformance suite (testonly): one parameterized gtest fixture that runs
// the same tests against every implementation of a store interface (the in-memory fake and
// PostgreSQL), so the fake cannot drift. A suite derives one concrete fixture per interface and
// writes its TEST_Ps against `store_`:
//
//   using FooStoreUnderTest = testing::StoreUnderTest<FooStore>;
//   class FooStoreConformanceTest : public testing::StoreConformanceTest<FooStore> {};
//   ...
//   INSTANTIATE_TEST_SUITE_P(InMemory, FooStoreConformanceTest, ::testing::Values(&MakeInMemory));
//
// The factory returns a fresh, empty store, or an empty StoreUnderTest after reporting why it
// could not (e.g. pg::PgServiceDatabase::CreateOrFail); SetUp then fails the test.
//
// Thread-safety: test code. Errors: none (failures are gtest failures).

#ifndef BULWARK_LIBRARIES_TESTING_STORE_CONFORMANCE_H_
#define BULWARK_LIBRARIES_TESTING_STORE_CONFORMANCE_H_

#include <memory>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace bulwark::testing {

template <typename Store>
struct StoreUnderTest {
  std::shared_ptr<Store> store;
  std::shared_ptr<void> keep_alive;  // whatever the store needs kept (database, pool)
};

template <typename Store>
class StoreConformanceTest : public ::testing::TestWithParam<StoreUnderTest<Store> (*)()> {
 protected:
  void SetUp() override {
    under_test_ = this->GetParam()();
    store_ = under_test_.store.get();
    ASSERT_NE(store_, nullptr) << "the store factory made no store";
  }

  StoreUnderTest<Store> under_test_;
  Store* store_ = nullptr;
  // A fixed time, a whole number of microseconds (what the stores keep).
  absl::Time now_ = absl::FromUnixMicros(1795435200123456);
};

}  // namespace bulwark::testing

#endif  // BULWARK_LIBRARIES_TESTING_STORE_CONFORMANCE_H_
