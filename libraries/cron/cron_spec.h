// File: libraries/cron/cron_spec.h
//
// CronSpec: a parsed cron pattern as bit sets, the day and time-of-day
// predicates that decide whether a UTC civil time matches it, and the searches
// Schedule::Next builds on. It is the internal representation behind
// bulwark::cron::Schedule (schedule.h); build one with ParseCronSpec
// (cron_parser.h). The semantics are those of npm cron-parser 5.6.2, which
// Taskcluster's hooks service uses; see schedule.h for the rules in prose.
//
// Thread-safety: a plain value; const methods are safe to call concurrently.
// Errors: none.

#ifndef BULWARK_LIBRARIES_CRON_CRON_SPEC_H_
#define BULWARK_LIBRARIES_CRON_CRON_SPEC_H_

#include <cstdint>
#include <optional>

#include "absl/time/civil_time.h"

namespace bulwark::cron::internal {

// A time of day, each part within its usual range.
struct TimeOfDay {
  int hour = 0;
  int minute = 0;
  int second = 0;
};

struct CronSpec {
  uint64_t seconds = 0;        // bit s: second s (0-59)
  uint64_t minutes = 0;        // bit m: minute m (0-59)
  uint32_t hours = 0;          // bit h: hour h (0-23)
  uint32_t days_of_month = 0;  // bit d: day d (1-31)
  uint16_t months = 0;         // bit m: month m (1-12)
  uint8_t days_of_week = 0;    // bit w: weekday w (0 = Sunday, 6 = Saturday)
  // `L` in the day-of-month field: the last day of the month also matches.
  bool last_day_of_month = false;
  // bit w: `wL` in the day-of-week field, weekday w in the last 7 days of the
  // month.
  uint8_t last_days_of_week = 0;
  // `w#n` in the day-of-week field: n (1-5), else 0. It restricts every
  // matching day to days 7n-6 .. 7n of the month, whatever the day-of-month
  // field says (cron-parser applies it after combining the two day fields).
  int nth_week = 0;
  // Whether the field is exactly `*` or `?`. cron-parser treats anything else
  // (`*/1`, `1-31`, `*#2`) as restricted, which matters for how the two day
  // fields combine.
  bool day_of_month_wildcard = true;
  bool day_of_week_wildcard = true;

  // Whether day `day` (1-31) of a month of `days_in_month` days, falling on
  // `weekday` (0 = Sunday), matches the day-of-month and day-of-week fields:
  // both restricted, either matching is enough; one restricted, that one
  // decides; then `#` applies. Months are not checked here.
  bool DayMatches(int day, int weekday, int days_in_month) const;

  // The earliest time of day at or after `from` whose hour, minute and second
  // all match, or nullopt if there is none left that day.
  std::optional<TimeOfDay> FirstTimeAtOrAfter(TimeOfDay from) const;

  // Whether the UTC civil second `t` matches every field.
  bool Matches(absl::CivilSecond t) const;

  // The first matching civil second at or after `from`, searching whole months
  // and days rather than seconds, up to and including year from.year() +
  // `years`; nullopt if none.
  std::optional<absl::CivilSecond> FirstAtOrAfter(absl::CivilSecond from, int years) const;

  // Whether any date can ever match (some month in the set has a day that
  // matches, in a common or a leap year, for some weekday of its first day).
  // Every such combination recurs within each 400-year Gregorian cycle, so a
  // spec that can fire fires in every 400-year window.
  bool CanEverMatch() const;
};

// Days in `month` (1-12) of `year` under the Gregorian calendar.
int DaysInMonth(absl::civil_year_t year, int month);

// The weekday of `day` with 0 = Sunday ... 6 = Saturday, as cron counts.
int CronWeekday(absl::CivilDay day);

}  // namespace bulwark::cron::internal

#endif  // BULWARK_LIBRARIES_CRON_CRON_SPEC_H_
