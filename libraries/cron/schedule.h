// File: libraries/cron/schedule.h
//
// Cron schedules for the hooks service, in UTC. Schedule::Parse validates a
// pattern (hooks reject bad ones at create/update with its message),
// Schedule::Next gives the first firing strictly after a time, and NextOf the
// first firing of a hook's whole schedule list.
//
//   absl::StatusOr<Schedule> daily = Schedule::Parse("0 0 1 * * *");  // 01:00
//   std::optional<absl::Time> next = daily->Next(clock.Now());
//
// Language: npm cron-parser 5.6.2, as Taskcluster's hooks service calls it
// (`CronExpressionParser.parse(pattern, {currentDate, utc: true})`, in UTC).
// README.md lists every rule and every deliberate difference; in short:
//  - 5 fields `minute hour day-of-month month day-of-week` (second 0), or 6
//    with seconds first, separated by ASCII whitespace. Day of week 0-7 (0 and
//    7 are Sunday) or SUN-SAT, month 1-12 or JAN-DEC, in any case.
//  - `*`, `?` (same as `*`), `v`, `a-b`, `*/s`, `a-b/s`, `v/s` (`v-max/s`) and
//    lists of those; `L` (last day of the month), `5L` / `FRIL` (last Friday),
//    `5#2` (second Friday); @yearly @annually @monthly @weekly @daily @hourly
//    @minutely @secondly @weekdays @weekends, exactly as written.
//  - Day fields: a field is restricted unless it is exactly `*` or `?` (so
//    `*/1` is restricted). Both restricted: either may match (`0 0 1 * 1` is
//    the 1st and every Monday); one restricted: it decides. `w#n` then applies
//    to every matching day (`0 0 1 * 5#2` is the second Friday only). A
//    day-of-week range ending at 7 includes Sunday even if its step skips 7
//    (`2/2` is Tue, Thu, Sat and Sun).
//
// Errors: INVALID_ARGUMENT, with a message naming the problem and ending
// "in `<pattern>`" (like Taskcluster's "<message> in <schedule>"), for
// everything cron-parser rejects, and also for `H` (random per parse, so
// replicas would disagree), empty patterns and 1-4 fields, patterns that can
// never fire (`0 0 31 4,6 *`), bare `L` in the day of week, and forms that
// cron-parser only reads by accident (`1-2-3`, `MON` as a month, `15L`, ...).
//
// Firing times: Next(after) is the first matching whole second strictly after
// `after`, whose fraction of a second is ignored; this equals cron-parser's
// next() except where cron-parser hits its 10,000-step loop limit (rare
// patterns like `0 0 * 2 1#5`, the fifth Monday of February) and returns a
// date that does not match. Since never-firing patterns are rejected and the
// calendar repeats every 400 years, every Schedule fires within any 400-year
// window; Next jumps by months and days through that window and returns
// nullopt only for an infinite `after` or a result past absl::Time's range.
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
absl::StatusOr<std::vector<Schedule>> ParseSchedules(absl::Span<const std::string> patterns);

// The earliest Next(after) over `schedules` (patterns that overlap fire once);
// nullopt for an empty list ("never"; Taskcluster stores the sentinel
// 4000-02-01 instead) or when every Next is nullopt.
std::optional<absl::Time> NextOf(absl::Span<const Schedule> schedules, absl::Time after);

}  // namespace bulwark::cron

#endif  // BULWARK_LIBRARIES_CRON_SCHEDULE_H_
