#include "services/auth/store/in_memory_auth_store.h"

#include "services/auth/store/auth_store_conformance.h"

namespace bulwark::auth {
namespace {

StoreUnderTest MakeInMemoryStore(Clock& clock) {
  auto store = std::make_shared<InMemoryAuthStore>(clock);
  return {
      store,
      [store](int64_t seq, const std::string& action) { store->TamperWithAuditEntry(seq, action); },
      nullptr};
}

INSTANTIATE_TEST_SUITE_P(InMemory, AuthStoreConformanceTest, ::testing::Values(&MakeInMemoryStore));

}  // namespace
}  // namespace bulwark::auth
