#include "services/hooks/store/in_memory_hooks_store.h"

#include "services/hooks/store/hooks_store_conformance.h"

namespace bulwark::hooks {
namespace {

HooksStoreUnderTest MakeInMemory() { return {std::make_shared<InMemoryHooksStore>(), nullptr}; }

INSTANTIATE_TEST_SUITE_P(InMemory, HooksStoreConformanceTest, ::testing::Values(&MakeInMemory));

}  // namespace
}  // namespace bulwark::hooks
