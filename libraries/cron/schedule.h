// File: libraries/cron/schedule.h
//
// Cron schedules for the hooks service: Schedule::Parse validates a pattern
// (hooks reject bad ones at create/update with the message), Schedule::Next
// gives the first firing strictly after a time, and NextOf the first firing of
// a hook's whole schedule list. All times are UTC.
//
//   absl::StatusOr<Schedule> daily = Schedule::Parse("0 0 1 * * *");  //
//   01:00:00 UTC std::optional<absl::Time> next = daily->Next(clock.Now());
//
// Language: npm cron-parser 5.6.2 as Taskcluster's hooks service calls it
// (`CronExpressionParser.parse(pattern, {currentDate, utc: true})` in a UTC
// process).
//  - 5 fields `minute hour day-of-month month day-of-week` (seconds are 0), or
//  6 with seconds
//    first; separated by ASCII whitespace. Ranges: second/minute 0-59, hour
//    0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-7 or SUN-SAT
//    (0 and 7 are Sunday); names are case-insensitive.
//  - Items `*`, `?` (the same as `*`), `v`, `a-b`, `*/s`, `a-b/s`, `v/s` (=
//  `v-max/s`), lists of
//    items with `,`. A list may not repeat a value (`1,1`, `0-10,5`), except 0
//    (cron-parser's duplicate check happens to skip it).
//  - Day of month `L`: the last day of the month. Day of week `wL` / `FRIL`:
//  the last such
//    weekday of the month. Day of week `w#n` (n 1-5, `w` may be `*`): the n-th
//    such weekday.
//  - Nicknames, exactly as written: @yearly @annually @monthly @weekly @daily
//  @hourly @minutely
//    @secondly, and cron-parser's @weekdays (Mon-Fri 00:00) and @weekends (Sat,
//    Sun 00:00).
//
// Day fields, as cron-parser combines them (this is also vixie cron's rule,
// except for what counts as restricted):
//  - A day field is "restricted" unless it is exactly `*` or `?`; so `*/1`,
//  `1-31` and `*#2`
//    are restricted.
//  - Both restricted: a day matches if either field matches (`0 0 1 * 1`: the
//  1st and every
//    Monday). Only one restricted: that one decides. Neither: every day.
//  - `w#n` then applies on top of that to every matching day, whatever the day
//  of month says:
//    `0 0 1 * 5#2` fires on the second Friday only (day 1 is never in the
//    second week).
//  - A day-of-week range that ends at 7 (also `v/s`, `*/s`, which mean `v-7/s`,
//  `0-7/s`) always
//    includes Sunday even when the step skips 7: `2/2` is Tue, Thu, Sat and
//    Sun.
//
// Rejected (INVALID_ARGUMENT; the message names the problem and ends "in
// `<pattern>`", as Taskcluster's "<message> in <schedule>"), where
// cron-parser 5.6.2 rejects too:
//  - 7 or more fields, out-of-range values, reversed ranges, step 0, empty list
//  items,
//    repeated values, `W`, unknown names, `#` with a list/range/step, `#n`
//    outside 1-5, and single-month patterns whose day cannot exist (`0 0 30 2
//    *`).
// Also rejected, although cron-parser 5.6.2 accepts them, because what it does
// is not useful:
//  - `H` (hashed): cron-parser picks a random value on every parse, so each
//  replica and each
//    recomputation would disagree about the slot.
//  - An empty pattern (cron-parser: every minute) and 1-4 fields (cron-parser
//  shifts them into
//    the wrong positions, e.g. `5 4 3` becomes `* * 0 5 4 3`).
//  - Patterns that can never fire (`0 0 31 4,6 *`): cron-parser accepts them
//  and then returns
//    a date that does not match after its 10,000-step loop limit.
//  - Bare `L` in the day of week (cron-parser throws on every next()), `#` with
//  `L`.
//  - Forms cron-parser reads by accident: `1-2-3`, `*-5`, `1/5-2` (extra parts
//  ignored),
//    `5L` or `5L-7` in the day of month (read as `L`, `L,5-7`), `15L`/`05L` in
//    the day of week (only the first digit counts), names outside their field
//    (`MON` as a month is January), glued names (`JANFEB` is 12), a name as a
//    step, `#+2`, and a list repeating 0 together with another value
//    (`0,0,1,1`: cron-parser's check stops at the repeated 0).
//
// Firing times: Next(after) is the first whole second that matches and is
// strictly after `after`, with `after`'s fraction of a second ignored
// (cron-parser's result is the same). For the accepted language it equals
// cron-parser's next(), except where cron-parser runs out of its loop limit
// (rare patterns such as `0 0 * 2 1#5`, the fifth Monday of February, about
// once in 28 years) and returns a date that does not match: Next returns the
// true next firing.
//
// Never-firing patterns: Parse rejects them, so every Schedule fires at least
// once in any 400-year window (the Gregorian calendar repeats every 400 years,
// weekdays included). Next searches whole months and days, not seconds, through
// that window and returns nullopt only when `after` is infinite or the answer
// is beyond what absl::Time can hold.
//
// Thread-safety: Schedule is an immutable value; share and copy it freely.

#ifndef BULWARK_LIBRARIES_CRON_SCHEDULE_H_
#define BULWARK_LIBRARIES_CRON_SCHEDULE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libraries/cron/cron_spec.h"

namespace bulwark::cron {

class Schedule {
 public:
  // Parses one pattern. Errors: INVALID_ARGUMENT as described above.
  static absl::StatusOr<Schedule> Parse(absl::string_view pattern);

  // The first matching second strictly after `after` (see above); nullopt if
  // `after` is infinite or the result does not fit in absl::Time.
  std::optional<absl::Time> Next(absl::Time after) const;

  // Whether the second containing `t` matches the pattern; false for infinite
  // `t`.
  bool Matches(absl::Time t) const;

  // The pattern as given to Parse.
  const std::string& pattern() const { return pattern_; }

 private:
  Schedule(std::string pattern, internal::CronSpec spec)
      : pattern_(std::move(pattern)), spec_(spec) {}

  std::string pattern_;
  internal::CronSpec spec_;
};

// Parses a hook's schedule list. Errors: the first pattern's INVALID_ARGUMENT.
absl::StatusOr<std::vector<Schedule>> ParseSchedules(
    absl::Span<const std::string> patterns);

// The earliest Next(after) over `schedules` (patterns that overlap fire once);
// nullopt for an empty list ("never"; Taskcluster stores the sentinel
// 4000-02-01 instead) or when every Next is nullopt.
std::optional<absl::Time> NextOf(absl::Span<const Schedule> schedules,
                                 absl::Time after);

}  // namespace bulwark::cron

#endif  // BULWARK_LIBRARIES_CRON_SCHEDULE_H_
