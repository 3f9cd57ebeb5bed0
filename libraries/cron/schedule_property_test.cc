// Property tests of Schedule::Next on random patterns (fixed seeds): the result
// is a whole second strictly after the reference, matches the pattern, and no
// earlier second in a brute-force window after the reference matches; Next is
// stable on the way to its result.

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/cron/schedule.h"

namespace bulwark::cron {
namespace {

class PatternGenerator {
 public:
  explicit PatternGenerator(uint64_t seed) : random_(seed) {}

  int Int(int low, int high) {
    return low + static_cast<int>(random_() % static_cast<uint64_t>(high - low + 1));
  }
  bool Chance(int percent) { return Int(1, 100) <= percent; }

  // One field of distinct values in [low, high]: mostly `*`, else one item or a
  // short list.
  std::string Field(int low, int high, int wildcard_percent) {
    if (Chance(wildcard_percent)) return Chance(90) ? "*" : "?";
    switch (Int(0, 5)) {
      case 0:
        return absl::StrCat(Int(low, high));
      case 1: {
        const int a = Int(low, high);
        int b = Int(low, high);
        if (b == a) b = a == high ? low : a + 1;
        return absl::StrCat(std::min(a, b), ",", std::max(a, b));
      }
      case 2: {
        const int a = Int(low, high);
        return absl::StrCat(a, "-", Int(a, high));
      }
      case 3: {
        const int a = Int(low, high);
        return absl::StrCat(a, "-", Int(a, high), "/", Int(1, 4));
      }
      case 4:
        return absl::StrCat("*/", Int(1, (high - low) / 2 + 1));
      default:
        return absl::StrCat(Int(low, high), "/", Int(1, (high - low) / 2 + 1));
    }
  }

  std::string DayOfMonth() {
    if (Chance(8)) return "L";
    if (Chance(5)) return absl::StrCat(Int(1, 28), ",L");
    return Field(1, 31, 60);
  }

  std::string DayOfWeek() {
    if (Chance(6)) return absl::StrCat(Int(0, 7), "L");
    if (Chance(6)) return absl::StrCat(Chance(20) ? "*" : absl::StrCat(Int(0, 7)), "#", Int(1, 5));
    return Field(0, 7, 60);
  }

  // A 5-field pattern, or a 6-field one whose seconds are restricted.
  std::string Pattern(bool seconds) {
    std::vector<std::string> fields;
    if (seconds) fields.push_back(Field(0, 59, 10));
    fields.push_back(Field(0, 59, seconds ? 20 : 10));
    fields.push_back(Field(0, 23, 50));
    fields.push_back(DayOfMonth());
    fields.push_back(Field(1, 12, 80));
    fields.push_back(DayOfWeek());
    return absl::StrJoin(fields, " ");
  }

  // A time between 2000 and 2100 with a random fraction of a second.
  absl::Time Reference() {
    return absl::FromUnixMillis(946684800000 +
                                static_cast<int64_t>(random_() % (3155760000ull * 1000)));
  }

