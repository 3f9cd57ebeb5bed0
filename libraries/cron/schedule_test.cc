// Table tests of Schedule::Next, Matches, ParseSchedules and NextOf.

#include "libraries/cron/schedule.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace bulwark::cron {
namespace {

absl::Time At(const std::string& rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << rfc3339 << ": " << error;
  return t;
}

std::string Format(const std::optional<absl::Time>& t) {
  if (!t.has_value()) return "nullopt";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", *t, absl::UTCTimeZone());
}

Schedule MustParse(const std::string& pattern) {
  absl::StatusOr<Schedule> schedule = Schedule::Parse(pattern);
  EXPECT_TRUE(schedule.ok()) << pattern << ": " << schedule.status();
  return *std::move(schedule);
}

struct NextCase {
  const char* pattern;
  const char* after;
  const char* next;
};

TEST(ScheduleTest, Next) {
  const NextCase cases[] = {
      // Documentation example: daily at 01:00 UTC.
      {"0 0 1 * * *", "2024-01-10T00:59:59Z", "2024-01-10T01:00:00.000Z"},
      // Strictly after: a time exactly on a slot gives the next slot.
      {"0 0 1 * * *", "2024-01-10T01:00:00Z", "2024-01-11T01:00:00.000Z"},
      // The fraction of a second is dropped.
      {"0 0 1 * * *", "2024-01-10T00:59:59.999Z", "2024-01-10T01:00:00.000Z"},
      {"0 0 1 * * *", "2024-01-10T01:00:00.001Z", "2024-01-11T01:00:00.000Z"},
      {"* * * * * *", "2024-01-10T10:00:00.999Z", "2024-01-10T10:00:01.000Z"},
      {"* * * * * *", "2024-01-10T10:00:00Z", "2024-01-10T10:00:01.000Z"},
      {"*/5 * * * *", "2024-01-10T10:04:59.500Z", "2024-01-10T10:05:00.000Z"},
      {"*/5 * * * *", "2024-01-10T10:05:00Z", "2024-01-10T10:10:00.000Z"},
      // Carries through minute, hour, day, month and year.
      {"30 59 23 31 12 *", "2024-12-31T23:59:30Z", "2025-12-31T23:59:30.000Z"},
      {"0 0 1 1 *", "2023-12-31T23:59:59Z", "2024-01-01T00:00:00.000Z"},
      {"59 23 31 12 *", "2024-01-01T00:00:00Z", "2024-12-31T23:59:00.000Z"},
      {"15 0 10-12 * * *", "2024-01-10T12:00:15Z", "2024-01-11T10:00:15.000Z"},
      {"10,20 30 * * * *", "2024-01-10T10:30:20Z", "2024-01-10T11:30:10.000Z"},
      {"0 30 9-17/4 * * *", "2024-01-10T17:30:00Z", "2024-01-11T09:30:00.000Z"},
      {"0 0 31 * *", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00.000Z"},
      // Leap days: 2100 is not a leap year, 2000 is.
      {"0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"},
      {"0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00.000Z"},
      {"0 0 29 2 *", "1999-03-01T00:00:00Z", "2000-02-29T00:00:00.000Z"},
      // L: the last day of the month.
      {"0 0 L 2 *", "2024-02-01T00:00:00Z", "2024-02-29T00:00:00.000Z"},
      {"0 0 L 2 *", "2025-02-01T00:00:00Z", "2025-02-28T00:00:00.000Z"},
      {"0 0 L 2 *", "2100-02-01T00:00:00Z", "2100-02-28T00:00:00.000Z"},
      {"0 0 L * *", "2024-04-15T00:00:00Z", "2024-04-30T00:00:00.000Z"},
      {"0 0 1,L * *", "2024-04-30T00:00:00Z", "2024-05-01T00:00:00.000Z"},
      // wL: the last such weekday of the month; 7L and 0L are Sunday.
      {"0 0 * * 5L", "2024-01-01T00:00:00Z", "2024-01-26T00:00:00.000Z"},
      {"0 0 * * FRIL", "2024-01-26T00:00:00Z", "2024-02-23T00:00:00.000Z"},
      {"0 0 * * 7L", "2024-03-01T00:00:00Z", "2024-03-31T00:00:00.000Z"},
      {"0 0 * 2 1L", "2024-01-01T00:00:00Z", "2024-02-26T00:00:00.000Z"},
      // w#n: the n-th such weekday.
      {"0 0 * * 5#2", "2024-01-01T00:00:00Z", "2024-01-12T00:00:00.000Z"},
      {"0 0 * * 1#5", "2024-01-01T00:00:00Z", "2024-01-29T00:00:00.000Z"},
      {"0 0 * * 1#5", "2024-01-29T00:00:00Z", "2024-04-29T00:00:00.000Z"},
      {"0 0 * * 7#1", "2024-01-01T00:00:00Z", "2024-01-07T00:00:00.000Z"},
      {"0 0 * * *#2", "2024-01-01T00:00:00Z", "2024-01-08T00:00:00.000Z"},
      {"0 0 * * *#2", "2024-01-14T00:00:00Z", "2024-02-08T00:00:00.000Z"},
      // The fifth Monday of February: cron-parser runs out of its loop limit
      // here.
      {"0 0 * 2 1#5", "2024-01-01T00:00:00Z", "2044-02-29T00:00:00.000Z"},
      {"0 0 * 2 1#5", "2044-02-29T00:00:00Z", "2072-02-29T00:00:00.000Z"},
      // Both day fields restricted: either matches (Friday or the 13th).
      {"0 0 13 * 5", "2024-09-01T00:00:00Z", "2024-09-06T00:00:00.000Z"},
      {"0 0 13 * 5", "2024-09-10T00:00:00Z", "2024-09-13T00:00:00.000Z"},
      {"0 0 13 * 5", "2024-10-11T00:00:00Z", "2024-10-13T00:00:00.000Z"},
      // `*/1` is restricted, so with a day of month it means every day.
      {"0 0 15 * */1", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00.000Z"},
      {"0 0 */1 * 1", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00.000Z"},
      // Only one restricted: that one decides.
      {"0 0 ? * MON", "2024-01-02T00:00:00Z", "2024-01-08T00:00:00.000Z"},
      {"0 0 15 * ?", "2024-01-02T00:00:00Z", "2024-01-15T00:00:00.000Z"},
      // `#` applies on top of the day of month: the second Friday, not the 1st.
      {"0 0 1 * 5#2", "2024-01-01T00:00:00Z", "2024-01-12T00:00:00.000Z"},
      {"0 0 1 * 5#2", "2024-01-12T00:00:00Z", "2024-02-09T00:00:00.000Z"},
      // 7 is Sunday; a range ending at 7 includes Sunday even past its step.
      {"0 0 * * 7", "2024-01-10T00:00:00Z", "2024-01-14T00:00:00.000Z"},
      {"0 0 * * 2/2", "2024-01-13T00:00:00Z", "2024-01-14T00:00:00.000Z"},
      {"0 0 * * 2/2", "2024-01-14T00:00:00Z", "2024-01-16T00:00:00.000Z"},
      // Names.
      {"0 0 * * mon-fri", "2024-01-12T00:00:00Z", "2024-01-15T00:00:00.000Z"},
      {"0 0 1 jun,dec *", "2024-01-12T00:00:00Z", "2024-06-01T00:00:00.000Z"},
      // Nicknames.
      {"@yearly", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00.000Z"},
      {"@monthly", "2024-01-31T12:00:00Z", "2024-02-01T00:00:00.000Z"},
      {"@weekly", "2024-01-10T00:00:00Z", "2024-01-14T00:00:00.000Z"},
      {"@daily", "2024-01-10T00:00:00Z", "2024-01-11T00:00:00.000Z"},
      {"@hourly", "2024-01-10T10:00:00Z", "2024-01-10T11:00:00.000Z"},
      {"@minutely", "2024-01-10T10:00:00Z", "2024-01-10T10:01:00.000Z"},
      {"@secondly", "2024-01-10T10:00:00Z", "2024-01-10T10:00:01.000Z"},
      {"@weekdays", "2024-01-12T00:00:00Z", "2024-01-15T00:00:00.000Z"},
      {"@weekends", "2024-01-08T00:00:00Z", "2024-01-13T00:00:00.000Z"},
      // Before the Unix epoch.
      {"0 0 29 2 *", "1900-01-01T00:00:00Z", "1904-02-29T00:00:00.000Z"},
      {"* * * * * *", "1969-12-31T23:59:59.500Z", "1970-01-01T00:00:00.000Z"},
  };
  for (const NextCase& c : cases) {
    SCOPED_TRACE(absl::StrCat("`", c.pattern, "` after ", c.after));
    const Schedule schedule = MustParse(c.pattern);
    const std::optional<absl::Time> next = schedule.Next(At(c.after));
    EXPECT_EQ(Format(next), c.next);
    ASSERT_TRUE(next.has_value());
    EXPECT_TRUE(schedule.Matches(*next));
    EXPECT_GT(*next, At(c.after));
  }
}

TEST(ScheduleTest, Matches) {
  const Schedule friday13 = MustParse("0 0 13 * 5");
  EXPECT_TRUE(friday13.Matches(At("2024-09-06T00:00:00Z")));      // a Friday
  EXPECT_TRUE(friday13.Matches(At("2024-10-13T00:00:00Z")));      // the 13th
  EXPECT_TRUE(friday13.Matches(At("2024-09-06T00:00:00.750Z")));  // same second
  EXPECT_FALSE(friday13.Matches(At("2024-09-06T00:00:01Z")));
  EXPECT_FALSE(friday13.Matches(At("2024-09-07T00:00:00Z")));
  EXPECT_FALSE(friday13.Matches(absl::InfiniteFuture()));
  EXPECT_FALSE(friday13.Matches(absl::InfinitePast()));
}

TEST(ScheduleTest, KeepsThePattern) {
  EXPECT_EQ(MustParse("@daily").pattern(), "@daily");
  EXPECT_EQ(MustParse(" 0 0 * * * ").pattern(), " 0 0 * * * ");
}

TEST(ScheduleTest, ParseErrorsNameThePattern) {
  const absl::StatusOr<Schedule> schedule = Schedule::Parse("H 0 * * *");
  EXPECT_EQ(schedule.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(schedule.status().message(),
            "`H` (hashed) values are not supported: they make the schedule "
            "nondeterministic in `H 0 * * *`");
}

TEST(ScheduleTest, InfiniteTimesHaveNoNext) {
  const Schedule schedule = MustParse("* * * * * *");
  EXPECT_EQ(schedule.Next(absl::InfiniteFuture()), std::nullopt);
  EXPECT_EQ(schedule.Next(absl::InfinitePast()), std::nullopt);
}

TEST(ScheduleTest, NoNextBeyondTheEndOfTime) {
  // The last representable second is 292277026596-12-04T15:30:07Z; January 1 of
  // the next year is not representable.
  const absl::Time last = absl::FromUnixSeconds(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(MustParse("0 0 1 1 *").Next(last - absl::Hours(24 * 30)), std::nullopt);
  const std::optional<absl::Time> second = MustParse("* * * * * *").Next(last - absl::Seconds(10));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, last - absl::Seconds(9));
}

TEST(ScheduleTest, ParseSchedules) {
  const std::vector<std::string> patterns = {"0 0 9,21 * * 1-5", "0 0 12 * * 0,6"};
  absl::StatusOr<std::vector<Schedule>> schedules = ParseSchedules(patterns);
  ASSERT_TRUE(schedules.ok()) << schedules.status();
  ASSERT_EQ(schedules->size(), 2u);
  EXPECT_EQ((*schedules)[1].pattern(), "0 0 12 * * 0,6");

  const std::vector<std::string> bad = {"0 0 * * *", "0 0 * * 8", "H * * * *"};
  schedules = ParseSchedules(bad);
  EXPECT_EQ(schedules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(schedules.status().message(),
            "day-of-week field `8`: 8 is out of range 0-7 in `0 0 * * 8`");

  EXPECT_TRUE(ParseSchedules({}).value().empty());
}

TEST(ScheduleTest, NextOf) {
  // Documentation example: 09:00 and 21:00 on weekdays, noon at weekends.
  const std::vector<Schedule> schedules =
      ParseSchedules({"0 0 9,21 * * 1-5", "0 0 12 * * 0,6"}).value();
  EXPECT_EQ(Format(NextOf(schedules, At("2024-01-12T08:00:00Z"))), "2024-01-12T09:00:00.000Z");
  EXPECT_EQ(Format(NextOf(schedules, At("2024-01-12T09:00:00Z"))), "2024-01-12T21:00:00.000Z");
  EXPECT_EQ(Format(NextOf(schedules, At("2024-01-12T21:00:00Z"))),
            "2024-01-13T12:00:00.000Z");  // Saturday
  EXPECT_EQ(Format(NextOf(schedules, At("2024-01-14T12:00:00Z"))),
            "2024-01-15T09:00:00.000Z");  // Sunday noon -> Monday 09:00
  // Order does not matter.
  const std::vector<Schedule> reversed = {schedules[1], schedules[0]};
  EXPECT_EQ(Format(NextOf(reversed, At("2024-01-12T21:00:00Z"))), "2024-01-13T12:00:00.000Z");
}

TEST(ScheduleTest, OverlappingPatternsFireOnce) {
  const std::vector<Schedule> schedules =
      ParseSchedules({"0 0 * * *", "@daily", "0 0 0 * * *"}).value();
  const std::optional<absl::Time> first = NextOf(schedules, At("2024-01-10T12:00:00Z"));
  EXPECT_EQ(Format(first), "2024-01-11T00:00:00.000Z");
  EXPECT_EQ(Format(NextOf(schedules, *first)), "2024-01-12T00:00:00.000Z");
}

TEST(ScheduleTest, EmptyListNeverFires) {
  EXPECT_EQ(NextOf({}, At("2024-01-10T12:00:00Z")), std::nullopt);
}

}  // namespace
}  // namespace bulwark::cron
