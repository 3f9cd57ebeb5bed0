// File: services/queue/store/queue_store_conformance.h
//
// The QueueStore conformance suite (testonly): the same lifecycle tests run against every
// QueueStore. An implementation's test instantiates it with a factory:
//   INSTANTIATE_TEST_SUITE_P(InMemory, QueueStoreConformanceTest, ::testing::Values(&Make));
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_QUEUE_STORE_QUEUE_STORE_CONFORMANCE_H_
#define BULWARK_SERVICES_QUEUE_STORE_QUEUE_STORE_CONFORMANCE_H_

#include <memory>

#include "gtest/gtest.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

struct QueueStoreUnderTest {
  std::shared_ptr<QueueStore> store;
  std::shared_ptr<void> keep_alive;
};

using QueueStoreFactory = QueueStoreUnderTest (*)();

class QueueStoreConformanceTest : public ::testing::TestWithParam<QueueStoreFactory> {
 protected:
  void SetUp() override;

  QueueStoreUnderTest under_test_;
  QueueStore* store_ = nullptr;
  absl::Time now_ = absl::FromUnixMicros(1795435200123456);
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_STORE_QUEUE_STORE_CONFORMANCE_H_
