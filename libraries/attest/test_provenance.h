// File: libraries/attest/test_provenance.h
//
// A realistic Provenance for tests (testonly): a signing task whose chain runs back through a
// build task to a decision task fired by a hook. Ids, digests and times are fixed values.
//
// Thread-safety: returns a value. Errors: none.

#ifndef BULWARK_LIBRARIES_ATTEST_TEST_PROVENANCE_H_
#define BULWARK_LIBRARIES_ATTEST_TEST_PROVENANCE_H_

#include <string>

#include "libraries/attest/provenance.h"

namespace bulwark::attest {

// `subject_sha256` is the digest of the one subject, public/build/app.tar.gz.
Provenance TestProvenance(const std::string& subject_sha256);

}  // namespace bulwark::attest

#endif  // BULWARK_LIBRARIES_ATTEST_TEST_PROVENANCE_H_
