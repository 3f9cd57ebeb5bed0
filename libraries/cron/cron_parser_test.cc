// Table tests of the pattern language: what each syntax element parses to, and
// every error.

#include "libraries/cron/cron_parser.h"

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/cron/cron_spec.h"

namespace bulwark::cron::internal {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

uint64_t Bits(std::initializer_list<int> values) {
  uint64_t bits = 0;
  for (const int value : values) bits |= uint64_t{1} << value;
  return bits;
}

uint64_t Range(int low, int high, int step = 1) {
  uint64_t bits = 0;
  for (int value = low; value <= high; value += step) bits |= uint64_t{1} << value;
  return bits;
}

const uint64_t kAllMinutes = Range(0, 59);
const uint64_t kAllHours = Range(0, 23);
const uint64_t kAllDays = Range(1, 31);
const uint64_t kAllMonths = Range(1, 12);
const uint64_t kAllWeekdays = Range(0, 6);

CronSpec MustParse(const std::string& pattern) {
  absl::StatusOr<CronSpec> spec = ParseCronSpec(pattern);
  EXPECT_TRUE(spec.ok()) << pattern << ": " << spec.status();
  return spec.value_or(CronSpec{});
}

TEST(CronParserTest, FiveFieldsHaveSecondZero) {
  const CronSpec spec = MustParse("* * * * *");
  EXPECT_EQ(spec.seconds, Bits({0}));
  EXPECT_EQ(spec.minutes, kAllMinutes);
  EXPECT_EQ(spec.hours, kAllHours);
  EXPECT_EQ(spec.days_of_month, kAllDays);
  EXPECT_EQ(spec.months, kAllMonths);
  EXPECT_EQ(spec.days_of_week, kAllWeekdays);
  EXPECT_TRUE(spec.day_of_month_wildcard);
  EXPECT_TRUE(spec.day_of_week_wildcard);
  EXPECT_FALSE(spec.last_day_of_month);
  EXPECT_EQ(spec.last_days_of_week, 0);
  EXPECT_EQ(spec.nth_week, 0);
}

TEST(CronParserTest, SixFieldsStartWithSeconds) {
  const CronSpec spec = MustParse("1 2 3 4 5 6");
  EXPECT_EQ(spec.seconds, Bits({1}));
  EXPECT_EQ(spec.minutes, Bits({2}));
  EXPECT_EQ(spec.hours, Bits({3}));
  EXPECT_EQ(spec.days_of_month, Bits({4}));
  EXPECT_EQ(spec.months, Bits({5}));
  EXPECT_EQ(spec.days_of_week, Bits({6}));
  EXPECT_FALSE(spec.day_of_month_wildcard);
  EXPECT_FALSE(spec.day_of_week_wildcard);
}

struct FieldCase {
  std::string pattern;
  // The minute field of a 5-field pattern, or the field named by `which`.
  char which;  // 's' second, 'm' minute, 'h' hour, 'd' day of month, 'M' month,
               // 'w' weekday
  uint64_t bits;
};

uint64_t FieldBits(const CronSpec& spec, char which) {
  switch (which) {
    case 's':
      return spec.seconds;
    case 'm':
      return spec.minutes;
    case 'h':
      return spec.hours;
    case 'd':
      return spec.days_of_month;
    case 'M':
      return spec.months;
    default:
      return spec.days_of_week;
  }
}

TEST(CronParserTest, FieldValues) {
  const FieldCase cases[] = {
      // Steps, ranges, lists.
      {"*/15 * * * * *", 's', Range(0, 59, 15)},
      {"*/5 * * * *", 'm', Range(0, 59, 5)},
      {"1-10/2 * * * *", 'm', Bits({1, 3, 5, 7, 9})},
      {"5/20 * * * *", 'm', Bits({5, 25, 45})},
      {"*/100 * * * *", 'm', Bits({0})},
      {"*/99999999999999999999 * * * *", 'm', Bits({0})},
      {"15,45 9-17 * * *", 'm', Bits({15, 45})},
      {"15,45 9-17 * * *", 'h', Range(9, 17)},
      {"0 */6 * * *", 'h', Bits({0, 6, 12, 18})},
      {"0 0 */2 * *", 'd', Range(1, 31, 2)},
      {"0 0/7 * * *", 'h', Bits({0, 7, 14, 21})},
      {"1-5,10-15/5,59 * * * *", 'm', Bits({1, 2, 3, 4, 5, 10, 15, 59})},
      {"0 23-23 * * *", 'h', Bits({23})},
      // `?` is `*`; leading zeros are fine.
      {"? * * * *", 'm', kAllMinutes},
      {"?/20 * * * *", 'm', Bits({0, 20, 40})},
      {"00 007 01 01 *", 'h', Bits({7})},
      // Month names, any case.
      {"0 0 * JAN *", 'M', Bits({1})},
      {"0 0 * jan-mar *", 'M', Bits({1, 2, 3})},
      {"0 0 * Jun,Dec *", 'M', Bits({6, 12})},
      {"0 0 * JAN-DEC/3 *", 'M', Bits({1, 4, 7, 10})},
      {"0 0 * */13 *", 'M', Bits({1})},
      // Weekday names; 7 is Sunday.
      {"0 0 * * mon-fri", 'w', Range(1, 5)},
      {"0 0 * * SAT,SUN", 'w', Bits({0, 6})},
      {"0 0 * * Tue/2", 'w', Bits({0, 2, 4, 6})},
      {"0 0 * * 7", 'w', Bits({0})},
      {"0 0 * * 7-7", 'w', Bits({0})},
      {"0 0 * * 0-0", 'w', Bits({0})},
      {"0 0 * * 5-7", 'w', Bits({0, 5, 6})},
      {"0 0 * * FRI-7", 'w', Bits({0, 5, 6})},
      {"0 0 * * 1-7", 'w', kAllWeekdays},
      // A range ending at 7 lists Sunday even when its step skips 7
      // (cron-parser).
      {"0 0 * * 2/2", 'w', Bits({0, 2, 4, 6})},
      {"0 0 * * 2-7/3", 'w', Bits({0, 2, 5})},
      {"0 0 * * 1/2", 'w', Bits({0, 1, 3, 5})},
      {"0 0 * * 3/2", 'w', Bits({0, 3, 5})},
      {"0 0 * * */3", 'w', Bits({0, 3, 6})},
      {"0 0 * * 1-5/2", 'w', Bits({1, 3, 5})},
      {"0 0 * * 1-6/2", 'w', Bits({1, 3, 5})},
      // Repeated 0s are tolerated, as cron-parser does.
      {"0,0 * * * *", 'm', Bits({0})},
      {"*,0 * * * *", 'm', kAllMinutes},
      {"0 0 * * 7,0", 'w', Bits({0})},
      {"0 0 * * 0,7,SUN", 'w', Bits({0})},
      {"0 0 * * 5-7,0", 'w', Bits({0, 5, 6})},
      // Whitespace.
      {"  0\t0 \n * * 1  ", 'w', Bits({1})},
  };
  for (const FieldCase& c : cases) {
    SCOPED_TRACE(c.pattern);
    EXPECT_EQ(FieldBits(MustParse(c.pattern), c.which), c.bits);
  }
}

TEST(CronParserTest, OnlyStarAndQuestionMarkAreWildcards) {
  EXPECT_TRUE(MustParse("0 0 ? * *").day_of_month_wildcard);
  EXPECT_TRUE(MustParse("0 0 * * ?").day_of_week_wildcard);
  for (const char* pattern : {"0 0 */1 * *", "0 0 1-31 * *", "0 0 *,L * *", "0 0 ?/1 * *"}) {
    SCOPED_TRACE(pattern);
    const CronSpec spec = MustParse(pattern);
    EXPECT_EQ(spec.days_of_month, kAllDays);
    EXPECT_FALSE(spec.day_of_month_wildcard);
  }
  for (const char* pattern : {"0 0 * * */1", "0 0 * * 0-7", "0 0 * * *#2"}) {
    SCOPED_TRACE(pattern);
    const CronSpec spec = MustParse(pattern);
    EXPECT_EQ(spec.days_of_week, kAllWeekdays);
    EXPECT_FALSE(spec.day_of_week_wildcard);
  }
}

TEST(CronParserTest, LastDayOfMonth) {
  CronSpec spec = MustParse("0 0 L * *");
  EXPECT_TRUE(spec.last_day_of_month);
  EXPECT_EQ(spec.days_of_month, 0u);
  EXPECT_FALSE(spec.day_of_month_wildcard);
  spec = MustParse("0 0 1,15,L * *");
  EXPECT_TRUE(spec.last_day_of_month);
  EXPECT_EQ(spec.days_of_month, Bits({1, 15}));
}

// `wL` (the last such weekday of the month) and `w#n` (the n-th such weekday).
TEST(CronParserTest, LastAndNthWeekdays) {
  struct Case {
    const char* pattern;
    uint64_t plain;
    uint8_t last;
    int nth;
  };
  const Case cases[] = {
      {"0 0 * * 5L", 0, 1 << 5, 0},           {"0 0 * * FRIL", 0, 1 << 5, 0},
      {"0 0 * * monL", 0, 1 << 1, 0},         {"0 0 * * 7L", 0, 1 << 0, 0},
      {"0 0 * * 0L", 0, 1 << 0, 0},           {"0 0 * * 0L,7L", 0, 1 << 0, 0},
      {"0 0 * * 1,5L", Bits({1}), 1 << 5, 0}, {"0 0 * * 5L,6L", 0, (1 << 5) | (1 << 6), 0},
      {"0 0 * * 5#2", Bits({5}), 0, 2},       {"0 0 * * FRI#3", Bits({5}), 0, 3},
      {"0 0 * * 7#1", Bits({0}), 0, 1},       {"0 0 * * 0#5", Bits({0}), 0, 5},
      {"0 0 * * 5#02", Bits({5}), 0, 2},      {"0 0 * * *#2", kAllWeekdays, 0, 2},
      {"0 0 * * ?#4", kAllWeekdays, 0, 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pattern);
    const CronSpec spec = MustParse(c.pattern);
    EXPECT_EQ(spec.days_of_week, c.plain);
    EXPECT_EQ(spec.last_days_of_week, c.last);
    EXPECT_EQ(spec.nth_week, c.nth);
    EXPECT_FALSE(spec.day_of_week_wildcard);
  }
}

TEST(CronParserTest, Nicknames) {
  struct Case {
    const char* nickname;
    const char* expansion;
  };
  const Case cases[] = {
      {"@yearly", "0 0 0 1 1 *"},     {"@annually", "0 0 0 1 1 *"}, {"@monthly", "0 0 0 1 * *"},
      {"@weekly", "0 0 0 * * 0"},     {"@daily", "0 0 0 * * *"},    {"@hourly", "0 0 * * * *"},
      {"@minutely", "0 * * * * *"},   {"@secondly", "* * * * * *"}, {"@weekdays", "0 0 0 * * 1-5"},
      {"@weekends", "0 0 0 * * 0,6"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.nickname);
    const CronSpec nickname = MustParse(c.nickname);
    const CronSpec expansion = MustParse(c.expansion);
    EXPECT_EQ(nickname.seconds, expansion.seconds);
    EXPECT_EQ(nickname.minutes, expansion.minutes);
    EXPECT_EQ(nickname.hours, expansion.hours);
    EXPECT_EQ(nickname.days_of_month, expansion.days_of_month);
    EXPECT_EQ(nickname.months, expansion.months);
    EXPECT_EQ(nickname.days_of_week, expansion.days_of_week);
    EXPECT_EQ(nickname.day_of_week_wildcard, expansion.day_of_week_wildcard);
  }
  EXPECT_EQ(MustParse("@weekly").days_of_week, Bits({0}));
  EXPECT_EQ(MustParse("@yearly").months, Bits({1}));
  EXPECT_EQ(MustParse("@secondly").seconds, kAllMinutes);
}

TEST(CronParserTest, ExactMessages) {
  struct Case {
    const char* pattern;
    const char* message;
  };
  const Case cases[] = {
      {"H 0 * * *",
       "`H` (hashed) values are not supported: they make the schedule "
       "nondeterministic in `H 0 * * *`"},
      {"* * * * * * *",
       "7 fields are not supported (there is no year field): expected 5 "
       "fields (minute hour day-of-month month day-of-week) or 6 (seconds "
       "first) in `* * * * * * *`"},
      {"0 0 1W * *", "`W` (nearest weekday) is not supported in `0 0 1W * *`"},
      {"0 25 * * *", "hour field `25`: 25 is out of range 0-23 in `0 25 * * *`"},
      {"", "the pattern is empty in ``"},
      {"0 0 30 2 *",
       "the pattern never fires: no date matches its day-of-month, month and "
       "day-of-week fields together in `0 0 30 2 *`"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pattern);
    const absl::StatusOr<CronSpec> spec = ParseCronSpec(c.pattern);
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(spec.status().message(), c.message);
  }
}

TEST(CronParserTest, Errors) {
  struct Case {
    const char* pattern;
    const char* fragment;
  };
  const Case cases[] = {
      // Field count and nicknames.
      {"   ", "the pattern is empty"},
      {"5 4 3", "3 fields: expected 5 fields"},
      {"* * * *", "4 fields"},
      {"0 0 0 0 0 0 0 0", "8 fields"},
      {"@DAILY", "`@DAILY` is not a supported nickname"},
      {" @daily", "`@daily` is not a supported nickname"},
      {"@reboot", "`@reboot` is not a supported nickname"},
      {"@", "`@` is not a supported nickname"},
      // Hashed values anywhere.
      {"0 H * * *", "`H` (hashed) values are not supported"},
      {"H/5 * * * *", "`H` (hashed) values are not supported"},
      {"0 H(0-5) * * *", "`H` (hashed) values are not supported"},
      {"0 0 * * H", "`H` (hashed) values are not supported"},
      {"0 0 5H * *", "`H` (hashed) values are not supported"},
      // W.
      {"0 0 LW * *", "`W` (nearest weekday) is not supported"},
      {"0 0 * * 1W", "`W` (nearest weekday) is not supported"},
      // Out of range.
      {"60 * * * *", "minute field `60`: 60 is out of range 0-59"},
      {"0 60 * * * *", "minute field `60`: 60 is out of range 0-59"},
      {"60 0 * * * *", "second field `60`: 60 is out of range 0-59"},
      {"0 0 0 * *", "day-of-month field `0`: 0 is out of range 1-31"},
      {"0 0 32 * *", "day-of-month field `32`"},
      {"0 0 * 0 *", "month field `0`: 0 is out of range 1-12"},
      {"0 0 * 13 *", "month field `13`"},
      {"0 0 * * 8", "day-of-week field `8`: 8 is out of range 0-7"},
      {"0 0 0/7 * *", "0 is out of range 1-31"},
      {"0 0 * * 1-8", "8 is out of range 0-7"},
      {"99999999999 * * * *", "1000000 is out of range 0-59"},
      // Ranges and steps.
      {"5-1 * * * *", "the range 5-1 is reversed"},
      {"0 0 * * FRI-SUN", "the range 5-0 is reversed"},
      {"*/0 * * * *", "a step must be at least 1"},
      {"0 0 * * 5/0", "a step must be at least 1"},
      {"0 0 * * 5/", "a step must be a positive number"},
      {"/5 * * * *", "a step needs something to step through"},
      {"1/2/3 * * * *", "unexpected `/`"},
      {"1-2-3 * * * *", "a range has two ends"},
      {"*-5 * * * *", "`*` cannot be part of a range"},
      {"1-* * * * *", "`*` cannot be part of a range"},
      {"1/5-2 * * * *", "unexpected `-`"},
      {"5- * * * *", "a value is missing"},
      // Lists.
      {"1,,2 * * * *", "a list item is empty"},
      {",1 * * * *", "a list item is empty"},
      {"1, * * * *", "a list item is empty"},
      {"1,1 * * * *", "1 is listed more than once"},
      {"1-5,3 * * * *", "3 is listed more than once"},
      {"*,5 * * * *", "5 is listed more than once"},
      {"0 0 *,1 * *", "1 is listed more than once"},
      {"0,0,1,1 * * * *", "1 is listed more than once"},
      {"0 0 * * 5-7,6", "6 is listed more than once"},
      {"0 0 * * 6-7,5-7", "6 is listed more than once"},
      {"0 0 * * 5-7,7-7", "7 is listed more than once"},
      {"0 0 L,L * *", "`L` is listed more than once"},
      {"0 0 * * 5L,FRIL", "5L is listed more than once"},
      // Characters and names.
      {"X * * * *", "`X`: names are only allowed in the month and day-of-week"},
      {"1.5 * * * *", "unexpected character `.`"},
      {"0 0 * * 5#+2", "unexpected character `+`"},
      {"0 0 * * \x01", "unexpected character `\\x01`"},
      {"0 0 * FOO *", "`FOO` is not a month name (JAN-DEC)"},
      {"0 0 * MON *", "`MON` is not a month name"},
      {"0 0 * JANFEB *", "`JANFEB` is not a month name"},
      {"0 0 * JAN1 *", "unexpected `1`"},
      {"0 0 * * FRIDAY", "`FRIDAY` is not a day name (SUN-SAT)"},
      {"0 0 * * JAN", "`JAN` is not a day name"},
      {"0 0 * * */MON", "a step must be a positive number"},
      // L.
      {"L * * * *", "`L` is only allowed alone in the day-of-month field"},
      {"0 0 * L *", "`L` is only allowed alone in the day-of-month field"},
      {"0 0 L-2 * *", "`L` cannot be part of a range or step"},
      {"0 0 L/2 * *", "`L` cannot be part of a range or step"},
      {"0 0 1-L * *", "`L` cannot be part of a range or step"},
      {"0 0 5L * *", "`5L` is not supported: write `L` for the last day"},
      {"0 0 5L-7 * *", "`5L` is not supported"},
      {"0 0 * * L", "`L` needs a weekday before it"},
      {"0 0 * * 1,L", "`L` needs a weekday before it"},
      {"0 0 * * 15L", "`15L`: the weekday before `L` must be 0-7"},
      {"0 0 * * 05L", "`05L`: the weekday before `L` must be 0-7"},
      {"0 0 * * 8L", "`8L`: the weekday before `L` must be 0-7"},
      {"0 0 * * 5L-6", "`5L` cannot be part of a range or step"},
      {"0 0 * * FRIL/2", "`FRIL` cannot be part of a range or step"},
      // #.
      {"0 0 * * 5#6", "`#` must be followed by an occurrence 1-5"},
      {"0 0 * * 5#0", "`#` must be followed by an occurrence 1-5"},
      {"0 0 * * 5#", "`#` must be followed by an occurrence 1-5"},
      {"0 0 * * 5#2#3", "`#` must be followed by an occurrence 1-5"},
      {"0 0 * * #2", "`#` needs a weekday before it"},
      {"0 0 * * 5#2,1", "`#` cannot be combined with lists, ranges or steps"},
      {"0 0 * * 1-5#2", "`#` cannot be combined with lists, ranges or steps"},
      {"0 0 * * */2#2", "`#` cannot be combined with lists, ranges or steps"},
      {"0 0 * * 5L#2", "`#` cannot be combined with `L`"},
      {"0 0 * * L#2", "`#` cannot be combined with `L`"},
      {"0 0 * * 8#2", "8 is out of range 0-7"},
      {"0 0 1#2 * *", "`#` is only allowed in the day-of-week field"},
      // Never fires.
      {"0 0 31 4 *", "the pattern never fires"},
      {"0 0 30,31 2 *", "the pattern never fires"},
      {"0 0 31 4,6 *", "the pattern never fires"},
      {"0 0 31 2,4,6,9,11 *", "the pattern never fires"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pattern);
    const absl::StatusOr<CronSpec> spec = ParseCronSpec(c.pattern);
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(spec.status().message()), HasSubstr(c.fragment));
    EXPECT_THAT(std::string(spec.status().message()),
                EndsWith(absl::StrCat("in `", absl::CHexEscape(c.pattern), "`")));
  }
}

TEST(CronParserTest, RareButPossibleDatesAreAccepted) {
  for (const char* pattern : {"0 0 29 2 *", "0 0 L 2 *", "0 0 31 2,3 *", "0 0 * 2 1#5",
                              "0 0 30 2 1", "0 0 31 4 *#5", "0 0 29 2 1#5"}) {
    SCOPED_TRACE(pattern);
    EXPECT_TRUE(ParseCronSpec(pattern).ok()) << ParseCronSpec(pattern).status();
  }
}

TEST(CronParserTest, LongPatternsAreCutInMessages) {
  const std::string pattern = "0 0 * * " + std::string(500, '9');
  const absl::StatusOr<CronSpec> spec = ParseCronSpec(pattern);
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(spec.status().message()),
              EndsWith(absl::StrCat("in `", pattern.substr(0, 117), "...`")));
  EXPECT_LT(spec.status().message().size(), 1300u);
}

}  // namespace
}  // namespace bulwark::cron::internal
