// File: libraries/testing/pseudo_random_bytes.h
//
// PseudoRandomBytes (testonly): `n` bytes of repeatable test content from `seed` (xorshift32),
// every byte value possible, so artifacts of any size can be made, compared and hashed
// without storing them. The same (n, seed) always gives the same bytes, on every machine;
// different seeds give different content. Not random enough for anything but tests.
//
// Thread-safety: a pure function. Errors: none.

#ifndef BULWARK_LIBRARIES_TESTING_PSEUDO_RANDOM_BYTES_H_
#define BULWARK_LIBRARIES_TESTING_PSEUDO_RANDOM_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace bulwark::testing {

std::string PseudoRandomBytes(size_t n, uint32_t seed);

}  // namespace bulwark::testing

#endif  // BULWARK_LIBRARIES_TESTING_PSEUDO_RANDOM_BYTES_H_
