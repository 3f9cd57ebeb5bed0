#include "libraries/cron/cron_spec.h"

#include <cstdint>
#include <optional>

#include "absl/numeric/bits.h"
#include "absl/time/civil_time.h"

namespace bulwark::cron::internal {
namespace {

// The lowest set bit of `bits` at or above `from`, or -1.
int NextBit(uint64_t bits, int from) {
  if (from >= 64) return -1;
  const uint64_t masked = bits & (~uint64_t{0} << from);
  return masked == 0 ? -1 : absl::countr_zero(masked);
}

bool Has(uint64_t bits, int i) { return (bits >> i) & 1; }

}  // namespace

int DaysInMonth(absl::civil_year_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

int CronWeekday(absl::CivilDay day) {
  // absl::Weekday counts from Monday = 0; cron from Sunday = 0.
  return (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;
}

bool CronSpec::DayMatches(int day, int weekday, int days_in_month) const {
  const bool dom = Has(days_of_month, day) || (last_day_of_month && day == days_in_month);
  const bool dow =
      Has(days_of_week, weekday) || (Has(last_days_of_week, weekday) && day > days_in_month - 7);
  bool matched;
  if (day_of_week_wildcard) {
    matched = dom;
  } else if (day_of_month_wildcard) {
    matched = dow;
  } else {
    matched = dom || dow;
  }
  return matched && (nth_week == 0 || (day + 6) / 7 == nth_week);
}

std::optional<TimeOfDay> CronSpec::FirstTimeAtOrAfter(TimeOfDay from) const {
  int hour = NextBit(hours, from.hour);
  if (hour < 0) return std::nullopt;
  if (hour == from.hour) {
    int minute = NextBit(minutes, from.minute);
    if (minute == from.minute) {
      const int second = NextBit(seconds, from.second);
      if (second >= 0) return TimeOfDay{hour, minute, second};
      minute = NextBit(minutes, from.minute + 1);
    }
    if (minute >= 0) return TimeOfDay{hour, minute, NextBit(seconds, 0)};
    hour = NextBit(hours, from.hour + 1);
    if (hour < 0) return std::nullopt;
  }
  return TimeOfDay{hour, NextBit(minutes, 0), NextBit(seconds, 0)};
}

bool CronSpec::Matches(absl::CivilSecond t) const {
  return Has(seconds, t.second()) && Has(minutes, t.minute()) && Has(hours, t.hour()) &&
         Has(months, t.month()) &&
         DayMatches(t.day(), CronWeekday(absl::CivilDay(t)), DaysInMonth(t.year(), t.month()));
}

std::optional<absl::CivilSecond> CronSpec::FirstAtOrAfter(absl::CivilSecond from, int years) const {
  const absl::civil_year_t last_year = from.year() + years;
  bool first_month = true;
  for (absl::CivilMonth month(from); month.year() <= last_year; ++month, first_month = false) {
    if (!Has(months, month.month())) continue;
    const int days = DaysInMonth(month.year(), month.month());
    const int first_day = first_month ? from.day() : 1;
    int weekday = CronWeekday(absl::CivilDay(month.year(), month.month(), first_day));
    for (int day = first_day; day <= days; ++day, weekday = (weekday + 1) % 7) {
      if (!DayMatches(day, weekday, days)) continue;
      const TimeOfDay start = first_month && day == first_day
                                  ? TimeOfDay{from.hour(), from.minute(), from.second()}
                                  : TimeOfDay{};
      if (std::optional<TimeOfDay> time = FirstTimeAtOrAfter(start)) {
        return absl::CivilSecond(month.year(), month.month(), day, time->hour, time->minute,
                                 time->second);
      }
    }
  }
  return std::nullopt;
}

bool CronSpec::CanEverMatch() const {
  for (int month = 1; month <= 12; ++month) {
    if (!Has(months, month)) continue;
    // Common and leap years differ in February only.
    for (const int days : {DaysInMonth(2023, month), DaysInMonth(2024, month)}) {
      for (int first_weekday = 0; first_weekday < 7; ++first_weekday) {
        for (int day = 1; day <= days; ++day) {
          if (DayMatches(day, (first_weekday + day - 1) % 7, days)) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace bulwark::cron::internal
