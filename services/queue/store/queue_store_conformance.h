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
#include <string>

#include "gtest/gtest.h"
#include "services/queue/store/queue_store.h"

namespace bulwark::queue {

// Helpers for store tests.
// Lowercase hex SHA-256.
std::string HexSha256(const std::string& content);
// Artifact `name` of the run holding `content`, expiring an hour after `now`.
Artifact ArtifactOf(const Task& t, int run_id, const std::string& name, const std::string& content,
                    absl::Time now);
// Streams `content` through BeginUpload/AppendUpload/FinishUpload in pieces of `chunk_bytes`.
absl::StatusOr<Artifact> Upload(QueueStore& store, const Artifact& a, const std::string& content,
                                absl::Time now, size_t chunk_bytes = kMaxChunkBytes);
// The artifact's content, read two chunks at a time (each checked to be 1 byte to 1 MiB).
std::string ReadAll(QueueStore& store, const std::string& task_id, int run_id,
                    const std::string& name);

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
