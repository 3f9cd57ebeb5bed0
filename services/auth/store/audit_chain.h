// File: services/auth/store/audit_chain.h
//
// The audit history's hash chain: each entry's hash is the hex SHA-256 of the previous
// entry's hash and this entry's fields, length-prefixed so no two different entries encode
// alike. The first entry's previous hash is 64 zeros. Shared by every AuthStore so that all
// of them chain identically, and by VerifyAudit.
//
// Thread-safety: pure functions.

#ifndef BULWARK_SERVICES_AUTH_STORE_AUDIT_CHAIN_H_
#define BULWARK_SERVICES_AUTH_STORE_AUDIT_CHAIN_H_

#include <string>
#include <vector>

#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

inline constexpr char kAuditGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash of `entry` (its own `hash` field is ignored) following `previous_hash`.
std::string AuditHash(const std::string& previous_hash, const AuditEntry& entry);

// Checks a whole chain, in sequence order.
AuditVerification VerifyAuditChain(const std::vector<AuditEntry>& entries);

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_AUDIT_CHAIN_H_
