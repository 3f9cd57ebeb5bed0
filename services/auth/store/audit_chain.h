// File: services/auth/store/audit_chain.h
//
// The audit history's chain, shared by every AuthStore (so all of them chain identically) and
// by the checkpoints that detect truncation.
//
// Entry encoding: the previous entry's hash and this entry's sequence, entity type, entity id,
// caller, action and creation time (unix microseconds), each written as "<length>:<bytes>;",
// so no two different entries encode alike. The first entry's previous hash is 64 zeros.
//
// Keyed entries (key_id non-empty): hash = hex HMAC-SHA256(audit key `key_id`, encoding). The
// audit keys come from auth's configuration (AuditKeyring), never from the database, so whoever
// can write the table but does not hold the key cannot recompute a valid chain after editing
// or inserting a row.
// Unkeyed entries (key_id ""): hash = hex SHA-256(encoding): the rows written before the chain
// was keyed. They keep verifying, but only before the first keyed entry: an unkeyed entry after
// a keyed one is a forgery.
//
// Checkpoints: {sequence, hash, at, keyId, mac} where mac = hex HMAC-SHA256(audit key `keyId`,
// "bulwark-audit-checkpoint-v1", sequence, hash, at (unix microseconds), keyId), length-
// prefixed as above (the domain string's length differs from a hash's, so a checkpoint MAC can
// never pass for an entry's). Auth logs one periodically; a history that no longer holds entry
// `sequence` with `hash` was truncated or rewritten after `at`.
//
// Thread-safety: pure functions; AuditKeyring is immutable (safe to share).
// Errors: AuditKeyring::FromJson returns INVALID_ARGUMENT naming the bad entry (never key
// material). Verification reports problems in its result, not as errors.

#ifndef BULWARK_SERVICES_AUTH_STORE_AUDIT_CHAIN_H_
#define BULWARK_SERVICES_AUTH_STORE_AUDIT_CHAIN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

inline constexpr char kAuditGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr size_t kMinAuditKeyBytes = 32;

// The audit keys, from auth's configuration ("auditKeys"):
//   [{"id": "audit-1", "key": "<standard base64 of >= 32 random bytes>"}, …]   // last = current
// Ids follow the key-id rule (libraries/crypto/key_id.h) and are unique; no other fields.
// Rotation: append a key and restart; entries and checkpoints made under old keys verify while
// their key stays listed.
class AuditKeyring {
 public:
  static absl::StatusOr<AuditKeyring> FromJson(const nlohmann::json& config);
  // A keyring of one random key, for tests and tools.
  static AuditKeyring ForTesting(const std::string& id = "audit-test");

  const std::string& current_key_id() const;
  // The raw key with this id, or nullptr.
  const std::string* Find(const std::string& id) const;

 private:
  struct Key {
    std::string id;
    std::string key;
  };
  explicit AuditKeyring(std::shared_ptr<const std::vector<Key>> keys) : keys_(std::move(keys)) {}
  std::shared_ptr<const std::vector<Key>> keys_;  // non-empty; last = current
};

// The unkeyed hash of `entry` (its `hash` and `key_id` are ignored) following `previous_hash`.
std::string AuditHash(const std::string& previous_hash, const AuditEntry& entry);
// The keyed hash: hex HMAC-SHA256(key, the same encoding).
std::string AuditMac(const std::string& key, const std::string& previous_hash,
                     const AuditEntry& entry);
// Sets `entry->key_id` to the current key's id and `entry->hash` to its keyed hash.
void SealAuditEntry(const AuditKeyring& keyring, const std::string& previous_hash,
                    AuditEntry* entry);

// Checks a whole chain, in sequence order: each entry's sequence follows the previous one, its
// key is in `keyring` (or it is an unkeyed entry before any keyed one) and its hash matches.
AuditVerification VerifyAuditChain(const std::vector<AuditEntry>& entries,
                                   const AuditKeyring& keyring);

// A signed statement that the history's newest entry was `sequence` with `hash` at `at`.
struct AuditCheckpoint {
  int64_t sequence = 0;  // 0: the history was empty (hash = kAuditGenesisHash)
  std::string hash;
  absl::Time at;
  std::string key_id;
  std::string mac;  // hex
};

// Signs a checkpoint of `head` (sequence 0 and the genesis hash for an empty history) with the
// current key.
AuditCheckpoint SignAuditCheckpoint(const AuditKeyring& keyring, int64_t sequence,
                                    const std::string& hash, absl::Time at);
// Empty when the checkpoint's MAC verifies under `keyring`; otherwise why not.
std::string CheckAuditCheckpointMac(const AuditKeyring& keyring, const AuditCheckpoint& cp);

// `at` as written in logs: RFC 3339 in UTC ("Z", as proto3 JSON writes a Timestamp), with
// the fraction of a second it carries.
std::string FormatCheckpointTime(absl::Time at);
// The inverse; INVALID_ARGUMENT for anything else.
absl::StatusOr<absl::Time> ParseCheckpointTime(const std::string& text);

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_STORE_AUDIT_CHAIN_H_
