// File: services/auth/store/replay_partition_store_conformance.h
//
// The ReplayPartitionStore conformance suite (testonly): the same tests run against every
// ReplayPartitionStore (replay_partition_store.h), so the in-memory fake cannot drift from
// PostgreSQL. An implementation's test instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, ReplayPartitionStoreConformanceTest,
//                            ::testing::Values(&MakeInMemoryStore));
//
// The factory returns a fresh store: every partition free, no members, no nonces, nothing ever
// lost. The tests never sleep and never move a clock: a lease or membership meant to have
// expired is given a negative ttl, one meant to live is given minutes. Nonce times are fixed
// (November 2023), independent of any clock.
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_AUTH_STORE_REPLAY_PARTITION_STORE_CONFORMANCE_H_
#define BULWARK_SERVICES_AUTH_STORE_REPLAY_PARTITION_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>

#include "gtest/gtest.h"
#include "services/auth/store/replay_partition_store.h"

namespace bulwark::auth {

struct ReplayPartitionStoreUnderTest {
  std::shared_ptr<ReplayPartitionStore> store;
  std::shared_ptr<void> keep_alive;  // whatever the store needs kept (database, pool, clock)
  // Does to the store's nonces what a PostgreSQL crash does to the unlogged nonce tables (every
  // nonce and the reset time gone). Empty: the tests that need it are skipped.
  std::function<void()> lose_nonces;
};

using ReplayPartitionStoreFactory = ReplayPartitionStoreUnderTest (*)();

class ReplayPartitionStoreConformanceTest
    : public ::testing::TestWithParam<ReplayPartitionStoreFactory> {
 protected:
  void SetUp() override;
  // Destroys the store before what it borrows.
  void TearDown() override;

  ReplayPartitionStoreUnderTest under_test_;
  ReplayPartitionStore* store_ = nullptr;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_REPLAY_PARTITION_STORE_CONFORMANCE_H_
