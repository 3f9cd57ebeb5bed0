#include "services/auth/store/audit_chain.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace bulwark::auth {
namespace {

void Field(std::string& out, const std::string& value) {
  absl::StrAppend(&out, value.size(), ":", value, ";");
}

}  // namespace

std::string AuditHash(const std::string& previous_hash, const AuditEntry& entry) {
  std::string data;
  Field(data, previous_hash);
  Field(data, absl::StrCat(entry.sequence));
  Field(data, entry.entity_type);
  Field(data, entry.entity_id);
  Field(data, entry.client_id);
  Field(data, entry.action);
  Field(data, absl::StrCat(absl::ToUnixMicros(entry.created)));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

AuditVerification VerifyAuditChain(const std::vector<AuditEntry>& entries) {
  AuditVerification result;
  std::string previous = kAuditGenesisHash;
  int64_t expected_sequence = 1;
  for (const AuditEntry& e : entries) {
    ++result.entries_checked;
    std::string why;
    if (e.sequence != expected_sequence) {
      why = absl::StrCat("entry ", expected_sequence, " is missing (found ", e.sequence, ")");
    } else if (AuditHash(previous, e) != e.hash) {
      why = absl::StrCat("entry ", e.sequence,
                         " does not match its hash: it was altered, or an entry before it was");
    }
    if (!why.empty()) {
      result.intact = false;
      result.first_bad_sequence = e.sequence;
      result.message = why;
      return result;
    }
    previous = e.hash;
    ++expected_sequence;
  }
  result.message = absl::StrCat(result.entries_checked, " entries, chain intact");
  return result;
}

}  // namespace bulwark::auth
