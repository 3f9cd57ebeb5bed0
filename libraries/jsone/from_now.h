// File: libraries/jsone/from_now.h
//
// Time arithmetic for `$fromNow` and `fromNow()`: parsing offsets such as
// "2 days 3 hours" or "-1y2mo" (units years, months, weeks, days, hours,
// minutes, seconds in that order; a month is 30 days and a year 365 days),
// reading reference times the way JavaScript's `new Date(x)` does for ISO 8601
// text and numbers, and writing Date.prototype.toJSON's
// "YYYY-MM-DDTHH:MM:SS.mmmZ".
//
// Reference text is read as ISO 8601: [+-YY]YYYY[-MM[-DD]], optionally
// followed by T (or a space), HH:MM[:SS[.fff]] and Z or +-HH[:]MM; a time
// without a zone is taken as UTC. V8's other legacy formats ("Jan 19 2017")
// are treated as invalid dates.
//
// Thread-safety: pure functions. Errors: see FromNow.

#ifndef BULWARK_LIBRARIES_JSONE_FROM_NOW_H_
#define BULWARK_LIBRARIES_JSONE_FROM_NOW_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/jsone/value.h"

namespace bulwark::jsone {

// Milliseconds since the Unix epoch (JavaScript's time value) for `text`; NaN
// if invalid.
double ParseDateMs(std::string_view text);

// Date.prototype.toJSON of `ms`; nullopt when `ms` is not a valid time value.
std::optional<std::string> FormatDateMs(double ms);

// JavaScript time value of `t`, in whole milliseconds.
double ToDateMs(absl::Time t);

// fromNow(offset, reference): `reference` is used as `new Date(reference)` when
// truthy, otherwise `now`. Returns the ISO string, or null when the resulting
// date is invalid (as the reference does). An unparsable offset is an
// ErrorType::kError: "String: '<offset>' isn't a time expression".
absl::StatusOr<Value> FromNow(std::string_view offset, const Value& reference, absl::Time now);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_FROM_NOW_H_
