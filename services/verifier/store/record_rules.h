// File: services/verifier/store/record_rules.h
//
// The rules the verifier's two stores (VerifierStore, AttestationStore) share for records keyed
// by (created, verification_id) and listed per task, newest first: id and time validation
// (with the messages callers see), page-size and expiry-batch bounds, the continuation token and
// the newest-first order. Each store's own rules (verifier_store_rules.h,
// attestation_store_rules.h) build on these with their record-specific checks and errors.
//
// Continuation token: URL-safe base64 of "<format>|<task filter>|<created µs>|<verification id>",
// naming the last row of the previous page; each store has its own format tag, so a token from
// one store is refused by the other. Callers treat it as opaque; it is bound to its task filter.
//
// Thread-safety: pure functions.
// Errors: the Validate* functions return INVALID_ARGUMENT naming the field and the rule;
// DecodeToken returns INVALID_ARGUMENT for a token this store would not have issued, or one
// issued for another task filter.

#ifndef BULWARK_SERVICES_VERIFIER_STORE_RECORD_RULES_H_
#define BULWARK_SERVICES_VERIFIER_STORE_RECORD_RULES_H_

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulwark::verifier::record_rules {

// 1..max characters of [A-Za-z0-9_-] (slugids and task ids).
bool IsIdentifier(const std::string& s, size_t max);

// `t` must lie in [1970-01-01, 10000-01-01) UTC: what both stores represent exactly.
absl::Status ValidateTime(absl::Time t, absl::string_view field);
absl::Status ValidateVerificationId(const std::string& verification_id);
// A task id to look up or filter on; `allow_empty` for a filter (empty: all tasks).
absl::Status ValidateTaskId(const std::string& task_id, bool allow_empty);
absl::Status ValidatePageSize(int page_size, int max_page_size);
absl::Status ValidateExpiry(absl::Time before, int limit, int max_batch);

// `t` truncated to the microsecond, the precision the database keeps.
absl::Time ToMicros(absl::Time t);

// Where a page starts: strictly older than (created, verification_id).
struct Cursor {
  absl::Time created;
  std::string verification_id;
};
std::string EncodeToken(absl::string_view format, const std::string& task_filter,
                        const Cursor& last);
// nullopt for an empty token (the first page).
absl::StatusOr<std::optional<Cursor>> DecodeToken(absl::string_view format,
                                                  const std::string& task_filter,
                                                  const std::string& token);

// A list call's arguments, checked in this order: the task filter (empty: all tasks),
// `page_size` (1..max_page_size) and the continuation token; returns where the page starts.
absl::StatusOr<std::optional<Cursor>> StartPage(absl::string_view format,
                                                const std::string& task_filter, int page_size,
                                                int max_page_size, const std::string& token);

// Newest first: created descending, then verification_id descending (bytewise). `Record` has
// `created` and `verification_id`.
template <typename Record>
bool NewerFirst(const Record& a, const Record& b) {
  return std::tie(a.created, a.verification_id) > std::tie(b.created, b.verification_id);
}

// Whether `r` comes strictly after `cursor` in newest-first order.
template <typename Record>
bool After(const Record& r, const Cursor& cursor) {
  return std::tie(r.created, r.verification_id) < std::tie(cursor.created, cursor.verification_id);
}

// The values of `records` (a map of Records that have a `task_id`) for `task_filter` (empty: all
// tasks) that come strictly after `cursor` (nullopt: all), newest first: a page's candidates.
template <typename Map>
std::vector<typename Map::mapped_type> NewestFirstAfter(const Map& records,
                                                        const std::string& task_filter,
                                                        const std::optional<Cursor>& cursor) {
  std::vector<typename Map::mapped_type> out;
  for (const auto& entry : records) {
    if (!task_filter.empty() && entry.second.task_id != task_filter) continue;
    if (cursor && !After(entry.second, *cursor)) continue;
    out.push_back(entry.second);
  }
  std::sort(out.begin(), out.end(), NewerFirst<typename Map::mapped_type>);
  return out;
}

// `rows` were fetched newest first with one row more than `page_size`: trims them to the page
// and returns the token for the next page ("" when this is the last page).
template <typename Record>
std::string FinishPage(std::vector<Record>& rows, int page_size, absl::string_view format,
                       const std::string& task_filter) {
  if (static_cast<int>(rows.size()) <= page_size) return "";
  rows.resize(page_size);
  return EncodeToken(format, task_filter, {rows.back().created, rows.back().verification_id});
}

// The in-memory page: the first `page_size` of NewestFirstAfter(records, ...) into `page`;
// returns the token for the next page ("" when this is the last page).
template <typename Map>
std::string TakePage(const Map& records, absl::string_view format, const std::string& task_filter,
                     const std::optional<Cursor>& cursor, int page_size,
                     std::vector<typename Map::mapped_type>& page) {
  page = NewestFirstAfter(records, task_filter, cursor);
  return FinishPage(page, page_size, format, task_filter);
}

}  // namespace bulwark::verifier::record_rules

#endif  // BULWARK_SERVICES_VERIFIER_STORE_RECORD_RULES_H_
