// File: libraries/hawk/nonce_cache_conformance.h
//
// The NonceCache conformance suite (testonly): the same tests run against every NonceCache, so
// the in-memory cache, the PostgreSQL store shared by auth replicas and the tiered pair cannot
// drift apart. An implementation's test instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, NonceCacheConformanceTest,
//                            ::testing::Values(&MakeInMemoryCache));
//
// The factory returns a fresh, empty cache with room for at least 100,000 entries. Timestamps
// in the tests are decimal seconds (as the authenticator passes them) after 2023.
//
// Thread-safety: test code.

#ifndef BULWARK_LIBRARIES_HAWK_NONCE_CACHE_CONFORMANCE_H_
#define BULWARK_LIBRARIES_HAWK_NONCE_CACHE_CONFORMANCE_H_

#include <memory>

#include "gtest/gtest.h"
#include "libraries/hawk/nonce_cache.h"

namespace bulwark::hawk {

struct NonceCacheUnderTest {
  std::shared_ptr<NonceCache> cache;
  std::shared_ptr<void> keep_alive;  // whatever the cache needs kept (database, pool, parts)
};

using NonceCacheFactory = NonceCacheUnderTest (*)();

class NonceCacheConformanceTest : public ::testing::TestWithParam<NonceCacheFactory> {
 protected:
  void SetUp() override;

  NonceCacheUnderTest under_test_;
  NonceCache* cache_ = nullptr;
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_NONCE_CACHE_CONFORMANCE_H_
