// File: libraries/scopes/oracle.h
//
// The reference semantics of role expansion (auth.md §2.5): upstream's naive
// fixed point
// (`evalRulesRecursively` in services/auth/test/trie_test.js), re-implemented
// as plainly as possible to serve as the oracle for the resolver's tests.
// Quadratic or worse; tests only.
//
// Thread-safety: pure functions. Errors: none; the roles must be acyclic
// (validate first), or the fixed point may not terminate.

#ifndef BULWARK_LIBRARIES_SCOPES_ORACLE_H_
#define BULWARK_LIBRARIES_SCOPES_ORACLE_H_

#include <string>
#include <vector>

#include "libraries/scopes/role.h"

namespace bulwark::scopes {

// The normalized scopes that holding `input` grants, `input` itself not
// included.
std::vector<std::string> OracleExpandOne(const std::vector<Role>& roles, const std::string& input);

// What the resolver returns: the inputs and everything each grants, sorted and
// normalized.
std::vector<std::string> OracleExpand(const std::vector<Role>& roles,
                                      const std::vector<std::string>& inputs);

}  // namespace bulwark::scopes

#endif  // BULWARK_LIBRARIES_SCOPES_ORACLE_H_