 private:
  std::mt19937_64 random_;
};

// `t` rounded down to a multiple of `step` since the Unix epoch.
absl::Time Floor(absl::Time t, absl::Duration step) {
  return absl::UnixEpoch() + absl::Floor(t - absl::UnixEpoch(), step);
}

// Counts of checked cases. The seeds are fixed (and std::mt19937_64 is fully
// specified), so the counts are too; the tests assert lower bounds on them so
// that the brute force cannot quietly stop covering anything.
struct Totals {
  int cases = 0;
  int exhaustive = 0;  // the whole span from the reference to Next was brute-forced
};

// Checks Next on `schedule` from `after`, brute-forcing candidates `step` apart
// (aligned to `step` in Unix time) within `window` after `after`.
void CheckNext(const Schedule& schedule, absl::Time after, absl::Duration step,
               absl::Duration window, PatternGenerator& generator, Totals& totals) {
  SCOPED_TRACE(absl::StrCat("`", schedule.pattern(), "` after ",
                            absl::FormatTime(after, absl::UTCTimeZone())));
  const std::optional<absl::Time> next = schedule.Next(after);
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(*next, after);
  EXPECT_EQ(Floor(*next, absl::Seconds(1)), *next);
  EXPECT_TRUE(schedule.Matches(*next));

  // No earlier candidate matches. Candidates are every `step` from the first
  // one after `after`.
  const absl::Time end = std::min(*next, after + window);
  int64_t checked = 0;
  for (absl::Time t = Floor(after, step) + step; t < end; t += step) {
    if (schedule.Matches(t)) {
      ADD_FAILURE() << "matches earlier, at " << absl::FormatTime(t, absl::UTCTimeZone());
      return;
    }
    ++checked;
  }
  ++totals.cases;
  if (*next <= after + window) ++totals.exhaustive;

  // Stable on the way: from just before the result, or from anywhere in
  // between, the answer is the same; from the result itself it moves on.
  EXPECT_EQ(schedule.Next(*next - absl::Seconds(1)), next);
  EXPECT_EQ(schedule.Next(*next - absl::Milliseconds(1)), next);
  const int64_t span_ms = absl::ToInt64Milliseconds(*next - after);
  const absl::Time between =
      after + absl::Milliseconds(
                  generator.Int(0, static_cast<int>(std::min<int64_t>(span_ms - 1, 2000000000))));
  EXPECT_EQ(schedule.Next(between), next);
  const std::optional<absl::Time> after_next = schedule.Next(*next);
  ASSERT_TRUE(after_next.has_value());
  EXPECT_GT(*after_next, *next);
}

// Checks `count` parsed random patterns from `seed`, twice each.
Totals CheckRandomPatterns(uint64_t seed, bool seconds, int count, absl::Duration step,
                           absl::Duration window) {
  PatternGenerator generator(seed);
  Totals totals;
  int parsed = 0;
  while (parsed < count) {
    const absl::StatusOr<Schedule> schedule = Schedule::Parse(generator.Pattern(seconds));
    if (!schedule.ok()) continue;  // e.g. a random never-firing day
    ++parsed;
    for (int i = 0; i < 2; ++i) {
      CheckNext(*schedule, generator.Reference(), step, window, generator, totals);
    }
  }
  return totals;
}

// 5-field patterns fire only at second 0, so checking each minute is
// exhaustive.
TEST(SchedulePropertyTest, FiveFieldPatterns) {
  const Totals totals =
      CheckRandomPatterns(20240229, /*seconds=*/false, 150, absl::Minutes(1), absl::Hours(24 * 20));
  EXPECT_EQ(totals.cases, 300);
  EXPECT_GE(totals.exhaustive, 220) << "too few results within the brute-force window";
}

TEST(SchedulePropertyTest, SixFieldPatterns) {
  const Totals totals =
      CheckRandomPatterns(1700000000, /*seconds=*/true, 60, absl::Seconds(1), absl::Hours(48));
  EXPECT_EQ(totals.cases, 120);
  EXPECT_GE(totals.exhaustive, 55) << "too few results within the brute-force window";
}

// Walking a schedule with Next visits every match in order: over a day of a
// dense pattern, the walk and a second-by-second scan agree exactly.
TEST(SchedulePropertyTest, WalkingNextVisitsEveryMatch) {
  PatternGenerator generator(42);
  for (int i = 0; i < 20; ++i) {
    const std::string pattern =
        absl::StrCat(generator.Field(0, 59, 0), " ", generator.Field(0, 59, 30), " ",
                     generator.Field(0, 23, 50), " * * *");
    const absl::StatusOr<Schedule> schedule = Schedule::Parse(pattern);
    ASSERT_TRUE(schedule.ok()) << schedule.status();
    SCOPED_TRACE(pattern);
    const absl::Time start = generator.Reference();
    const absl::Time end = start + absl::Hours(24);
    std::vector<absl::Time> walked;
    for (std::optional<absl::Time> t = schedule->Next(start); t.has_value() && *t < end;
         t = schedule->Next(*t)) {
      // Each step moves forward, so the walk ends.
      ASSERT_TRUE(walked.empty() || *t > walked.back());
      walked.push_back(*t);
    }
    std::vector<absl::Time> scanned;
    for (absl::Time t = Floor(start, absl::Seconds(1)) + absl::Seconds(1); t < end;
         t += absl::Seconds(1)) {
      if (schedule->Matches(t)) scanned.push_back(t);
    }
    EXPECT_EQ(walked, scanned);
    EXPECT_FALSE(walked.empty());
  }
}

}  // namespace
}  // namespace bulwark::cron
