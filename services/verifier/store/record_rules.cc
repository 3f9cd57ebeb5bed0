#include "services/verifier/store/record_rules.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bulwark::verifier::record_rules {
namespace {

const absl::Time kEarliest = absl::UnixEpoch();
const absl::Time kLatest = absl::FromCivil(absl::CivilSecond(10000, 1, 1), absl::UTCTimeZone());

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "continuation_token is not one this service issued; start again without it");
}

}  // namespace

bool IsIdentifier(const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

absl::Status ValidateTime(absl::Time t, absl::string_view field) {
  if (t < kEarliest || t >= kLatest) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a time between 1970-01-01 and 9999-12-31 (UTC), not ",
                     absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone())));
  }
  return absl::OkStatus();
}

absl::Status ValidateVerificationId(const std::string& verification_id) {
  if (!IsIdentifier(verification_id, 64)) {
    return absl::InvalidArgumentError(
        "verification_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (a slugid)");
  }
  return absl::OkStatus();
}

absl::Status ValidateTaskId(const std::string& task_id, bool allow_empty) {
  if (task_id.empty() && allow_empty) return absl::OkStatus();
  if (!IsIdentifier(task_id, 64)) {
    return absl::InvalidArgumentError(
        "task_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (a slugid)");
  }
  return absl::OkStatus();
}

absl::Status ValidatePageSize(int page_size, int max_page_size) {
  if (page_size < 1 || page_size > max_page_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page size must be between 1 and ", max_page_size));
  }
  return absl::OkStatus();
}

absl::Status ValidateExpiry(absl::Time before, int limit, int max_batch) {
  if (limit < 1 || limit > max_batch) {
    return absl::InvalidArgumentError(
        absl::StrCat("expiry batch limit must be between 1 and ", max_batch));
  }
  return ValidateTime(before, "before");
}

absl::Time ToMicros(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

std::string EncodeToken(absl::string_view format, const std::string& task_filter,
                        const Cursor& last) {
  return absl::WebSafeBase64Escape(absl::StrCat(
      format, "|", task_filter, "|", absl::ToUnixMicros(last.created), "|", last.verification_id));
}

absl::StatusOr<std::optional<Cursor>> DecodeToken(absl::string_view format,
                                                  const std::string& task_filter,
                                                  const std::string& token) {
  if (token.empty()) return std::nullopt;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken();
  std::vector<std::string> parts = absl::StrSplit(raw, '|');
  int64_t micros = 0;
  if (parts.size() != 4 || parts[0] != format || !absl::SimpleAtoi(parts[2], &micros) ||
      !ValidateTaskId(parts[1], true).ok() || !ValidateVerificationId(parts[3]).ok()) {
    return BadToken();
  }
  Cursor cursor{absl::FromUnixMicros(micros), parts[3]};
  if (!ValidateTime(cursor.created, "").ok()) return BadToken();
  if (parts[1] != task_filter) {
    return absl::InvalidArgumentError(absl::StrCat(
        "continuation_token was issued for a listing of ",
        parts[1].empty() ? "all tasks" : "task " + parts[1], ", not of ",
        task_filter.empty() ? "all tasks" : "task " + task_filter, "; start again without it"));
  }
  return cursor;
}

absl::StatusOr<std::optional<Cursor>> StartPage(absl::string_view format,
                                                const std::string& task_filter, int page_size,
                                                int max_page_size, const std::string& token) {
  if (absl::Status s = ValidateTaskId(task_filter, true); !s.ok()) return s;
  if (absl::Status s = ValidatePageSize(page_size, max_page_size); !s.ok()) return s;
  return DecodeToken(format, task_filter, token);
}

}  // namespace bulwark::verifier::record_rules
