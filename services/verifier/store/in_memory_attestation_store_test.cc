#include "services/verifier/store/in_memory_attestation_store.h"

#include "gtest/gtest.h"
#include "libraries/clock/clock.h"
#include "services/verifier/store/attestation_store_conformance.h"

namespace bulwark::verifier {
namespace {

AttestationStoreUnderTest MakeInMemory() {
  return {std::make_shared<InMemoryAttestationStore>(), nullptr};
}

INSTANTIATE_TEST_SUITE_P(InMemory, AttestationStoreConformanceTest,
                         ::testing::Values(&MakeInMemory));

}  // namespace
}  // namespace bulwark::verifier
