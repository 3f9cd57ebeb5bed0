#include "services/auth/store/audit_chain.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/key_id.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/digest.h"

namespace bulwark::auth {
namespace {

constexpr char kCheckpointDomain[] = "bulwark-audit-checkpoint-v1";

void Field(std::string& out, const std::string& value) {
  absl::StrAppend(&out, value.size(), ":", value, ";");
}

std::string Encode(const std::string& previous_hash, const AuditEntry& entry) {
  std::string data;
  Field(data, previous_hash);
  Field(data, absl::StrCat(entry.sequence));
  Field(data, entry.entity_type);
  Field(data, entry.entity_id);
  Field(data, entry.client_id);
  Field(data, entry.action);
  Field(data, absl::StrCat(absl::ToUnixMicros(entry.created)));
  return data;
}

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

std::string CheckpointMac(const std::string& key, const AuditCheckpoint& cp) {
  std::string data;
  Field(data, kCheckpointDomain);
  Field(data, absl::StrCat(cp.sequence));
  Field(data, cp.hash);
  Field(data, absl::StrCat(absl::ToUnixMicros(cp.at)));
  Field(data, cp.key_id);
  return Hex(hawk::HmacSha256(key, data));
}

}  // namespace

absl::StatusOr<AuditKeyring> AuditKeyring::FromJson(const nlohmann::json& config) {
  if (!config.is_array() || config.empty()) {
    return absl::InvalidArgumentError(
        "auditKeys must be a non-empty list of {\"id\", \"key\"} (the last is current)");
  }
  auto keys = std::make_shared<std::vector<Key>>();
  std::set<std::string> ids;
  for (size_t i = 0; i < config.size(); ++i) {
    const nlohmann::json& e = config[i];
    std::string where = absl::StrCat("auditKeys[", i, "]");
    if (!e.is_object()) return absl::InvalidArgumentError(where + " must be an object");
    for (const auto& [field, value] : e.items()) {
      if (field != "id" && field != "key") {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " has unknown field '", field, "' (only id and key)"));
      }
    }
    if (!e.contains("id") || !e["id"].is_string() ||
        !crypto::IsValidKeyId(e["id"].get<std::string>())) {
      return absl::InvalidArgumentError(where +
                                        ": id must be 1 to 64 characters of [A-Za-z0-9._:-]");
    }
    std::string id = e["id"].get<std::string>();
    where = absl::StrCat(where, " (id \"", id, "\")");
    if (!ids.insert(id).second) return absl::InvalidArgumentError(where + ": duplicate id");
    std::string key;
    if (!e.contains("key") || !e["key"].is_string() ||
        !crypto::Base64Decode(e["key"].get<std::string>(), &key)) {
      return absl::InvalidArgumentError(where + ": key must be standard base64");
    }
    if (key.size() < kMinAuditKeyBytes) {
      crypto::Wipe(&key);
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": key must decode to at least ", kMinAuditKeyBytes,
                       " random bytes (e.g. `openssl rand -base64 32`)"));
    }
    keys->push_back({std::move(id), std::move(key)});
  }
  return AuditKeyring(std::move(keys));
}

AuditKeyring AuditKeyring::ForTesting(const std::string& id) {
  auto keys = std::make_shared<std::vector<Key>>();
  keys->push_back({id, Random::Secure().Bytes(kMinAuditKeyBytes)});
  return AuditKeyring(std::move(keys));
}

const std::string& AuditKeyring::current_key_id() const { return keys_->back().id; }

const std::string* AuditKeyring::Find(const std::string& id) const {
  for (const Key& k : *keys_) {
    if (k.id == id) return &k.key;
  }
  return nullptr;
}

std::string AuditHash(const std::string& previous_hash, const AuditEntry& entry) {
  return Hex(hawk::Sha256(Encode(previous_hash, entry)));
}

std::string AuditMac(const std::string& key, const std::string& previous_hash,
                     const AuditEntry& entry) {
  return Hex(hawk::HmacSha256(key, Encode(previous_hash, entry)));
}

void SealAuditEntry(const AuditKeyring& keyring, const std::string& previous_hash,
                    AuditEntry* entry) {
  entry->key_id = keyring.current_key_id();
  entry->hash = AuditMac(*keyring.Find(entry->key_id), previous_hash, *entry);
}

AuditVerification VerifyAuditChain(const std::vector<AuditEntry>& entries,
                                   const AuditKeyring& keyring) {
  AuditVerification result;
  std::string previous = kAuditGenesisHash;
  int64_t expected_sequence = 1;
  int64_t first_keyed = 0;
  for (const AuditEntry& e : entries) {
    ++result.entries_checked;
    std::string why;
    if (e.sequence != expected_sequence) {
      why = absl::StrCat("entry ", expected_sequence, " is missing (found ", e.sequence, ")");
    } else if (e.key_id.empty()) {
      if (first_keyed != 0) {
        why = absl::StrCat("entry ", e.sequence, " is unkeyed but follows keyed entry ",
                           first_keyed, ": it was written without the audit key");
      } else if (!hawk::ConstantTimeEquals(AuditHash(previous, e), e.hash)) {
        why = absl::StrCat("entry ", e.sequence,
                           " does not match its hash: it was altered, or an entry before it was");
      }
    } else if (const std::string* key = keyring.Find(e.key_id); key == nullptr) {
      why = absl::StrCat("entry ", e.sequence, " names audit key '", e.key_id,
                         "', which is not in the audit keyring: it was forged, or that key was "
                         "dropped from auditKeys");
    } else if (!hawk::ConstantTimeEquals(AuditMac(*key, previous, e), e.hash)) {
      why = absl::StrCat("entry ", e.sequence, " does not match its keyed hash (audit key '",
                         e.key_id, "'): it was altered, or an entry before it was");
    }
    if (!why.empty()) {
      result.intact = false;
      result.first_bad_sequence = e.sequence == expected_sequence ? e.sequence : expected_sequence;
      result.message = why;
      return result;
    }
    if (!e.key_id.empty() && first_keyed == 0) first_keyed = e.sequence;
    previous = e.hash;
    ++expected_sequence;
  }
  result.message = absl::StrCat(result.entries_checked, " entries, chain intact");
  return result;
}

AuditCheckpoint SignAuditCheckpoint(const AuditKeyring& keyring, int64_t sequence,
                                    const std::string& hash, absl::Time at) {
  AuditCheckpoint cp;
  cp.sequence = sequence;
  cp.hash = hash;
  cp.at = absl::FromUnixMicros(absl::ToUnixMicros(at));  // as it survives formatting
  cp.key_id = keyring.current_key_id();
  cp.mac = CheckpointMac(*keyring.Find(cp.key_id), cp);
  return cp;
}

std::string CheckAuditCheckpointMac(const AuditKeyring& keyring, const AuditCheckpoint& cp) {
  const std::string* key = keyring.Find(cp.key_id);
  if (key == nullptr) {
    return absl::StrCat("the checkpoint names audit key '", cp.key_id,
                        "', which is not in the audit keyring");
  }
  if (!hawk::ConstantTimeEquals(CheckpointMac(*key, cp), cp.mac)) {
    return "the checkpoint's MAC does not match its fields: it was not signed by this service "
           "as given (edited or forged)";
  }
  return "";
}

std::string FormatCheckpointTime(absl::Time at) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", at, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseCheckpointTime(const std::string& text) {
  absl::Time at;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &at, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint.at must be an RFC 3339 time as logged (e.g. 2026-12-03T08:00:00.123456Z): ",
        err));
  }
  return at;
}

}  // namespace bulwark::auth
