#include "services/queue/store/in_memory_queue_store.h"

#include "services/queue/store/queue_store_conformance.h"

namespace bulwark::queue {
namespace {

QueueStoreUnderTest MakeInMemory() { return {std::make_shared<InMemoryQueueStore>(), nullptr}; }

INSTANTIATE_TEST_SUITE_P(InMemory, QueueStoreConformanceTest, ::testing::Values(&MakeInMemory));

}  // namespace
}  // namespace bulwark::queue
