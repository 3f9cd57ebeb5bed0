#include "libraries/cron/schedule.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libraries/cron/cron_parser.h"
#include "libraries/cron/cron_spec.h"
#include "libraries/status/status_macros.h"

namespace bulwark::cron {
namespace {

// Every schedule that Parse accepts fires within any window of this many years.
constexpr int kSearchYears = 400;

bool IsFinite(absl::Time t) { return t != absl::InfiniteFuture() && t != absl::InfinitePast(); }

}  // namespace

absl::StatusOr<Schedule> Schedule::Parse(absl::string_view pattern) {
  BULWARK_ASSIGN_OR_RETURN(internal::CronSpec spec, internal::ParseCronSpec(pattern));
  return Schedule(std::string(pattern), spec);
}

std::optional<absl::Time> Schedule::Next(absl::Time after) const {
  if (!IsFinite(after)) return std::nullopt;
  const absl::TimeZone utc = absl::UTCTimeZone();
  // ToCivilSecond drops the fraction (rounding down), so +1 is the first whole
  // second strictly after `after`.
  const absl::CivilSecond from = absl::ToCivilSecond(after, utc) + 1;
  const std::optional<absl::CivilSecond> next = spec_.FirstAtOrAfter(from, kSearchYears);
  if (!next.has_value()) return std::nullopt;
  const absl::Time result = absl::FromCivil(*next, utc);
  if (!IsFinite(result)) return std::nullopt;
  return result;
}

bool Schedule::Matches(absl::Time t) const {
  if (!IsFinite(t)) return false;
  return spec_.Matches(absl::ToCivilSecond(t, absl::UTCTimeZone()));
}

absl::StatusOr<std::vector<Schedule>> ParseSchedules(absl::Span<const std::string> patterns) {
  std::vector<Schedule> schedules;
  schedules.reserve(patterns.size());
  for (const std::string& pattern : patterns) {
    BULWARK_ASSIGN_OR_RETURN(Schedule schedule, Schedule::Parse(pattern));
    schedules.push_back(std::move(schedule));
  }
  return schedules;
}

std::optional<absl::Time> NextOf(absl::Span<const Schedule> schedules, absl::Time after) {
  std::optional<absl::Time> earliest;
  for (const Schedule& schedule : schedules) {
    const std::optional<absl::Time> next = schedule.Next(after);
    if (next.has_value() && (!earliest.has_value() || *next < *earliest)) {
      earliest = next;
    }
  }
  return earliest;
}

}  // namespace bulwark::cron
